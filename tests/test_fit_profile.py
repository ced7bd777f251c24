"""The ideal customer page: the team's criteria, edited, reordered, refused in words."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation
from funnel.fit.actions import rate, refresh_fit
from funnel.fit.models import FitCriterion, Rating
from tests import fit_helpers
from tests.fit_helpers import DEMOGRAPHIC, PSYCHOGRAPHIC, criterion
from tests.helpers import present

# Fixtures shared with the other ideal customer tests (in fit_helpers.py).
team = fit_helpers.team
reputation = fit_helpers.reputation
PAGE = reverse("ideal_customer")


# The ideal customer page


def row(item: FitCriterion, **changes: object) -> dict[str, str]:
    fields = {
        "id": str(item.pk),
        "name": item.name,
        "weight": str(item.weight),
        "ORDER": str(item.position + 1),
    }
    if item.kind == DEMOGRAPHIC:
        fields.update(
            attribute=item.attribute,
            accepted=item.accepted,
            minimum="" if item.minimum is None else str(item.minimum),
            maximum="" if item.maximum is None else str(item.maximum),
        )
    return {**fields, **{key: str(value) for key, value in changes.items()}}


def profile_data(
    team: Team,
    *,
    demographic: list[dict[str, str]] | None = None,
    psychographic: list[dict[str, str]] | None = None,
    threshold: int | None = None,
) -> dict[str, str]:
    """The page's POST: every saved criterion as it is unless given, then any new rows."""
    data = {"poor_fit_below": str(team.poor_fit_below if threshold is None else threshold)}
    for kind, rows in [(DEMOGRAPHIC, demographic), (PSYCHOGRAPHIC, psychographic)]:
        if rows is None:
            rows = [row(item) for item in FitCriterion.objects.filter(team=team, kind=kind)]
        data[f"{kind}-TOTAL_FORMS"] = str(len(rows))
        data[f"{kind}-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
        for index, fields in enumerate(rows):
            data.update({f"{kind}-{index}-{name}": value for name, value in fields.items()})
    return data


def names(team: Team, kind: str) -> list[str]:
    return list(FitCriterion.objects.filter(team=team, kind=kind).values_list("name", flat=True))


def test_the_page_shows_the_default_traits_and_explains_the_method(owner_client: Client) -> None:
    response = owner_client.get(PAGE)
    assert response.status_code == 200
    for name in ["Reputation", "Culture", "Ethics", "Openness to innovation"]:
        assert f'value="{name}"' in response.text
    assert "counts as unknown, not as a miss" in response.text
    assert "Poor fit below" in response.text


def test_saving_renames_adds_and_sets_the_threshold(owner_client: Client, team: Team) -> None:
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    new_sector = {"name": "Sector", "weight": "5", "attribute": "sector"}
    new_sector["accepted"] = "Furniture, Hospitality"
    data = profile_data(
        team,
        demographic=[new_sector],
        psychographic=[row(reputation, name="Good name", weight=5), *map(row, others)],
        threshold=55,
    )
    response = owner_client.post(PAGE, data, follow=True)
    assert "Your ideal customer is saved and every fit score updated." in response.text
    assert names(team, PSYCHOGRAPHIC)[0] == "Good name"
    added = FitCriterion.objects.get(team=team, kind=DEMOGRAPHIC)
    assert (added.weight, added.accepted_values) == (5, ("Furniture", "Hospitality"))
    team.refresh_from_db()
    assert team.poor_fit_below == 55


def test_an_empty_extra_row_adds_nothing(owner_client: Client, team: Team) -> None:
    empty = {"name": "", "weight": "3", "attribute": "", "accepted": "", "ORDER": ""}
    owner_client.post(PAGE, profile_data(team, demographic=[empty]))
    assert not FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC).exists()


def test_criteria_keep_their_order_and_can_be_reordered(owner_client: Client, team: Team) -> None:
    before = names(team, PSYCHOGRAPHIC)
    owner_client.post(PAGE, profile_data(team))
    assert names(team, PSYCHOGRAPHIC) == before
    first, second, *rest = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rows = [row(first, ORDER=4), row(second, ORDER=1), *map(row, rest)]
    owner_client.post(PAGE, profile_data(team, psychographic=rows))
    assert names(team, PSYCHOGRAPHIC)[:3] == [second.name, before[2], first.name]


def test_a_criterion_can_be_deleted_with_its_ratings(
    owner_client: Client, team: Team, organisation: Organisation
) -> None:
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rate(organisation=organisation, criterion=reputation, value=5)
    rows = [row(reputation, DELETE="on"), *map(row, others)]
    owner_client.post(PAGE, profile_data(team, psychographic=rows))
    assert "Reputation" not in names(team, PSYCHOGRAPHIC)
    assert not Rating.objects.exists()


def test_countries_are_typed_by_name_or_code_and_shown_by_name(
    owner_client: Client, team: Team
) -> None:
    country = {"name": "Where", "weight": "3", "attribute": "country", "accepted": "Italy, de"}
    owner_client.post(PAGE, profile_data(team, demographic=[country]))
    saved = FitCriterion.objects.get(team=team, kind=DEMOGRAPHIC)
    assert saved.accepted == "IT, DE"
    assert 'value="Italy, Germany"' in owner_client.get(PAGE).text


def test_a_list_criterion_ignores_a_range_and_a_range_criterion_a_list(
    owner_client: Client, team: Team
) -> None:
    rows = [
        {"name": "Sector", "weight": "3", "attribute": "sector", "accepted": "Retail"},
        {"name": "Size", "weight": "3", "attribute": "size", "accepted": "x", "minimum": "10"},
    ]
    rows[0]["maximum"] = "99"
    owner_client.post(PAGE, profile_data(team, demographic=rows))
    sector_row, size_row = FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC)
    assert (sector_row.accepted, sector_row.maximum) == ("Retail", None)
    assert (size_row.accepted, size_row.minimum, size_row.maximum) == ("", Decimal(10), None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attribute": ""}, "Choose what this criterion matches."),
        ({"attribute": "sector", "accepted": " , "}, "List the values that match"),
        ({"attribute": "size"}, "Give a range: a lowest value, a highest value or both."),
        (
            {"attribute": "deal_value", "minimum": "5000", "maximum": "100"},
            "The range must start below where it ends.",
        ),
        ({"attribute": "country", "accepted": "Italy, Atlantis"}, "Unknown country: Atlantis."),
        ({"attribute": "sector", "accepted": "Retail", "name": ""}, "This field is required."),
        ({"attribute": "sector", "accepted": "Retail", "weight": "9"}, "Select a valid choice."),
    ],
)
def test_bad_input_keeps_what_was_saved_and_says_why(
    owner_client: Client, team: Team, fields: dict[str, str], message: str
) -> None:
    before = names(team, PSYCHOGRAPHIC)
    bad = {"name": "Bad", "weight": "3", "accepted": "", "minimum": "", "maximum": "", **fields}
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rows = [row(reputation, name="Renamed"), *map(row, others)]
    response = owner_client.post(
        PAGE, profile_data(team, demographic=[bad], psychographic=rows, threshold=70)
    )
    assert response.status_code == 422
    assert "Nothing was saved yet: please correct the marked fields." in response.text
    assert message in response.text
    assert 'value="Renamed"' in response.text  # what was typed is shown back
    assert not FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC).exists()
    assert names(team, PSYCHOGRAPHIC) == before
    team.refresh_from_db()
    assert team.poor_fit_below == 40


def test_a_threshold_over_100_is_refused(owner_client: Client, team: Team) -> None:
    response = owner_client.post(PAGE, profile_data(team, threshold=101))
    assert "Ensure this value is less than or equal to 100." in response.text
    team.refresh_from_db()
    assert team.poor_fit_below == 40


def test_saving_recomputes_every_organisations_score(
    owner_client: Client, team: Team, organisation: Organisation
) -> None:
    other = Organisation.objects.create(team=team, name="Banca Verdi", sector="Banking")
    refresh_fit(organisations=Organisation.objects.filter(team=team))
    assert Organisation.objects.get(pk=organisation.pk).fit_score is None
    rows = [{"name": "Sector", "weight": "3", "attribute": "sector", "accepted": "Furniture"}]
    owner_client.post(PAGE, profile_data(team, demographic=rows))
    organisation.refresh_from_db()
    other.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (100, 17)  # weight 3 of 3 + 5 x 3
    assert (other.fit_score, other.fit_known) == (0, 17)


def test_an_outsider_sees_their_own_profile_not_anothers(
    outsider_client: Client, team: Team
) -> None:
    criterion(team, "Anna's secret sector", attribute="sector", accepted="Secret")
    response = outsider_client.get(PAGE)
    assert response.status_code == 200
    assert "Anna&#x27;s secret sector" not in response.text
    assert "Secret" not in response.text


def test_an_outsider_cannot_change_another_teams_criteria(
    outsider: User, outsider_client: Client, team: Team
) -> None:
    reputation = present(FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC).first())
    rows = [row(reputation, name="Hijacked")]
    data = profile_data(outsider.profile.team, psychographic=rows)
    data[f"{PSYCHOGRAPHIC}-INITIAL_FORMS"] = "1"
    outsider_client.post(PAGE, data)
    reputation.refresh_from_db()
    assert reputation.name == "Reputation"
    assert reputation.team == team
    assert "Hijacked" not in names(outsider.profile.team, PSYCHOGRAPHIC)


def test_anonymous_visitors_are_sent_to_log_in(client: Client, db: None) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
