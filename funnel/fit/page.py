"""The Fit card of an organisation's page."""

from funnel.contacts.models import Organisation
from funnel.fit.facts import fit_of
from funnel.fit.forms import RATINGS, RatingForm
from funnel.fit.models import FitCriterion


def fit_card(
    organisation: Organisation, rating_form: RatingForm | None = None
) -> dict[str, object]:
    """What the Fit card of an organisation's page shows: score, reasons and your ratings."""
    ratings = dict(organisation.fit_ratings.values_list("criterion_id", "value"))
    traits = FitCriterion.objects.filter(
        team_id=organisation.team_id, kind=FitCriterion.Kind.PSYCHOGRAPHIC
    )
    return {
        "organisation": organisation,
        "fit": fit_of(organisation),
        "threshold": organisation.team.poor_fit_below,
        "ratings": [(trait, ratings.get(trait.pk)) for trait in traits],
        "rating_choices": RATINGS,
        "rating_form": rating_form,
    }
