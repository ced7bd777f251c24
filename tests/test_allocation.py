"""Time allocation: minutes per funnel level at the time, against the user's targets."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.accounts.models import Profile
from funnel.contacts.models import Person
from funnel.prospecting.allocation import (
    Logged,
    Move,
    Period,
    Span,
    level_at,
    load_split,
    split_minutes,
)
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 18, 10, 0, tzinfo=UTC)  # a Wednesday
CREATED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MOVED_IN = dt.datetime(2026, 3, 17, 9, 0, tzinfo=UTC)
REPORTS = reverse("reports")
BOARD = reverse("funnel_board")
SETTINGS = reverse("settings")


def at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


HISTORY = [
    Move(CREATED, "", Level.ABOVE),
    Move(MOVED_IN, Level.ABOVE, Level.IN),
]


# The level at a moment


def test_before_its_first_move_an_opportunity_had_the_level_it_was_created_at() -> None:
    assert level_at(HISTORY, at(1), current=Level.IN) == Level.ABOVE


def test_an_opportunity_has_the_level_of_its_last_move_until_then() -> None:
    assert level_at(HISTORY, at(10), current=Level.IN) == Level.ABOVE
    assert level_at(HISTORY, MOVED_IN, current=Level.IN) == Level.IN
    assert level_at(HISTORY, at(20), current=Level.IN) == Level.IN


def test_without_any_history_an_opportunity_is_at_its_level_today() -> None:
    assert level_at([], at(10), current=Level.BEST_FEW) == Level.BEST_FEW


# Splitting minutes


def test_an_activity_before_and_after_a_move_count_at_the_level_of_their_day() -> None:
    activities = [Logged(at(16), 30, 1, Level.IN), Logged(at(17), 90, 1, Level.IN)]
    split = split_minutes(activities, {1: HISTORY})
    assert split.minutes == {Level.ABOVE: 30, Level.IN: 90, Level.BEST_FEW: 0}
    assert [split.share(level) for level in split.minutes] == [25, 75, 0]


def test_an_opportunity_that_went_back_up_counts_above_again() -> None:
    history = [*HISTORY, Move(at(18, 9), Level.IN, Level.ABOVE)]
    activities = [Logged(at(17), 20, 1), Logged(at(18), 40, 1)]
    split = split_minutes(activities, {1: history})
    assert split.minutes == {Level.ABOVE: 40, Level.IN: 20, Level.BEST_FEW: 0}


def test_time_without_an_opportunity_or_on_a_closed_one_is_kept_apart() -> None:
    history = [Move(CREATED, "", Level.BEST_FEW), Move(at(10), Level.BEST_FEW, Level.WON)]
    activities = [
        Logged(at(5), 15, None),  # a call to a person, no opportunity
        Logged(at(12), 25, 2, Level.WON),  # a thank-you call after the sale
        Logged(at(6), 10, 2, Level.WON),  # while it was in the Best few
    ]
    split = split_minutes(activities, {2: history})
    assert split.minutes == {Level.ABOVE: 0, Level.IN: 0, Level.BEST_FEW: 10}
    assert split.other == 40


def test_activities_without_minutes_count_for_nothing() -> None:
    split = split_minutes([Logged(at(5), 0, 1, Level.IN)], {})
    assert split.total == 0
    assert split.other == 0
    assert split.share(Level.ABOVE) is None


def test_extra_minutes_such_as_prospecting_blocks_count_at_their_level() -> None:
    split = split_minutes([Logged(at(5), 60, 1, Level.IN)], {}, extra=[(180, Level.ABOVE)])
    assert split.minutes[Level.ABOVE] == 180
    assert split.share(Level.ABOVE) == 75


# Weeks and months


def test_a_week_runs_from_monday_and_a_month_from_its_first_day() -> None:
    week = Span.containing(Period.WEEK, dt.date(2026, 3, 18))
    assert (week.first, week.last) == (dt.date(2026, 3, 16), dt.date(2026, 3, 22))
    month = Span.containing(Period.MONTH, dt.date(2026, 12, 31))
    assert (month.first, month.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert month.next().first == dt.date(2027, 1, 1)
    assert Span.containing(Period.MONTH, dt.date(2026, 3, 1)).previous().last == dt.date(
        2026, 2, 28
    )
    assert week.previous().first == dt.date(2026, 3, 9)


# From the database


@pytest.fixture
def moved(owner: User, person: Person, make_opportunity: Callable[..., Opportunity]) -> Opportunity:
    """Created above the funnel on 2 March, moved into it on 17 March, with logged time."""
    with time_machine.travel(CREATED, tick=False):
        opportunity = make_opportunity("Operations review")
    move_opportunity(
        opportunity=opportunity, to_level=Level.IN, by=owner, override_reason="x", at=MOVED_IN
    )
    log(owner, opportunity, at(10), 60)  # this month, not this week: Above
    log(owner, opportunity, at(16), 30)  # this week, before the move: Above
    log(owner, opportunity, at(17), 90)  # after the move: In
    log(owner, None, at(17), 15, person=person)  # no opportunity
    log(owner, opportunity, at(17), 0)  # no minutes
    log(owner, opportunity, at(27, month=2), 45)  # last month
    return opportunity


def log(
    owner: User,
    opportunity: Opportunity | None,
    occurred: dt.datetime,
    minutes: int,
    person: Person | None = None,
) -> Activity:
    return Activity.objects.create(
        team=owner.profile.team,
        by=owner,
        opportunity=opportunity,
        person=person,
        occurred=occurred,
        minutes=minutes,
    )


def test_the_loader_reads_the_minutes_of_a_period_at_the_level_of_their_day(
    owner: User, moved: Opportunity
) -> None:
    week = Span.containing(Period.WEEK, NOW.date()).bounds(UTC)
    split = load_split(owner, *week)
    assert split.minutes == {Level.ABOVE: 30, Level.IN: 90, Level.BEST_FEW: 0}
    assert split.other == 15
    month = Span.containing(Period.MONTH, NOW.date()).bounds(UTC)
    assert load_split(owner, *month).minutes[Level.ABOVE] == 90


def test_the_loader_takes_extra_minutes_above_the_funnel(owner: User, moved: Opportunity) -> None:
    week = Span.containing(Period.WEEK, NOW.date()).bounds(UTC)
    split = load_split(owner, *week, extra=[(120, Level.ABOVE)])
    assert split.minutes[Level.ABOVE] == 150


def test_the_loader_counts_only_the_users_own_time(outsider: User, moved: Opportunity) -> None:
    month = Span.containing(Period.MONTH, NOW.date()).bounds(UTC)
    split = load_split(outsider, *month)
    assert split.total == 0
    assert split.other == 0


# The report


def table_rows(html: str) -> list[tuple[str, ...]]:
    """(level, time, actual, target) per row, without the words kept for screen readers."""
    table = html[html.index("allocation-table") :]
    table = re.sub(
        r'<span class="visually-hidden">[^<]*</span>', "", table[: table.index("</table>")]
    )
    rows = re.findall(r'<tr data-level="(\w+)">(.*?)</tr>', table, re.S)
    return [(level, *re.findall(r"<td[^>]*>([^<]*)</td>", cells)) for level, cells in rows]


def test_the_weekly_report_shows_actual_against_target_with_a_chart(
    owner_client: Client, moved: Opportunity
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(REPORTS)
    assert response.status_code == 200
    assert table_rows(response.text) == [
        ("above", "30 min", "25 %", "34 %"),
        ("in", "1 h 30 min", "75 %", "33 %"),
        ("best_few", "0 min", "0 %", "33 %"),
    ]
    chart = response.text[response.text.index('<figure class="allocation-chart"') :]
    chart = chart[: chart.index("</figure>")]
    assert "<svg" in chart
    assert "<script" not in chart
    assert "http://" not in chart.replace('xmlns="http://www.w3.org', "").split("-->")[-1]
    assert "15 min not at a funnel level" in response.text
    assert "(below the target)" in response.text
    assert "?period=week&amp;on=2026-03-09" in response.text  # previous week
    assert 'rel="next"' not in response.text  # no next week yet


def test_the_monthly_report_counts_the_whole_month(
    owner_client: Client, moved: Opportunity
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(REPORTS, {"period": "month"})
    assert [row[1:3] for row in table_rows(response.text)] == [
        ("1 h 30 min", "50 %"),
        ("1 h 30 min", "50 %"),
        ("0 min", "0 %"),
    ]
    assert "?period=month&amp;on=2026-02-01" in response.text


def test_an_earlier_month_can_be_looked_at_and_has_a_next(
    owner_client: Client, moved: Opportunity
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(REPORTS, {"period": "month", "on": "2026-02-01"})
    assert table_rows(response.text)[0][:3] == ("above", "45 min", "100 %")
    assert "?period=month&amp;on=2026-03-01" in response.text


def test_a_period_without_minutes_says_how_to_get_some(owner_client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(REPORTS, {"period": "bogus", "on": "not-a-date"})
    assert response.status_code == 200
    assert response.context["span"].period == Period.WEEK
    assert "No minutes logged in this period." in response.text
    assert "<svg" not in response.text


def test_an_outsider_sees_none_of_the_owners_time(
    outsider_client: Client, moved: Opportunity
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = outsider_client.get(REPORTS, {"period": "month"})
    assert response.status_code == 200
    assert "No minutes logged in this period." in response.text
    assert "1 h 30 min" not in response.text


# The board


def test_the_board_shows_this_months_share_against_the_target(
    owner_client: Client, owner: User, moved: Opportunity
) -> None:
    Profile.objects.filter(user=owner).update(
        time_above_percent=60, time_in_percent=10, time_best_few_percent=30
    )
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(BOARD)
    shares = [column.time_share for column in response.context["columns"]]
    assert shares == ["50 % of 60 %", "50 % of 10 %", "0 % of 30 %"]
    assert "not set" not in response.text
    assert f"{REPORTS}?period=month#time-allocation" in response.text


def test_the_board_without_time_this_month_shows_the_targets(owner_client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        response = owner_client.get(BOARD)
    shares = [column.time_share for column in response.context["columns"]]
    assert shares == ["— of 34 %", "— of 33 %", "— of 33 %"]


# Settings


def prospecting(**values: object) -> dict[str, object]:
    shares = {
        "prospecting-time_above_percent": 60,
        "prospecting-time_in_percent": 10,
        "prospecting-time_best_few_percent": 30,
        "prospecting-quote_valid_days": 21,
        "prospecting-income_target": "",  # the card's other fields, as the page sends them
        "prospecting-income_tolerance": 20,
    }
    return {"form": "prospecting", **shares, **values}


def test_the_prospecting_settings_save_the_shares_and_the_quotes_validity(
    owner_client: Client, owner: User
) -> None:
    response = owner_client.post(SETTINGS, prospecting())
    assert response.status_code == 302
    assert response["Location"] == f"{SETTINGS}#prospecting"
    profile = Profile.objects.get(user=owner)
    shares = (profile.time_above_percent, profile.time_in_percent, profile.time_best_few_percent)
    assert shares == (60, 10, 30)
    assert profile.quote_valid_days == 21


def test_shares_that_dont_add_up_to_100_are_refused_with_their_total(
    owner_client: Client, owner: User
) -> None:
    response = owner_client.post(SETTINGS, prospecting(**{"prospecting-time_in_percent": 20}))
    assert response.status_code == 422
    assert "The three shares add up to 110 %; they must add up to 100 %." in response.text
    assert "must add up to 100 %." in response.text
    assert response.text.count("add up to 100 %") == 1 + 1  # the error, and the introduction
    # Nothing lost: what was typed is still there; nothing saved.
    assert 'name="prospecting-time_in_percent" value="20"' in response.text
    assert 'name="prospecting-quote_valid_days" value="21"' in response.text
    assert Profile.objects.get(user=owner).time_above_percent == 34


def test_the_settings_page_shows_the_prospecting_card(owner_client: Client) -> None:
    response = owner_client.get(SETTINGS)
    assert 'id="prospecting"' in response.text
    assert "Above the funnel (%)" in response.text
    assert "Quotes are valid for (days)" in response.text
    assert "Coming here" not in response.text


# Query counts


def count_queries(client: Client, url: str, params: dict[str, str]) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [(REPORTS, {"period": "week"}), (REPORTS, {"period": "month"}), (BOARD, {})],
)
def test_pages_make_as_many_queries_for_30_activities_as_for_3(
    owner_client: Client,
    owner: User,
    make_opportunity: Callable[..., Opportunity],
    url: str,
    params: dict[str, str],
) -> None:
    def add(indexes: range) -> None:
        for index in indexes:
            with time_machine.travel(CREATED, tick=False):
                opportunity = make_opportunity(f"Row {index:02}")
            if index % 2:
                move_opportunity(
                    opportunity=opportunity, to_level=Level.IN, by=owner, override_reason="x"
                )
            log(owner, opportunity, at(16, hour=9 + index % 8), 10)

    add(range(3))
    count_queries(owner_client, url, params)
    few = count_queries(owner_client, url, params)
    add(range(3, 30))
    count_queries(owner_client, url, params)
    assert count_queries(owner_client, url, params) == few
