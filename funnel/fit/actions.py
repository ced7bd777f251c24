"""Writes to the ideal customer profile and the fit scores kept on organisations."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Avg, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation
from funnel.fit.models import FitCriterion, Rating
from funnel.fit.rules import UNKNOWN_FIT, Criterion, Fit, Prospect, score_fit
from funnel.lib.i18n import country_name
from funnel.sales.models import Opportunity

# The psychographic traits METHOD.md §1 lists; users rename, reweigh and add to them.
DEFAULT_TRAITS = [
    gettext_noop("Reputation"),
    gettext_noop("Culture"),
    gettext_noop("Ethics"),
    gettext_noop("Openness to innovation"),
    gettext_noop("Quality over quantity"),
]


def create_default_criteria(*, team: Team) -> None:
    FitCriterion.objects.bulk_create(
        FitCriterion(
            team=team, kind=FitCriterion.Kind.PSYCHOGRAPHIC, name=_(trait), position=position
        )
        for position, trait in enumerate(DEFAULT_TRAITS)
    )


def criteria_of(team_id: int) -> list[Criterion]:
    return [
        Criterion(
            id=row.pk,
            name=row.name,
            weight=row.weight,
            attribute=row.attribute,
            accepted=row.accepted_values,
            minimum=row.minimum,
            maximum=row.maximum,
        )
        for row in FitCriterion.objects.filter(team_id=team_id)
    ]


def prospects_of(organisations: QuerySet[Organisation]) -> dict[int, Prospect]:
    """Each organisation as the plain facts the profile is matched against (three queries)."""
    ratings: dict[int, dict[int, int]] = defaultdict(dict)
    for organisation_id, criterion_id, value in Rating.objects.filter(
        organisation__in=organisations
    ).values_list("organisation_id", "criterion_id", "value"):
        ratings[organisation_id][criterion_id] = value
    rows = organisations.annotate(deal_value=Avg("opportunities__value")).order_by()
    return {
        row.pk: Prospect(
            sector=row.sector,
            country=row.country,
            country_name=country_name(row.country),
            city=row.city,
            size=row.size,
            deal_value=row.deal_value,
            ratings=ratings[row.pk],
        )
        for row in rows
    }


def fit_of(organisation: Organisation) -> Fit:
    """The score with its reasons, for one organisation's page."""
    prospect = prospects_of(Organisation.objects.filter(pk=organisation.pk))[organisation.pk]
    return score_fit(criteria_of(organisation.team_id), prospect)


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
