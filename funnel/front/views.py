from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from funnel.contacts.models import Organisation
from funnel.lib.http import AuthenticatedRequest
from funnel.sales.models import Activity, Opportunity


def home(request: HttpRequest) -> HttpResponse:
    return redirect("today")


@login_required
def today(request: AuthenticatedRequest) -> HttpResponse:
    opportunities = Opportunity.objects.visible_to(request.user)
    recent = (
        Activity.objects.visible_to(request.user)
        .select_related("opportunity", "person")
        .order_by("-occurred")[:5]
    )
    return render(
        request,
        "front/today.html",
        {
            "open_count": opportunities.open().count(),
            "has_organisations": Organisation.objects.visible_to(request.user).exists(),
            "recent_activities": recent,
        },
    )


@login_required
def reports(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "front/reports.html")
