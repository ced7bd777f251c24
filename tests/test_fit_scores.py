"""Fit scores in use: rating in place on an organisation, where the score shows, and the
queries it costs."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation
from funnel.fit.actions import rate, refresh_fit
from funnel.fit.models import FitCriterion, Rating
from funnel.fit.templatetags.fit import fit_badge
from funnel.sales.models import Level, Opportunity
from tests import fit_helpers
from tests.fit_helpers import PSYCHOGRAPHIC, criterion
from tests.helpers import present
from tests.test_query_counts import assert_same_queries_when_the_data_grows

# Fixtures shared with the other ideal customer tests (in fit_helpers.py).
team = fit_helpers.team
reputation = fit_helpers.reputation
HTMX = {"HX-Request": "true"}


# Rating in place


def rate_url(organisation: Organisation) -> str:
    return reverse("organisation_rate", args=[organisation.pk])


def test_rating_saves_and_returns_the_fit_card(
    owner_client: Client, organisation: Organisation, reputation: FitCriterion
) -> None:
    response = owner_client.post(
        rate_url(organisation), {"criterion": reputation.pk, "value": "4"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="fit"' in response.text
    assert "Reputation: rated 4 of 5." in response.text
    assert "<strong>75</strong> / 100" in response.text
    assert Rating.objects.get(organisation=organisation, criterion=reputation).value == 4
    organisation.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (75, 20)


def test_a_rating_can_be_changed_and_cleared(
    owner_client: Client, organisation: Organisation, reputation: FitCriterion
) -> None:
    url = rate_url(organisation)
    owner_client.post(url, {"criterion": reputation.pk, "value": "2"}, headers=HTMX)
    owner_client.post(url, {"criterion": reputation.pk, "value": "5"}, headers=HTMX)
    assert Rating.objects.get().value == 5
    response = owner_client.post(url, {"criterion": reputation.pk, "value": ""}, headers=HTMX)
    assert response.status_code == 200
    assert "Reputation: not rated yet." in response.text
    assert not Rating.objects.exists()
    organisation.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (None, 0)


@pytest.mark.parametrize("value", ["0", "6", "3.5", "good"])
def test_a_rating_is_1_to_5_only(
    owner_client: Client, organisation: Organisation, reputation: FitCriterion, value: str
) -> None:
    url = rate_url(organisation)
    response = owner_client.post(url, {"criterion": reputation.pk, "value": value}, headers=HTMX)
    assert response.status_code == 422
    assert "The rating was not saved: choose from 1 to 5." in response.text
    assert not Rating.objects.exists()


def test_a_demographic_or_another_teams_criterion_cannot_be_rated(
    owner_client: Client, organisation: Organisation, outsider: User
) -> None:
    sector_criterion = criterion(organisation.team, "Sector", attribute="sector", accepted="X")
    theirs = present(FitCriterion.objects.filter(team=outsider.profile.team).first())
    for item in [sector_criterion, theirs]:
        response = owner_client.post(
            rate_url(organisation), {"criterion": item.pk, "value": "3"}, headers=HTMX
        )
        assert response.status_code == 422
    assert not Rating.objects.exists()


def test_without_htmx_rating_returns_to_the_organisation(
    owner_client: Client, organisation: Organisation, reputation: FitCriterion
) -> None:
    response = owner_client.post(rate_url(organisation), {"criterion": reputation.pk, "value": 3})
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert Rating.objects.get().value == 3


def test_an_outsider_gets_404_when_rating_someone_elses_organisation(
    outsider_client: Client, organisation: Organisation, reputation: FitCriterion
) -> None:
    response = outsider_client.post(
        rate_url(organisation), {"criterion": reputation.pk, "value": "5"}, headers=HTMX
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rating_needs_a_post(owner_client: Client, organisation: Organisation) -> None:
    assert owner_client.get(rate_url(organisation)).status_code == 405


# Where the score shows


@pytest.fixture
def furniture(team: Team) -> FitCriterion:
    return criterion(team, "Sector", attribute="sector", accepted="Furniture, Retail", weight=5)


def test_the_organisation_page_shows_score_known_share_and_reasons(
    owner_client: Client,
    organisation: Organisation,
    furniture: FitCriterion,
    reputation: FitCriterion,
) -> None:
    rate(organisation=organisation, criterion=reputation, value=3)
    response = owner_client.get(organisation.get_absolute_url())
    assert "<strong>81</strong> / 100" in response.text  # (5 x 1 + 3 x .5) / 8
    assert "Based on 40% of your profile." in response.text  # 8 of 20
    assert "Sector: Furniture is on your list." in response.text
    assert "Reputation: rated 3 of 5." in response.text
    assert "Culture: not rated yet." in response.text
    assert 'aria-pressed="true">3</button>' in response.text
    assert "poor fit" not in response.text


def test_the_organisation_page_marks_a_poor_fit(
    owner_client: Client, organisation: Organisation, team: Team
) -> None:
    criterion(team, "Sector", attribute="sector", accepted="Banking")
    response = owner_client.get(organisation.get_absolute_url())
    assert "<strong>0</strong> / 100" in response.text
    assert "poor fit" in response.text


def test_the_organisation_page_says_when_nothing_is_known(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(organisation.get_absolute_url())
    assert "Not enough is known yet to score the fit." in response.text


def test_creating_or_editing_an_organisation_stores_its_score(
    owner_client: Client, team: Team, furniture: FitCriterion
) -> None:
    data = {"name": "Mobili Rossi", "sector": "Furniture", "country": "", "size": ""}
    owner_client.post(reverse("organisation_create"), data)
    created = Organisation.objects.get(name="Mobili Rossi")
    assert created.fit_score == 100
    url = reverse("organisation_edit", args=[created.pk])
    owner_client.post(url, {**data, "sector": "Banking"})
    created.refresh_from_db()
    assert created.fit_score == 0


def test_the_list_shows_and_sorts_by_fit_with_unknown_last(
    owner_client: Client, team: Team, furniture: FitCriterion
) -> None:
    for name, sector_name in [("Alfa", "Retail"), ("Beta", ""), ("Gamma", "Banking")]:
        Organisation.objects.create(team=team, name=name, sector=sector_name)
    refresh_fit(organisations=Organisation.objects.filter(team=team))
    url = reverse("organisation_list")
    ascending = owner_client.get(url, {"sort": "fit"}).text
    descending = owner_client.get(url, {"sort": "-fit"}).text
    assert sorted(["Alfa", "Beta", "Gamma"], key=ascending.index) == ["Gamma", "Alfa", "Beta"]
    assert sorted(["Alfa", "Beta", "Gamma"], key=descending.index) == ["Alfa", "Gamma", "Beta"]
    assert ascending.count("poor fit") == 1  # Gamma, at 0


def badge(score: int | None, known: int | None = 60, threshold: int | None = 40) -> str:
    return fit_badge(score, known, threshold)


def test_the_badge_shows_score_and_poor_fit_small_enough_for_a_card() -> None:
    poor, good, unknown = badge(12), badge(72), badge(None, known=0)
    assert "Fit 12 · poor fit" in poor
    assert 'title="Fit 72 / 100, based on 60% of your profile"' in good
    assert "poor fit" not in good
    assert "Fit —" in unknown


def test_the_badge_without_a_threshold_or_known_share_marks_nothing_poor() -> None:
    html = badge(12, known=None, threshold=None)
    assert "Fit 12" in html
    assert 'title="Fit 12 / 100"' in html
    assert "poor fit" not in html


# The settings page


def test_settings_show_the_sales_cycle_setting_until_there_are_enough_won_deals(
    owner_client: Client, owner: User
) -> None:
    owner.profile.sales_cycle_days = 75
    owner.profile.save(update_fields=["sales_cycle_days"])
    response = owner_client.get(reverse("settings"))
    assert "Your normal sales cycle: 75 days, your setting." in response.text
    assert "Your setting applies until you have won 5 deals in 24 months" in response.text
    assert reverse("ideal_customer") in response.text


def test_settings_show_the_sales_cycle_measured_from_won_deals(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    today = timezone.localdate()
    for days in [30, 40, 50, 60, 70, 80]:
        make_opportunity(
            f"Won in {days}", level=Level.WON, first_contact_on=today - timedelta(days=days)
        )
    response = owner_client.get(reverse("settings"))
    assert "Your normal sales cycle: 55 days, median of 6 won deals." in response.text


# Queries


def test_the_organisation_page_makes_as_many_queries_for_30_criteria_as_for_3(
    owner_client: Client,
    team: Team,
    organisation: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            trait_row = criterion(team, f"Row {index:02}", kind=PSYCHOGRAPHIC)
            rate(organisation=organisation, criterion=trait_row, value=index % 5 + 1)
            criterion(team, f"City {index}", attribute="city", accepted="Bologna")

    assert_same_queries_when_the_data_grows(
        owner_client, organisation.get_absolute_url(), add_rows, django_assert_num_queries
    )


def test_the_organisation_list_by_fit_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    furniture: FitCriterion,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            Organisation.objects.create(team=team, name=f"Row {index:02}", sector="Retail")
        refresh_fit(organisations=Organisation.objects.filter(team=team))

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("organisation_list"), add_rows, django_assert_num_queries, sort="-fit"
    )
