"""The monthly income target and its tolerance, on the Settings page's Prospecting card: what the
forecast's dry-spell alert measures against. Empty means no target (Funnel then uses the average
won per month); a bad value is told beside its field and nothing is saved."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client

from funnel.accounts.models import Profile

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"
NOT_SAVED = "Nothing was saved yet: please correct the marked fields."


def prospecting_data(**changes: str) -> dict[str, str]:
    """The Prospecting card as the page sends it: a new user's settings."""
    values = {
        "time_above_percent": "34",
        "time_in_percent": "33",
        "time_best_few_percent": "33",
        "quote_valid_days": "30",
        "income_target": "",
        "income_tolerance": "30",
        **changes,
    }
    return {"form": "prospecting", **{f"prospecting-{name}": v for name, v in values.items()}}


def target_of(user: User) -> tuple[Decimal | None, int]:
    profile = Profile.objects.get(user=user)
    return profile.income_target, profile.income_tolerance


def test_a_new_user_has_no_target_and_a_tolerance_of_30(owner_client: Client, owner: User) -> None:
    assert target_of(owner) == (None, 30)
    page = owner_client.get(SETTINGS)
    assert '<input type="number" name="prospecting-income_target" step="0.01" min="0"' in page.text
    assert 'name="prospecting-income_tolerance" value="30" min="0" max="90"' in page.text


def test_saving_a_target_and_tolerance_shows_them_on_reload(
    owner_client: Client, owner: User
) -> None:
    data = prospecting_data(income_target="8000.50", income_tolerance="15")
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 302
    assert response["Location"] == "/settings/#prospecting"
    assert target_of(owner) == (Decimal("8000.50"), 15)
    page = owner_client.get(SETTINGS)
    assert 'name="prospecting-income_target" value="8000.50"' in page.text
    assert 'name="prospecting-income_tolerance" value="15"' in page.text


def test_a_whole_amount_and_the_extremes_of_the_range_are_kept(
    owner_client: Client, owner: User
) -> None:
    owner_client.post(SETTINGS, prospecting_data(income_target="0", income_tolerance="0"))
    assert target_of(owner) == (Decimal("0.00"), 0)
    largest = "999999999999.99"
    owner_client.post(SETTINGS, prospecting_data(income_target=largest, income_tolerance="90"))
    assert target_of(owner) == (Decimal(largest), 90)


def test_emptying_the_target_removes_it(owner_client: Client, owner: User) -> None:
    Profile.objects.filter(user=owner).update(income_target=Decimal(5000), income_tolerance=25)
    response = owner_client.post(SETTINGS, prospecting_data(income_tolerance="25"))
    assert response.status_code == 302
    assert target_of(owner) == (None, 25)
    page = owner_client.get(SETTINGS)
    assert '<input type="number" name="prospecting-income_target" step="0.01" min="0"' in page.text


def test_the_target_is_labelled_with_the_users_currency(owner_client: Client, owner: User) -> None:
    page = owner_client.get(SETTINGS)
    assert '<label for="id_prospecting-income_target">Monthly income target (EUR)</label>' in (
        page.text
    )
    assert 'id="id_prospecting-income_target"' in page.text
    preferences = {"language": "", "time_zone": "UTC", "currency": "SEK", "sales_cycle_days": "90"}
    assert owner_client.post(SETTINGS, preferences).status_code == 302
    assert "Monthly income target (SEK)" in owner_client.get(SETTINGS).text


def test_the_target_sits_in_the_prospecting_card_at_its_own_anchor(owner_client: Client) -> None:
    text = owner_client.get(SETTINGS).text
    card = text[text.index('<div class="card" id="prospecting">') :]
    form = card[: card.index("</form>")]
    assert 'id="income-target"' in form
    assert "Your income target" in form
    assert 'name="prospecting-income_target"' in form
    assert 'name="prospecting-income_tolerance"' in form
    assert "falls below your target by more than the tolerance" in form


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("income_target", "-1", "A target cannot be below 0."),
        ("income_target", "-0.01", "A target cannot be below 0."),
        ("income_target", "99999999999999999999999", "Too many digits: at most 12 before"),
        ("income_target", "1000000000000", "Too many digits: at most 12 before"),
        ("income_target", "12.345", "and 2 after."),
        ("income_target", "1e309", "Too many digits"),
        ("income_target", "eight thousand", "Enter an amount, such as 8000."),
        ("income_target", "²", "Enter an amount, such as 8000."),
        ("income_target", "NaN", "Enter an amount, such as 8000."),
        ("income_target", "Infinity", "Enter an amount, such as 8000."),
        ("income_target", "8000\x00", "Enter an amount, such as 8000."),
        ("income_tolerance", "91", "Choose a tolerance from 0 to 90 %."),
        ("income_tolerance", "-1", "Choose a tolerance from 0 to 90 %."),
        ("income_tolerance", "99999999999999999999999", "Choose a tolerance from 0 to 90 %."),
        ("income_tolerance", "12.5", "Enter a whole number."),
        ("income_tolerance", "²", "Enter a whole number."),
        ("income_tolerance", "\x00", "Enter a whole number."),
        ("income_tolerance", "", "This field is required."),
    ],
)
def test_a_bad_value_is_told_beside_its_field_and_nothing_is_saved(
    owner_client: Client, owner: User, field: str, value: str, message: str
) -> None:
    Profile.objects.filter(user=owner).update(income_target=Decimal(5000), income_tolerance=25)
    changes = {"income_target": "6000", "income_tolerance": "30", field: value}
    data = prospecting_data(
        time_above_percent="60", time_in_percent="10", time_best_few_percent="30", **changes
    )
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 422
    assert list(response.context["prospecting_form"].errors) == [field]
    assert message in response.text
    assert NOT_SAVED in response.text
    assert target_of(owner) == (Decimal(5000), 25)
    assert Profile.objects.get(user=owner).time_above_percent == 34  # the card's other fields too
    assert not response.context["form"].is_bound  # the other cards show what is saved


def test_saving_changes_only_your_own_target(
    owner_client: Client, owner: User, outsider: User
) -> None:
    owner_client.post(SETTINGS, prospecting_data(income_target="7000", income_tolerance="10"))
    assert target_of(owner) == (Decimal(7000), 10)
    assert target_of(outsider) == (None, 30)


@pytest.mark.parametrize(
    ("column", "value"),
    [("income_target", Decimal("-0.01")), ("income_tolerance", 91)],
)
def test_the_database_itself_refuses_a_negative_target_or_a_tolerance_above_90(
    owner: User, column: str, value: object
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(user=owner).update(**{column: value})
    assert target_of(owner) == (None, 30)
