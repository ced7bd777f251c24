from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from funnel.contacts.models import Organisation
from funnel.followup.actions import apply_automatic_stops
from funnel.lib.http import AuthenticatedRequest
from funnel.sales.agenda import agenda_for
from funnel.sales.facts import median_days_per_level_of, sales_cycle
from funnel.sales.models import OPEN_LEVELS, Activity


def home(request: HttpRequest) -> HttpResponse:
    return redirect("today")


@login_required
def today(request: AuthenticatedRequest) -> HttpResponse:
    recent = (
        Activity.objects.visible_to(request.user)
        .select_related("opportunity", "person")
        .order_by("-occurred")[:5]
    )
    closed = apply_automatic_stops(request.user)
    if closed:
        messages.info(
            request,
            ngettext(
                "A stop rule closed %(count)d opportunity, as your settings ask. Its page "
                "says why; moving it back reopens it.",
                "Stop rules closed %(count)d opportunities, as your settings ask. Their "
                "pages say why; moving one back reopens it.",
                closed,
            )
            % {"count": closed},
        )
    agenda = agenda_for(request.user)
    # The welcome shows to someone who has nothing yet: no need to ask when there is work.
    has_organisations = any(group.total for group in agenda.groups) or (
        Organisation.objects.visible_to(request.user).exists()
    )
    return render(
        request,
        "front/today.html",
        {"agenda": agenda, "has_organisations": has_organisations, "recent_activities": recent},
    )


@login_required
def reports(request: AuthenticatedRequest) -> HttpResponse:
    per_level = median_days_per_level_of(request.user)
    return render(
        request,
        "front/reports.html",
        {
            "cycle": sales_cycle(request.user),
            "levels": [(level, per_level.get(level)) for level in OPEN_LEVELS],
        },
    )
