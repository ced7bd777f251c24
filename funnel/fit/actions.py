"""Writes to the ideal customer profile and the fit scores kept on organisations."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseModelFormSet, ModelForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation
from funnel.fit.facts import criteria_of, prospects_of
from funnel.fit.models import FitCriterion, Rating
from funnel.fit.rules import Criterion, score_fit
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Opportunity
from funnel.sales.ranking import UNKNOWN_FIT

# The psychographic traits docs/method.md §1 lists; users rename, reweigh and add to them.
DEFAULT_TRAITS = [
    gettext_noop("Reputation"),
    gettext_noop("Culture"),
    gettext_noop("Ethics"),
    gettext_noop("Openness to innovation"),
    gettext_noop("Quality over quantity"),
]


def set_up_new_user(*, user: User) -> None:
    """A new user's team starts from the traits the method lists (accounts.actions.create_user)."""
    create_default_criteria(team=user.profile.team)


def create_default_criteria(*, team: Team) -> None:
    FitCriterion.objects.bulk_create(
        FitCriterion(
            team=team, kind=FitCriterion.Kind.PSYCHOGRAPHIC, name=_(trait), position=position
        )
        for position, trait in enumerate(DEFAULT_TRAITS)
    )


@transaction.atomic
def refresh_fit(*, organisations: QuerySet[Organisation]) -> None:
    """Store each organisation's score, so lists, the board and Today can sort by it in SQL."""
    by_team: dict[int, list[Criterion]] = {}
    changed = []
    prospects = prospects_of(organisations)
    for organisation in organisations.only("pk", "team_id", "fit_score", "fit_known"):
        if organisation.team_id not in by_team:
            by_team[organisation.team_id] = criteria_of(organisation.team_id)
        fit = score_fit(by_team[organisation.team_id], prospects[organisation.pk])
        if (organisation.fit_score, organisation.fit_known) != (fit.score, fit.known):
            organisation.fit_score, organisation.fit_known = fit.score, fit.known
            changed.append(organisation)
    Organisation.objects.bulk_update(changed, ["fit_score", "fit_known"], batch_size=500)
    refresh_weights(organisations)


def refresh_weights(organisations: QuerySet[Organisation]) -> None:
    """Value times fit on each of their opportunities, which Today and the board rank by."""
    fit = Organisation.objects.filter(pk=OuterRef("organisation_id")).values("fit_score")
    Opportunity.objects.filter(organisation__in=organisations).update(
        weight=F("value") * Coalesce(Subquery(fit), Value(UNKNOWN_FIT))
    )


@transaction.atomic
def rate(*, organisation: Organisation, criterion: FitCriterion, value: int | None) -> None:
    """Record a 1-5 rating (None clears it), then refresh the organisation's score."""
    if value is None:
        Rating.objects.filter(organisation=organisation, criterion=criterion).delete()
    else:
        Rating.objects.update_or_create(
            organisation=organisation, criterion=criterion, defaults={"value": value}
        )
    refresh_fit(organisations=Organisation.objects.filter(pk=organisation.pk))


@transaction.atomic
def save_organisation(*, organisation: Organisation) -> Organisation:
    """Save a new or changed organisation with its fit score, which its details decide."""
    organisation.save()
    refresh_fit(organisations=Organisation.objects.filter(pk=organisation.pk))
    return organisation


@transaction.atomic
def save_ideal_customer(
    *, team: Team, forms: "Sequence[ModelForm[Any] | BaseModelFormSet[Any, Any]]"
) -> None:
    """Save the profile's forms (validated) and score every organisation of the team again."""
    for form in forms:
        form.save()
    refresh_fit(organisations=Organisation.objects.filter(team=team))


# An opportunity's value is part of its customer's fit (the typical deal value), so saving or
# deleting one scores its organisation again, in the same transaction; these live here, above
# sales, for that reason.


@transaction.atomic
def save_opportunity(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Save a new opportunity (entering the funnel) or a changed one, and its customers' fit."""
    customers = {opportunity.organisation_id}
    if opportunity.pk is None:
        create_opportunity(opportunity=opportunity, by=by)
    else:
        saved = Opportunity.objects.filter(pk=opportunity.pk)
        customers.update(saved.values_list("organisation", flat=True))  # it may change customer
        opportunity.save()
    known = [pk for pk in customers if pk is not None]
    refresh_fit(organisations=Organisation.objects.filter(pk__in=known))
    return opportunity


@transaction.atomic
def delete_opportunity(*, opportunity: Opportunity) -> None:
    customer = opportunity.organisation_id
    opportunity.delete()
    if customer is not None:
        refresh_fit(organisations=Organisation.objects.filter(pk=customer))
