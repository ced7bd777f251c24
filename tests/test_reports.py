"""Reports: the outlook's charts (income ahead, won per month, the funnel week by week, each
level's conversion), each with its sentence and its figures, read from the kept outlook."""

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

import pygal
import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.contacts.models import Organisation
from funnel.forecast import facts
from funnel.forecast.alerts import DrySpell, StopAhead
from funnel.forecast.model import Band, Basis, Forecast, Month
from funnel.forecast.models import StoredOutlook
from funnel.forecast.outlook import Outlook
from funnel.forecast.paths import Conversion, add_months
from funnel.front import charts, readings
from funnel.sales.actions import create_opportunity, move_opportunity
from funnel.sales.models import Level, Opportunity

NOW = dt.datetime(2026, 6, 17, 10, 0, tzinfo=dt.UTC)  # a Wednesday
REPORTS = reverse("reports")
CHARTS = ("forecast", "won", "funnel-over-time", "conversion")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def day(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


def a_deal(
    owner: User,
    organisation: Organisation,
    title: str,
    value: int,
    moves: list[tuple[str, dt.datetime]],
) -> Opportunity:
    """Created above the funnel at the first move's time, then moved as listed."""
    (_first, created), *later = moves
    opportunity = create_opportunity(
        opportunity=Opportunity(
            team=owner.profile.team,
            owner=owner,
            title=title,
            organisation=organisation,
            value=value,
            currency="EUR",
            level=Level.ABOVE,
        ),
        by=owner,
        at=created,
    )
    for level, at in later:
        reason = "Went elsewhere" if level == Level.LOST else ""
        move_opportunity(
            opportunity=opportunity,
            to_level=level,
            by=owner,
            at=at,
            reason=reason,
            override_reason="" if reason else "Agreed on the phone",
        )
    return opportunity


@pytest.fixture
def history(owner: User, organisation: Organisation) -> None:
    """Two deals won (March and May), three lost at each level, two open."""
    above, in_, best_few, won, lost = Level.ABOVE, Level.IN, Level.BEST_FEW, Level.WON, Level.LOST
    deal = a_deal
    deal(
        owner,
        organisation,
        "Won in March",
        12000,
        [(above, day(1, 5)), (in_, day(2, 2)), (best_few, day(2, 23)), (won, day(3, 10))],
    )
    deal(
        owner,
        organisation,
        "Won in May",
        8000,
        [(above, day(3, 2)), (in_, day(3, 16)), (best_few, day(4, 6)), (won, day(5, 12))],
    )
    deal(
        owner,
        organisation,
        "Lost at the signature",
        5000,
        [(above, day(3, 2)), (in_, day(3, 23)), (best_few, day(4, 13)), (lost, day(5, 4))],
    )
    deal(owner, organisation, "Lost above", 4000, [(above, day(4, 6)), (lost, day(4, 20))])
    deal(
        owner,
        organisation,
        "Lost in the funnel",
        4000,
        [(above, day(4, 6)), (in_, day(4, 13)), (lost, day(4, 27))],
    )
    deal(owner, organisation, "Open in", 20000, [(above, day(5, 4)), (in_, day(5, 20))])
    deal(owner, organisation, "Open above", 3000, [(above, day(6, 1))])


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def rows(part: str) -> list[list[str]]:
    """Each table row's cells as the reader sees them (tags dropped, spaces collapsed)."""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return found


def row(part: str, first_cell: str) -> list[str]:
    return next(cells for cells in rows(part) if cells and cells[0] == first_cell)


def says(part: str) -> str:
    """The chart's sentence."""
    found = re.search(r'<p class="report-says[^"]*">(.*?)</p>', part, re.S)
    assert found, "no sentence"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[1])).split())


def page(client: Client) -> str:
    response = client.get(REPORTS)
    assert response.status_code == 200
    return response.text


# What a user sees


@pytest.mark.usefixtures("history")
def test_a_won_deals_value_shows_in_its_months_row(owner_client: Client) -> None:
    won = section(page(owner_client), "won")
    assert "<svg" in won
    # A month at or above the target says so to screen readers; the colour says it to others.
    assert row(won, "March 2026") == ["March 2026", "€12,000 (reached the target)"]
    assert row(won, "April 2026") == ["April 2026", "€0"]
    assert row(won, "May 2026") == ["May 2026", "€8,000 (reached the target)"]
    assert row(won, "June 2026 (so far)") == ["June 2026 (so far)", "€0"]
    assert len(rows(won)) == 1 + 24  # the header, then two years of months


@pytest.mark.usefixtures("history")
def test_the_won_months_are_read_against_the_target(owner_client: Client) -> None:
    # No target set: the average month of the last twelve, €20,000 / 12.
    won = section(page(owner_client), "won")
    assert says(won) == (
        "2 of the last 3 months reached your target of €1,667; for the weakest, April 2026, "
        "look at your prospecting one sales cycle before it, around January 2026."
    )


@pytest.mark.usefixtures("history")
def test_the_funnel_counts_each_levels_open_opportunities_at_the_start_of_each_week(
    owner_client: Client,
) -> None:
    funnel = section(page(owner_client), "funnel-over-time")
    assert "<svg" in funnel
    header = rows(funnel)[0]
    assert header == ["Week of", "Above the funnel", "In the funnel", "Best few", "Total"]
    assert row(funnel, "May 18, 2026") == ["May 18, 2026", "1", "0", "0", "1"]
    assert row(funnel, "May 25, 2026") == ["May 25, 2026", "0", "1", "0", "1"]
    # Created on Monday 1 June: counted from the next week's start.
    assert row(funnel, "June 1, 2026") == ["June 1, 2026", "0", "1", "0", "1"]
    assert row(funnel, "June 8, 2026") == ["June 8, 2026", "1", "1", "0", "2"]
    # On 20 April the Best few held the deal won in May and the one lost on 4 May.
    assert row(funnel, "April 20, 2026")[3] == "2"
    assert len(rows(funnel)) == 1 + 52


@pytest.mark.usefixtures("history")
def test_each_level_shows_how_many_reached_it_were_won_and_the_days_spent_there(
    owner_client: Client,
) -> None:
    conversion = section(page(owner_client), "conversion")
    assert "<svg" in conversion
    assert row(conversion, "Above the funnel") == ["Above the funnel", "5", "2", "40 %", "15"]
    assert row(conversion, "In the funnel") == ["In the funnel", "4", "2", "50 %", "21"]
    assert row(conversion, "Best few") == ["Best few", "3", "2", "67 %", "21"]
    assert says(conversion) == (
        "Best few wins 67 % of the deals that reach it: spend your closing time there."
    )


@pytest.mark.usefixtures("history")
def test_the_forecast_shows_its_band_per_month_and_says_it_uses_the_defaults(
    owner_client: Client,
) -> None:
    forecast = section(page(owner_client), "forecast")
    assert "<svg" in forecast
    months = [cells for cells in rows(forecast) if cells[0].endswith("2026")]
    bands = months[: len(months) // 2]  # the band's table, then the sources'
    assert [cells[0] for cells in bands][:6] == [
        "June 2026",
        "July 2026",
        "August 2026",
        "September 2026",
        "October 2026",
        "November 2026",
    ]
    for _month, low, likely, high, _of_target in bands:
        assert amount(low) <= amount(likely) <= amount(high)
    assert "Your target here is your average month of the last 12: €1,667." in forecast
    # Two won deals: too few to measure, the stated defaults speak.
    assert "Too few won deals to measure yet" in forecast


def amount(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


@pytest.mark.usefixtures("history")
def test_a_dry_spell_ahead_is_the_forecasts_sentence(owner: User, owner_client: Client) -> None:
    owner.profile.income_target = 1_000_000
    owner.profile.save(update_fields=["income_target"])
    spell = facts.outlook_for(owner).dry_spell
    assert spell is not None
    forecast = section(page(owner_client), "forecast")
    assert says(forecast) == spell.text
    assert '<p class="report-says warning">' in forecast
    assert "Your target: €1,000,000 a month." in forecast


def test_a_stop_ahead_is_said_beside_the_forecast(
    owner: User,
    owner_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    history: None,
) -> None:
    real = facts.outlook_for(owner)
    warned = dataclasses.replace(real, stop_ahead=StopAhead(times=2, months_later=3))
    monkeypatch.setattr("funnel.front.views.outlook_for", lambda user: warned)
    forecast = section(page(owner_client), "forecast")
    assert html.escape(warned.stop_ahead.text) in forecast  # type: ignore[union-attr]


def test_a_new_user_gets_a_clean_page_saying_what_will_appear(owner_client: Client) -> None:
    text = page(owner_client)
    assert "<svg" not in text
    assert "Funnel forecasts here what each of the coming months is likely to bring" in text
    assert "appears here once you win a deal" in text
    assert "week by week over the last year, appears here once you add some" in text
    assert "appears here once deals leave the funnel, won or lost" in text
    assert "Show the figures" not in text


@pytest.mark.usefixtures("history")
def test_someone_else_sees_none_of_the_owners_figures(outsider_client: Client) -> None:
    text = page(outsider_client)
    assert "<svg" not in text
    assert "€12,000" not in text


@pytest.mark.usefixtures("history")
def test_figures_come_in_the_users_language(owner: User, owner_client: Client) -> None:
    owner.profile.language = "nl"
    owner.profile.save(update_fields=["language"])
    won = section(page(owner_client), "won")
    assert row(won, "maart 2026")[1].startswith("€ 12.000")  # a no-break space in the page


# How the charts are drawn


@pytest.mark.usefixtures("history")
def test_each_chart_styles_itself_with_the_requests_nonce_only(owner_client: Client) -> None:
    for _look in range(2):  # drawn, then from the cache with this request's nonce
        response = owner_client.get(REPORTS)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce
        text = response.text
        svgs = re.findall(r"<svg.*?</svg>", text, re.S)
        assert len(svgs) == len(CHARTS)
        for anchor in CHARTS:
            chart = re.search(r"<svg.*?</svg>", section(text, anchor), re.S)
            assert chart, anchor
            styles = re.findall(r"<style[^>]*>", chart[0])
            assert styles == [f'<style type="text/css" nonce="{nonce[1]}">'], anchor
            assert " style=" not in chart[0]
            assert "<script" not in chart[0]


def test_a_chart_is_drawn_once_for_the_same_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[dict[str, Any]] = []
    real = pygal.StackedBar

    def counted(**config: Any) -> Any:
        drawn.append(config)
        return real(**config)

    monkeypatch.setattr(pygal, "StackedBar", counted)
    weeks = [(dt.date(2026, 6, 1), {"above": 2, "in": 1, "best_few": 0})] * 2
    first = charts.funnel_chart(weeks, nonce="first")
    second = charts.funnel_chart(weeks, nonce="second")
    assert len(drawn) == 1
    assert second == first.replace('nonce="first"', 'nonce="second"')
    charts.funnel_chart([(dt.date(2026, 6, 1), {"above": 3})] * 2, nonce="third")
    assert len(drawn) == 2


# Speed: read from the kept outlook, in as many queries for 30 deals as for 3


@pytest.mark.usefixtures("history")
def test_reports_read_the_kept_outlook_without_the_level_history(
    owner: User, owner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts.refresh(owner, now=NOW)  # as the worker keeps it

    def computed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the outlook was computed again from the level history")

    monkeypatch.setattr(facts, "compute", computed)
    assert row(section(page(owner_client), "won"), "March 2026")[1].startswith("€12,000")


def test_the_page_makes_as_many_queries_for_30_deals_as_for_3(
    owner: User, owner_client: Client, organisation: Organisation
) -> None:
    def add_deals(indexes: range) -> None:
        for n in indexes:
            a_deal(
                owner,
                organisation,
                f"Deal {n:02}",
                1000 + n,
                [(Level.ABOVE, day(1, 5)), (Level.IN, day(2, 2)), (Level.WON, day(3, 1 + n % 28))],
            )

    def queries() -> tuple[int, int]:
        """(computing the outlook, then reading it back)"""
        return count_queries(owner_client), count_queries(owner_client)

    count_queries(owner_client)  # what is kept for the day whatever the deals
    add_deals(range(3))
    few = queries()
    add_deals(range(3, 30))
    assert queries() == few
    facts.refresh(owner, now=NOW)
    kept = count_queries(owner_client)
    assert kept <= few[1]


def count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(REPORTS).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("history")
def test_opening_reports_keeps_nothing_in_the_database(owner_client: Client) -> None:
    with CaptureQueriesContext(connection) as captured:
        page(owner_client)
    writes = [q["sql"] for q in captured if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])]
    assert [sql for sql in writes if "django_session" not in sql] == []
    assert not StoredOutlook.objects.exists()


# The sentences, from the figures


def an_outlook(**changes: Any) -> Outlook:
    """Six months of 2,000 likely against a 2,000 target, a funnel steady at 10/6/3 a week."""
    count = 8 if changes.pop("long", False) else 6
    months = [
        Month(add_months(dt.date(2026, 6, 1), i), Band(1500, 2000, 2500), {}) for i in range(count)
    ]
    basis = Basis(True, 10, {}, {}, prospects_per_week=3.0, won_value=1000.0)
    weeks = [
        (dt.date(2025, 6, 23) + dt.timedelta(weeks=n), {"above": 10, "in": 6, "best_few": 3})
        for n in range(52)
    ]
    outlook = Outlook(
        as_of=dt.date(2026, 5, 31),
        cycle_days=60,
        forecast=Forecast(dt.date(2026, 5, 31), months, basis, per_prospect=[]),
        target=2000.0,
        target_is_average=False,
        tolerance=30,
        dry_spell=None,
        stop_ahead=None,
        won_by_month=[(add_months(dt.date(2026, 6, 1), i - 23), 2500.0) for i in range(24)],
        funnel_by_week=weeks,
        conversions=[
            Conversion("above", 10, 3, 20.0),
            Conversion("in", 8, 4, 15.0),
            Conversion("best_few", 6, 4, 10.0),
        ],
    )
    return dataclasses.replace(outlook, **changes)


LABELS = {"above": "Above the funnel", "in": "In the funnel", "best_few": "Best few"}


def test_a_steady_outlook_says_to_keep_the_pace() -> None:
    outlook = an_outlook()
    assert readings.forecast_says(outlook, outlook.shown_months) == (
        "No month ahead falls more than 30\N{NO-BREAK SPACE}% below your target: "
        "keep finding about 3 new prospects a week to keep it so."
    )
    assert readings.won_says(outlook, "EUR") == (
        "Every one of the last 12 months reached your target of €2,000: keep prospecting every "
        "week to keep it so."
    )
    assert readings.funnel_says(outlook) == (
        "Every level holds about as many opportunities as in a usual week of the last year: "
        "keep your prospecting blocks to keep it so."
    )


def test_a_month_short_within_a_cycle_is_for_the_best_few_to_close() -> None:
    short = Month(dt.date(2026, 6, 1), Band(500, 1000, 1500), {})
    outlook = an_outlook()
    months = [short, *outlook.shown_months[1:]]
    assert readings.forecast_says(outlook, months) == (
        "June 2026 looks short of your target, and the deals that decide it are already in your "
        "funnel: close your Best few."
    )
    later = Month(dt.date(2026, 10, 1), Band(500, 1000, 1500), {})
    assert readings.forecast_says(outlook, [*outlook.shown_months[:4], later]) == (
        "October 2026 looks short of your target: the prospects you find in the coming weeks "
        "decide it, so keep your prospecting blocks."
    )


def test_the_forecast_runs_on_to_the_month_of_the_dry_spell() -> None:
    spell = DrySpell(dt.date(2027, 1, 1), 30, 60, 2, 4)
    outlook = an_outlook(long=True, dry_spell=spell)
    assert [m.first for m in readings.forecast_months(outlook)][-1] == dt.date(2027, 1, 1)
    assert len(readings.forecast_months(an_outlook(long=True))) == 6


def test_a_level_running_low_says_what_to_do_there() -> None:
    weeks = an_outlook().funnel_by_week
    emptier = [*weeks[:-1], (weeks[-1][0], {"above": 5, "in": 6, "best_few": 3})]
    assert readings.funnel_says(an_outlook(funnel_by_week=emptier)) == (
        "Above the funnel holds 5 opportunities, against 10 in a usual week of the last year: "
        "find new prospects now, or income dips about a sales cycle from now."
    )
    fewer_best = [*weeks[:-1], (weeks[-1][0], {"above": 10, "in": 6, "best_few": 1})]
    assert readings.funnel_says(an_outlook(funnel_by_week=fewer_best)).startswith(
        "Best few holds 1 opportunity, against 3"
    )


def test_a_level_that_wins_more_than_the_best_few_is_pointed_out() -> None:
    conversions = [
        Conversion("above", 10, 2, 20.0),
        Conversion("in", 10, 6, 15.0),
        Conversion("best_few", 10, 5, 10.0),
    ]
    assert readings.conversion_says(an_outlook(conversions=conversions), LABELS) == (
        "In the funnel wins more of the deals that reach it (60\N{NO-BREAK SPACE}%) "
        "than Best few (50\N{NO-BREAK SPACE}%): check that what you move to Best few is "
        "really ready to close."
    )
    tied = [*conversions[:2], Conversion("best_few", 5, 3, 10.0)]
    assert readings.conversion_says(an_outlook(conversions=tied), LABELS).startswith(
        "Best few wins 60\N{NO-BREAK SPACE}%"
    )
