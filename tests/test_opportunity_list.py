"""The opportunity list, and who may open an opportunity's addresses."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.contacts.models import Organisation, Person
from funnel.sales.models import Activity, BuyingInfluence, Level, Opportunity
from tests.opportunity_helpers import CREATE, HTMX, activity_data, influence_data, url

LIST = reverse("opportunity_list")


# The list


@pytest.fixture
def funnel(make_opportunity: Callable[..., Opportunity]) -> None:
    make_opportunity("Open deal one")
    make_opportunity("Open deal two", level=Level.IN)
    make_opportunity("Signed deal", level=Level.WON)
    make_opportunity("Lost deal", level=Level.LOST, reason="Budget cut")


def test_the_list_shows_open_opportunities_by_default(owner_client: Client, funnel: None) -> None:
    response = owner_client.get(LIST)
    assert "Open deal one" in response.text
    assert "Open deal two" in response.text
    assert "Signed deal" not in response.text
    assert "Lost deal" not in response.text


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        ("won", {"Signed deal"}),
        ("lost", {"Lost deal"}),
        ("in", {"Open deal two"}),
        ("all", {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}),
        ("nonsense", {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}),
    ],
)
def test_the_list_filters_by_level(
    owner_client: Client, funnel: None, level: str, shown: set[str]
) -> None:
    response = owner_client.get(LIST, {"level": level})
    titles = {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}
    assert {title for title in titles if title in response.text} == shown


def test_the_list_counts_the_opportunities_at_each_level(
    owner_client: Client, funnel: None, outsider: User
) -> None:
    response = owner_client.get(LIST)
    counts = {key: count for key, _label, count in response.context["filters"]}
    assert counts == {
        "open": 2,
        "above": 1,
        "in": 1,
        "best_few": 0,
        "won": 1,
        "lost": 1,
        "dead": 0,
        "nurture": 0,
        "all": 4,
    }
    assert 'href="?level=won"' in response.text


def test_a_level_with_nothing_says_so(owner_client: Client, funnel: None) -> None:
    response = owner_client.get(LIST, {"level": "nurture"})
    assert "Nothing at this level" in response.text


def test_a_new_user_has_an_empty_funnel(owner_client: Client, db: None) -> None:
    assert "Your funnel is empty" in owner_client.get(LIST).text


def test_the_list_never_shows_other_teams_opportunities(
    outsider_client: Client, opportunity: Opportunity
) -> None:
    response = outsider_client.get(LIST, {"level": "all"})
    assert opportunity.title not in response.text
    assert {key: n for key, _label, n in response.context["filters"]}["all"] == 0


# Access


@pytest.mark.parametrize(
    "name",
    [
        "opportunity_detail",
        "opportunity_edit",
        "opportunity_delete",
        "opportunity_move",
        "influence_add",
        "activity_add",
    ],
)
def test_an_outsider_gets_404_on_every_opportunity_url(
    outsider_client: Client, opportunity: Opportunity, name: str
) -> None:
    target = url(name, opportunity)
    if name in {"opportunity_detail", "opportunity_edit", "opportunity_delete"}:
        assert outsider_client.get(target).status_code == 404
    assert outsider_client.post(target, {"to_level": "won"}).status_code == 404
    assert Opportunity.objects.filter(pk=opportunity.pk, level=Level.ABOVE).exists()


@pytest.mark.parametrize("name", ["influence_edit", "influence_delete"])
def test_an_outsider_gets_404_on_someone_elses_influence(
    outsider_client: Client, opportunity: Opportunity, person: Person, name: str
) -> None:
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    response = outsider_client.post(
        url(name, opportunity, influence.pk), {"status": "satisfied"}, headers=HTMX
    )
    assert response.status_code == 404
    influence.refresh_from_db()
    assert influence.status == "unknown"


def test_an_outsider_cannot_add_influences_or_activities_to_someone_elses_opportunity(
    outsider_client: Client, opportunity: Opportunity, outsider_person: Person
) -> None:
    influence = influence_data(outsider_person)
    assert (
        outsider_client.post(url("influence_add", opportunity), influence, headers=HTMX).status_code
        == 404
    )
    assert (
        outsider_client.post(
            url("activity_add", opportunity), activity_data(), headers=HTMX
        ).status_code
        == 404
    )
    assert not BuyingInfluence.objects.exists()
    assert not Activity.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, opportunity: Opportunity) -> None:
    response = client.get(opportunity.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sorting_by_level_follows_the_funnel_not_the_alphabet(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Closing soon", level=Level.BEST_FEW)
    make_opportunity("Just met", level=Level.ABOVE)
    make_opportunity("Qualified", level=Level.IN)
    response = owner_client.get(LIST, {"sort": "level"})
    titles = [o.title for o in response.context["listing"].page]
    assert titles == ["Just met", "Qualified", "Closing soon"]
    response = owner_client.get(LIST, {"sort": "-level"})
    assert [o.title for o in response.context["listing"].page] == titles[::-1]


def test_an_empty_funnel_explains_what_an_opportunity_is(owner_client: Client) -> None:
    response = owner_client.get(LIST)
    assert "Your funnel is empty" in response.text
    assert "Nothing at this level" not in response.text


def test_an_empty_level_says_so_rather_than_calling_the_funnel_empty(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Just met", level=Level.ABOVE)
    response = owner_client.get(LIST, {"level": "won"})
    assert "Nothing at this level" in response.text
    assert "Your funnel is empty" not in response.text


def test_empty_choices_read_as_a_dash_not_dashes(
    owner_client: Client, opportunity: Opportunity
) -> None:
    for page in [CREATE, opportunity.get_absolute_url()]:
        response = owner_client.get(page)
        assert "---------" not in response.text
        assert ">—</option>" in response.text


def test_a_drifting_best_few_is_flagged_in_the_list_and_on_its_organisation(
    owner_client: Client, make_opportunity: Callable[..., Opportunity], organisation: Organisation
) -> None:
    past = timezone.localdate() - timedelta(days=3)
    make_opportunity("Late signature", level=Level.BEST_FEW, expected_close_on=past)
    make_opportunity("On time", level=Level.BEST_FEW, expected_close_on=timezone.localdate())
    warning = f"Its expected close, {past:%m/%d/%Y}, has passed."
    for page in [LIST + "?level=best_few", organisation.get_absolute_url()]:
        text = owner_client.get(page).text
        assert text.count(warning) == 1, page
        assert text.count("has passed.") == 1, page


@pytest.mark.parametrize("sort", ["close", "-close"])
def test_opportunities_without_an_expected_close_come_last_either_way(
    owner_client: Client, make_opportunity: Callable[..., Opportunity], sort: str
) -> None:
    """A sort key with an empty part: SQLite and PostgreSQL would put the empties at opposite
    ends; they come last in both directions on both."""
    dates = [timezone.localdate() + timedelta(days=d) for d in (30, 10, 20)]
    for number, day in enumerate([*dates, None, None]):
        make_opportunity(f"Deal {number}", expected_close_on=day)
    listing = owner_client.get(reverse("opportunity_list"), {"sort": sort}).context["listing"]
    closes = [o.expected_close_on for o in listing.page]
    assert closes[3:] == [None, None]
    assert closes[:3] == sorted(dates, reverse=sort.startswith("-"))
