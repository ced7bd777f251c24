"""Where quotes stand across opportunities: the quote list and Today's card."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from funnel.contacts.models import Organisation
from funnel.quotes.facts import quotes_for_today
from funnel.quotes.models import Quote
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Opportunity
from tests import quote_helpers
from tests.quote_helpers import TODAY, Status, a_quote, card
from tests.test_query_counts import assert_same_queries_when_the_data_grows

# Fixtures shared with the other quote tests (in quote_helpers.py).
frozen = quote_helpers.frozen


# The quote list


@pytest.fixture
def some_quotes(
    opportunity: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> dict[str, Quote]:
    return {
        "expired": a_quote(opportunity, "Q-2026-001", days_left=-4),
        "soon": a_quote(opportunity, "Q-2026-002", days_left=2),
        "later": a_quote(opportunity, "Q-2026-003", days_left=25),
        "draft": a_quote(opportunity, "Q-2026-004", status=Status.DRAFT),
        "accepted": a_quote(opportunity, "Q-2026-005", status=Status.ACCEPTED),
        "other": a_quote(make_opportunity("Catalogue"), "OFFER-77", days_left=40),
    }


def numbers_on(client: Client, **params: str) -> list[str]:
    response = client.get(reverse("quote_list"), params)
    assert response.status_code == 200
    listing = response.context["listing"]
    return [quote.number for quote in listing.page.object_list]


@pytest.mark.parametrize(
    ("status", "numbers"),
    [
        ("open", ["Q-2026-001", "Q-2026-002", "Q-2026-003", "OFFER-77"]),
        ("expired", ["Q-2026-001"]),
        ("expiring", ["Q-2026-002"]),
        ("draft", ["Q-2026-004"]),
        ("accepted", ["Q-2026-005"]),
        ("superseded", []),
    ],
)
def test_the_quote_list_filters_by_where_quotes_stand_soonest_to_expire_first(
    owner_client: Client, some_quotes: dict[str, Quote], status: str, numbers: list[str]
) -> None:
    assert numbers_on(owner_client, status=status) == numbers


def test_the_quote_list_shows_open_quotes_first_and_all_on_request(
    owner_client: Client, some_quotes: dict[str, Quote]
) -> None:
    assert numbers_on(owner_client) == numbers_on(owner_client, status="open")
    assert len(numbers_on(owner_client, status="all")) == 6
    assert numbers_on(owner_client, status="nonsense") == numbers_on(owner_client, status="all")
    assert numbers_on(owner_client, status="all") == [  # soonest to expire first, drafts last
        "Q-2026-001",
        "Q-2026-002",
        "Q-2026-005",
        "Q-2026-003",
        "OFFER-77",
        "Q-2026-004",
    ]


def test_the_quote_list_counts_each_filter(
    owner_client: Client, some_quotes: dict[str, Quote]
) -> None:
    filters = owner_client.get(reverse("quote_list")).context["filters"]
    counts = {key: count for key, _label, count in filters}
    assert counts == {
        "open": 4,
        "expiring": 1,
        "expired": 1,
        "draft": 1,
        "accepted": 1,
        "declined": 0,
        "superseded": 0,
        "all": 6,
    }


def test_the_quote_list_searches_by_number_or_customer(
    owner_client: Client, some_quotes: dict[str, Quote]
) -> None:
    assert numbers_on(owner_client, status="all", q="offer") == ["OFFER-77"]
    assert len(numbers_on(owner_client, status="all", q="Ferretti")) == 6
    assert numbers_on(owner_client, status="all", q="catalogue") == ["OFFER-77"]


def test_the_quote_list_shows_badges_and_actions(
    owner_client: Client, some_quotes: dict[str, Quote]
) -> None:
    text = owner_client.get(reverse("quote_list"), {"status": "all"}).text
    assert "Expires in 2 days" in text and ">Expired</span>" in text
    assert 'name="next" value="/quotes/?status=all"' in text


def test_an_outsider_sees_none_of_the_owners_quotes(
    outsider_client: Client, some_quotes: dict[str, Quote]
) -> None:
    assert numbers_on(outsider_client, status="all") == []


def test_the_quote_list_makes_as_many_queries_for_30_quotes_as_for_3(
    owner_client: Client,
    opportunity: Opportunity,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_quote(opportunity, f"Row {index:02}", days_left=index - 5)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("quote_list"),
        add_rows,
        django_assert_num_queries,
        status="all",
        sort="-number",
    )


def test_the_card_makes_as_many_queries_for_30_quotes_as_for_3(opportunity: Opportunity) -> None:
    def queries() -> int:
        fresh = Opportunity.objects.select_related("owner__profile", "team").get(pk=opportunity.pk)
        with CaptureQueriesContext(connection) as captured:
            card(fresh)
        return len(captured)

    for index in range(3):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index - 1)
    few = queries()
    for index in range(3, 30):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index - 1)
    assert queries() == few


# Today


@pytest.fixture
def outsider_opportunity(outsider: User, outsider_organisation: Organisation) -> Opportunity:
    opportunity = Opportunity(
        team=outsider.profile.team,
        owner=outsider,
        title="Mallory's deal",
        organisation=outsider_organisation,
        currency="EUR",
    )
    return create_opportunity(opportunity=opportunity, by=outsider)


def test_today_shows_the_users_sent_quotes_expiring_within_a_week_or_expired_soonest_first(
    owner: User, opportunity: Opportunity, outsider_opportunity: Opportunity
) -> None:
    a_quote(opportunity, "Q-2026-001", days_left=6)
    a_quote(opportunity, "Q-2026-002", days_left=-30)
    a_quote(opportunity, "Q-2026-003", days_left=0)
    a_quote(opportunity, "Q-2026-004", days_left=8)  # not yet
    a_quote(opportunity, "Q-2026-005", status=Status.ACCEPTED, days_left=-1)
    a_quote(opportunity, "Q-2026-006", status=Status.DECLINED, days_left=-1)
    a_quote(opportunity, "Q-2026-007", status=Status.SUPERSEDED, days_left=-1)
    a_quote(opportunity, "Q-2026-008", status=Status.DRAFT)
    a_quote(outsider_opportunity, "Q-2026-009", days_left=1)
    today = quotes_for_today(owner, TODAY)
    assert [line.quote.number for line in today.lines] == ["Q-2026-002", "Q-2026-003", "Q-2026-001"]
    assert (today.total, today.more) == (3, 0)
    assert [line.standing.status for line in today.lines] == ["expired", "sent", "sent"]


def test_today_shows_a_bounded_few_and_counts_the_rest(
    owner: User, opportunity: Opportunity
) -> None:
    for index in range(14):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index % 8 - 4)
    today = quotes_for_today(owner, TODAY)
    assert (len(today.lines), today.total, today.more) == (10, 14, 4)


def test_todays_quotes_take_as_many_queries_for_30_as_for_3(
    owner: User, opportunity: Opportunity
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            quotes_for_today(owner, TODAY)
        return len(captured)

    for index in range(3):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=-index)
    queries()  # the first look reads the user's teams, and keeps them
    few = queries()
    for index in range(3, 30):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=-index)
    assert queries() == few


def test_todays_card_offers_to_follow_up_or_reissue(owner: User, opportunity: Opportunity) -> None:
    expiring = a_quote(opportunity, "Q-2026-001", days_left=5)
    expired = a_quote(opportunity, "Q-2026-002", days_left=-2)
    request = RequestFactory().get("/")
    request.user = owner
    context = {"today_quotes": quotes_for_today(owner, TODAY)}
    text = render_to_string("quotes/today_card.html", context, request=request)
    assert "Quotes expiring" in text and "2 quotes" in text
    assert "Expires in 5 days" in text and "Expired on" in text
    assert reverse("quote_reissue", args=[expired.pk]) + "?next=/" in text
    assert reverse("quote_reissue", args=[expiring.pk]) + "?next=/" in text
    assert reverse("opportunity_next_step", args=[opportunity.pk]) in text
    assert "Follow up" in text


def test_todays_card_is_empty_without_quotes_to_chase(owner: User) -> None:
    request = RequestFactory().get("/")
    text = render_to_string(
        "quotes/today_card.html", {"today_quotes": quotes_for_today(owner, TODAY)}, request=request
    )
    assert text.strip() == ""
