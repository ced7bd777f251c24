from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation
from funnel.fit.actions import rate, save_ideal_customer
from funnel.fit.forms import (
    CriterionFormSet,
    DemographicFormSet,
    PsychographicFormSet,
    RatingForm,
    ThresholdForm,
)
from funnel.fit.page import fit_card
from funnel.lib.forms import own_copy
from funnel.lib.http import AuthenticatedRequest

ORGANISATION = "contacts/organisation_detail.html"


def get_team(request: AuthenticatedRequest) -> Team:
    """The team the user works in, as long as they are still a member of it."""
    teams = Team.objects.filter(memberships__user=request.user)
    return get_object_or_404(teams, pk=request.user.profile.team_id)


@login_required
def ideal_customer(request: AuthenticatedRequest) -> HttpResponse:
    team = get_team(request)
    data = request.POST or None
    threshold_form = ThresholdForm(data, instance=own_copy(team))
    demographic = DemographicFormSet(data, team=team)
    psychographic = PsychographicFormSet(data, team=team)
    forms: list[ThresholdForm | CriterionFormSet] = [threshold_form, demographic, psychographic]
    if request.method == "POST" and all([form.is_valid() for form in forms]):
        save_ideal_customer(team=team, forms=forms)
        messages.success(request, _("Your ideal customer is saved and every fit score updated."))
        return redirect("ideal_customer")
    return render(
        request,
        "fit/ideal_customer.html",
        {
            "threshold_form": threshold_form,
            "demographic": demographic,
            "psychographic": psychographic,
            "has_errors": request.method == "POST",
            "counts": Organisation.objects.filter(team=team).fit_counts(
                poor_below=team.poor_fit_below
            ),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def organisation_rate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Rate one psychographic criterion from 1 to 5, or clear it; re-renders the Fit card."""
    organisations = Organisation.objects.visible_to(request.user).select_related("team")
    organisation = get_object_or_404(organisations, pk=pk)
    form = RatingForm(request.POST, team=organisation.team)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _("The rating was not saved: choose from 1 to 5."))
            return redirect(organisation)
        return render(request, f"{ORGANISATION}#fit", fit_card(organisation, form), status=422)
    criterion, value = form.cleaned_data["criterion"], form.cleaned_data["value"]
    rate(organisation=organisation, criterion=criterion, value=value)
    if not request.htmx:
        return redirect(organisation)
    return render(request, f"{ORGANISATION}#fit", fit_card(organisation))
