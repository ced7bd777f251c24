"""The funnel board: three columns in Today's order, show more, and moves with their gates."""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.contacts.models import Organisation, Person
from funnel.lib.money import format_money
from funnel.sales.models import BuyingInfluence, Level, LevelChange, Opportunity
from funnel.today.board import CARDS_PER_PAGE, Column
from tests.helpers import Response

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
BOARD = reverse("funnel_board")
HTMX = {"HX-Request": "true"}
CARD_TITLE = re.compile(r'<a class="title" href="/opportunities/\d+/">([^<]*)</a>')


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here happens at NOW (time-machine is not installed)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def more_url(level: str, offset: int) -> str:
    return f"{reverse('board_column', args=[level])}?offset={offset}"


def move_url(opportunity: Opportunity) -> str:
    return reverse("opportunity_move", args=[opportunity.pk])


def titles(html: str) -> list[str]:
    return CARD_TITLE.findall(html)


def column(response: Response, level: str) -> Column:
    found: Column = next(c for c in response.context["columns"] if c.level == level)
    return found


# Columns


def test_the_board_has_three_columns_with_counts_and_totals_per_currency(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Website", value=Decimal(1000))
    make_opportunity("Shop", value=Decimal(2500))
    make_opportunity("App", value=Decimal(700), currency="USD")
    make_opportunity("Audit", value=Decimal(4000), level=Level.IN)
    make_opportunity("Old deal", value=Decimal(99999), level=Level.WON)
    response = owner_client.get(BOARD)
    assert response.status_code == 200
    summary = [(c.level, c.count, c.totals) for c in response.context["columns"]]
    assert summary == [
        (Level.ABOVE, 3, [("EUR", Decimal(3500)), ("USD", Decimal(700))]),
        (Level.IN, 1, [("EUR", Decimal(4000))]),
        (Level.BEST_FEW, 0, []),
    ]
    eur, usd = format_money(3500, "EUR"), format_money(700, "USD")
    assert f"3 objectives · {eur} · {usd}" in response.text
    assert f"1 objective · {format_money(4000, 'EUR')}" in response.text
    assert format_money(99999, "EUR") not in response.text


def test_an_empty_column_says_how_objectives_get_there(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Website")
    page = owner_client.get(BOARD).text
    assert "Nothing in Best few: an objective gets here when every buying influence" in page
    assert "No prospects above the funnel" not in page


def test_cards_are_in_todays_order_overdue_then_due_today_then_value_times_fit(
    owner: User, owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    team = owner.profile.team
    great = Organisation.objects.create(team=team, name="Great fit", fit_score=90)
    make_opportunity("Later, small", value=Decimal(100), next_step_at=NOW + dt.timedelta(days=3))
    make_opportunity("No step, large", value=Decimal(5000))
    make_opportunity("Great fit", value=Decimal(4000), organisation=great)  # 360k > 250k
    make_opportunity("Due this afternoon", value=Decimal(1), next_step_at=NOW.replace(hour=15))
    make_opportunity("Overdue", value=Decimal(1), next_step_at=NOW - dt.timedelta(days=2))
    response = owner_client.get(BOARD)
    expected = ["Overdue", "Due this afternoon", "Great fit", "No step, large", "Later, small"]
    assert [c.title for c in column(response, Level.ABOVE).cards] == expected
    assert titles(response.text) == expected


def test_a_card_without_a_next_step_says_so_and_an_overdue_one_is_marked(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Forgotten", next_step_at=NOW - dt.timedelta(days=1))
    make_opportunity("Unplanned")
    page = owner_client.get(BOARD).text
    assert page.count('<span class="warning">No follow-up planned</span>') == 1
    assert page.count('<span class="overdue">Next: 11/29/2026</span>') == 1


def test_a_drifting_best_few_card_shows_the_warning(
    owner: User, owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity(
        "Showroom lighting", level=Level.BEST_FEW, expected_close_on=dt.date(2026, 11, 20)
    )
    make_opportunity("On time", level=Level.BEST_FEW, expected_close_on=dt.date(2026, 12, 10))
    response = owner_client.get(BOARD)
    cards = {c.title: c.warnings for c in column(response, Level.BEST_FEW).cards}
    assert cards == {
        "Showroom lighting": ["Its expected close, 11/20/2026, has passed."],
        "On time": [],
    }
    assert response.text.count("has passed.") == 1
    assert response.text.count('class="board-card warned"') == 1


def test_closed_and_parked_levels_are_chips_that_open_the_list(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Signed", level=Level.WON)
    make_opportunity("Gone", level=Level.LOST, reason="Too expensive")
    make_opportunity("Open one")
    page = owner_client.get(BOARD).text
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', page)
    assert chips == [
        ("/opportunities/?level=won", "Won"),
        ("/opportunities/?level=lost", "Lost"),
        ("/opportunities/?level=dead", "Dead"),
        ("/nurture/", "Nurture"),
    ]
    listing = owner_client.get("/opportunities/?level=won").text
    assert "Signed" in listing
    assert "Gone" not in listing
    assert "Open one" not in listing


# Show more


def test_show_more_loads_the_next_page_of_cards_without_repeating_any(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    page = CARDS_PER_PAGE
    total = 2 * page + 5
    for i in range(total):  # values tie in threes: the tie is broken by creation order
        make_opportunity(f"Prospect {i:02}", value=Decimal(1000 + i // 3))
    order = sorted(range(total), key=lambda i: (-(i // 3), i))
    expected = [f"Prospect {i:02}" for i in order]

    first = owner_client.get(BOARD)
    assert titles(first.text) == expected[:page]
    assert f'hx-get="{more_url("above", page)}"' in first.text

    second = owner_client.get(more_url("above", page))
    assert second.status_code == 200
    assert "<html" not in second.text
    assert titles(second.text) == expected[page : 2 * page]
    assert f'hx-get="{more_url("above", 2 * page)}"' in second.text

    last = owner_client.get(more_url("above", 2 * page))
    assert titles(last.text) == expected[2 * page :]
    assert "Show more" not in last.text


def test_a_column_of_exactly_one_page_has_no_show_more(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    for i in range(CARDS_PER_PAGE):
        make_opportunity(f"Prospect {i:02}")
    page = owner_client.get(BOARD).text
    assert len(titles(page)) == CARDS_PER_PAGE
    assert "Show more" not in page


@pytest.mark.parametrize("level", ["won", "nurture", "everything"])
def test_show_more_for_a_level_that_is_not_a_column_is_not_found(
    owner_client: Client, level: str
) -> None:
    assert owner_client.get(more_url(level, 20)).status_code == 404


def test_show_more_with_a_broken_offset_is_not_found(owner_client: Client) -> None:
    response = owner_client.get(f"{reverse('board_column', args=['above'])}?offset=-5")
    assert response.status_code == 404


# Moving cards


def test_a_move_with_unmet_prerequisites_opens_a_dialog_listing_them(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Audit", level=Level.IN)
    response = owner_client.post(move_url(deal), {"to_level": "best_few"}, headers=HTMX)
    assert response.status_code == 422
    page = response.text
    assert "<dialog" in page
    assert "<html" not in page
    assert "Move “Audit” to Best few" in page
    assert "Identify the economic buyer, who gives the final approval." in page
    assert "Set an expected close date." in page
    assert 'name="override_reason"' in page
    assert "Move anyway" in page
    deal.refresh_from_db()
    assert deal.level == Level.IN
    assert deal.level_changes.count() == 1


def test_moving_anyway_with_a_reason_moves_and_keeps_the_reason_in_the_history(
    owner: User, owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Audit", level=Level.IN)
    data = {"to_level": "best_few", "override_reason": "The CEO signs alone"}
    response = owner_client.post(move_url(deal), data, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Refresh"] == "true"
    deal.refresh_from_db()
    assert deal.level == Level.BEST_FEW
    change = deal.level_changes.latest("pk")
    assert (change.from_level, change.to_level, change.by) == ("in", "best_few", owner)
    assert change.override_reason == "The CEO signs alone"
    assert "The CEO signs alone" in owner_client.get(deal.get_absolute_url()).text


def test_a_move_with_everything_in_place_needs_no_override(
    owner_client: Client, make_opportunity: Callable[..., Opportunity], person: Person
) -> None:
    deal = make_opportunity("Audit")
    BuyingInfluence.objects.create(
        opportunity=deal, person=person, role="economic", status="contacted", fit_confirmed=True
    )
    response = owner_client.post(move_url(deal), {"to_level": "in"}, headers=HTMX)
    assert response.headers["HX-Refresh"] == "true"
    assert deal.level_changes.latest("pk").override_reason == ""


def test_without_htmx_a_blocked_move_shows_the_page_with_what_is_missing(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Audit")
    response = owner_client.post(move_url(deal), {"to_level": "in"})
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Identify a buying influence, contact them and confirm the fit with them." in (
        response.text
    )
    assert 'name="override_reason"' in response.text
    deal.refresh_from_db()
    assert deal.level == Level.ABOVE


@pytest.mark.parametrize(
    ("start", "back_to"), [(Level.IN, Level.ABOVE), (Level.BEST_FEW, Level.IN)]
)
def test_moving_back_up_the_funnel_is_never_blocked(
    owner_client: Client, make_opportunity: Callable[..., Opportunity], start: Level, back_to: Level
) -> None:
    deal = make_opportunity("Audit", level=start)
    response = owner_client.post(move_url(deal), {"to_level": back_to}, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Refresh"] == "true"
    deal.refresh_from_db()
    assert deal.level == back_to
    assert LevelChange.objects.filter(opportunity=deal, override_reason="").count() == 2


def test_closing_as_lost_from_the_board_asks_for_the_reason_in_the_dialog(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Audit")
    response = owner_client.post(move_url(deal), {"to_level": "lost"}, headers=HTMX)
    assert response.status_code == 422
    assert "Say why it is closed" in response.text
    assert 'name="reason"' in response.text
    done = owner_client.post(
        move_url(deal), {"to_level": "lost", "reason": "No budget"}, headers=HTMX
    )
    assert done.headers["HX-Refresh"] == "true"
    deal.refresh_from_db()
    assert (deal.level, deal.reason) == (Level.LOST, "No budget")


def test_each_card_offers_the_moves_of_its_column(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Prospect")
    make_opportunity("Closing", level=Level.BEST_FEW)
    page = owner_client.get(BOARD).text
    assert page.count('name="to_level" value="in"') == 2  # Prospect down, Closing back up
    assert page.count('name="to_level" value="won"') == 1  # Closing
    assert page.count('name="to_level" value="above"') == 0  # nothing above Above
    assert page.count('name="to_level" value="best_few"') == 0
    assert "Move Closing back up the funnel" in page
    assert "Move Prospect back up the funnel" not in page


# Who sees what


def test_an_outsider_sees_none_of_the_owners_cards(
    client: Client, outsider: User, opportunity: Opportunity
) -> None:
    client.force_login(outsider)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert opportunity.title not in response.text
    assert [c.count for c in response.context["columns"]] == [0, 0, 0]
    assert opportunity.title not in client.get(more_url("above", 0)).text


def test_an_outsider_cannot_move_the_owners_opportunity(
    client: Client, outsider: User, opportunity: Opportunity
) -> None:
    client.force_login(outsider)
    data = {"to_level": "in", "override_reason": "Because I can"}
    assert client.post(move_url(opportunity), data, headers=HTMX).status_code == 404
    assert client.post(move_url(opportunity), data).status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE
    assert opportunity.level_changes.count() == 1


def test_the_board_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    for url in [BOARD, more_url("above", 20)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_a_card_shows_the_fit_and_marks_a_poor_one(
    owner: User, owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    team = owner.profile.team
    great = Organisation.objects.create(team=team, name="Great", fit_score=90, fit_known=80)
    poor = Organisation.objects.create(team=team, name="Poor", fit_score=10, fit_known=80)
    make_opportunity("Great deal", organisation=great)
    make_opportunity("Poor deal", organisation=poor)
    page = owner_client.get(BOARD).text
    assert "Fit 90<" in page
    assert "Fit 10 · poor fit<" in page
    assert page.count("poor fit<") == 1
