"""Today: what to do now, in the method's order (funnel.today.priorities)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from funnel.contacts.models import Organisation
from funnel.forecast.facts import outlook_for
from funnel.goals.facts import goals_for_today
from funnel.lib.http import AuthenticatedRequest
from funnel.prospecting.facts import blocks_for_today
from funnel.quotes.facts import quotes_for_today
from funnel.sales.models import Activity
from funnel.today.agenda import agenda_for
from funnel.today.slowdowns import slowdowns_for


@login_required
def today(request: AuthenticatedRequest) -> HttpResponse:
    recent = (
        Activity.objects.visible_to(request.user)
        .select_related("opportunity", "person")
        .order_by("-occurred")[:5]
    )
    agenda = agenda_for(request.user)
    # The welcome shows to someone who has nothing yet: no need to ask when there is work.
    has_organisations = any(group.total for group in agenda.groups) or (
        Organisation.objects.visible_to(request.user).exists()
    )
    now = timezone.now()
    return render(
        request,
        "front/today.html",
        {
            "agenda": agenda,
            "has_organisations": has_organisations,
            "recent_activities": recent,
            "prospecting": blocks_for_today(request.user, now),
            "goals_today": goals_for_today(request.user, now),
            "today_quotes": quotes_for_today(request.user, timezone.localdate(now)),
            "slowdowns": slowdowns_for(request.user, now),
            "outlook": outlook_for(request.user, now=now),
        },
    )
