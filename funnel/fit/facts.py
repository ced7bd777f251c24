"""Loads the plain facts the ideal customer profile's rules (funnel.fit.rules) work on."""

from collections import defaultdict

from django.db.models import Avg, QuerySet

from funnel.contacts.models import Organisation
from funnel.fit.models import FitCriterion, Rating
from funnel.fit.rules import Criterion, Fit, Prospect, score_fit
from funnel.lib.i18n import country_name


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
