"""The dry-spell alert and the stop warning (funnel.forecast.alerts), over plain data."""

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from django.utils import translation

from funnel.forecast.alerts import (
    DrySpell,
    Stop,
    StopAhead,
    dry_spell,
    past_stops,
    still_prospecting,
    stop_ahead,
)
from funnel.forecast.model import Band, Basis, Forecast, Month
from funnel.forecast.paths import month_starts

AS_OF = date(2026, 12, 6)  # the forecast starts on Monday 7 December


def ahead(p50s: Sequence[float], *, per_prospect: float = 500.0) -> Forecast:
    """A forecast whose months (December on) have these P50s; each prospect found in the next
    weeks is worth per_prospect in every month."""
    months = [
        Month(first, Band(p50 * 0.8, p50, p50 * 1.2), {})
        for first, p50 in zip(month_starts(date(2026, 12, 1), len(p50s)), p50s, strict=True)
    ]
    basis = Basis(True, 20, {}, {}, 3.0, 1000.0)
    return Forecast(AS_OF, months, basis, [[per_prospect] * len(p50s)] * 8)


def test_a_month_one_to_two_cycles_ahead_short_of_the_target_raises_the_alert() -> None:
    # A 45-day cycle: one to two cycles ahead is 21 January to 7 March.
    spell = dry_spell(
        ahead([9000, 9000, 4000, 3000, 9000, 9000]), target=10_000, tolerance=30, cycle_days=45
    )
    assert spell == DrySpell(
        month=date(2027, 2, 1), weeks_ahead=8, share=40, prospects_per_week=3, for_weeks=4
    )
    with translation.override("en"):
        assert spell.text == (
            "In about 8 weeks income falls to about 40\N{NO-BREAK SPACE}% of your target: "
            "add 3 prospects a week for the next 4 weeks."
        )


def test_months_sooner_or_later_than_prospecting_decides_raise_nothing() -> None:
    # December is the deals in hand; May is beyond two cycles of 45 days.
    shape = [1000, 9000, 9000, 9000, 9000, 1000]
    assert dry_spell(ahead(shape), target=10_000, tolerance=30, cycle_days=45) is None


@pytest.mark.parametrize(("p50", "fires"), [(7000, False), (6999, True)])
def test_the_tolerance_is_how_far_below_the_target_a_month_may_fall(p50: int, fires: bool) -> None:
    spell = dry_spell(ahead([9000, p50, p50, p50]), target=10_000, tolerance=30, cycle_days=30)
    assert (spell is not None) is fires


def test_without_a_target_there_is_no_alert() -> None:
    assert dry_spell(ahead([0, 0, 0, 0]), target=0, tolerance=30, cycle_days=30) is None


def test_when_prospects_found_now_cannot_land_in_time_it_says_so() -> None:
    spell = dry_spell(
        ahead([9000, 2000, 2000, 2000], per_prospect=0.0),
        target=10_000,
        tolerance=30,
        cycle_days=30,
    )
    assert spell is not None and spell.prospects_per_week is None
    with translation.override("en"):
        assert "can no longer fill it" in spell.text


def weeks(count: int) -> list[date]:
    return [date(2024, 1, 1) + timedelta(weeks=n) for n in range(count)]


def test_a_stop_is_three_quiet_weeks_after_usual_ones_and_the_dip_after_it_is_named() -> None:
    entries = [10] * 20 + [0, 0, 1, 0, 0, 0] + [10] * 30
    in_funnel = list(range(len(entries)))
    months = month_starts(date(2023, 1, 1), 30)
    won = [8000.0] * 30
    stop_month = months.index(date(2024, 5, 1))  # week 20 is 20 May 2024
    won[stop_month + 2] = 1000.0
    stops = past_stops(weeks(len(entries)), entries, in_funnel, months, won, tolerance=30)
    assert [(s.week, s.fullness, s.dip_months_later) for s in stops] == [(date(2024, 5, 20), 20, 2)]


def test_one_or_two_quiet_weeks_are_no_stop() -> None:
    entries = [10] * 20 + [0, 0] + [10] * 10 + [2] + [10] * 10
    months = month_starts(date(2023, 1, 1), 30)
    found = past_stops(
        weeks(len(entries)), entries, [5] * len(entries), months, [1.0] * 30, tolerance=30
    )
    assert found == []


def test_the_warning_needs_two_stops_followed_by_a_dip_at_about_this_fullness() -> None:
    stops = [
        stop(30, 2),
        stop(28, 3),
        stop(50, 1),  # the funnel was much fuller then: not this full
        stop(25, None),  # income held: no lesson in it
    ]
    assert stop_ahead(stops, fullness=29, prospecting=True) == StopAhead(times=2, months_later=2)
    assert stop_ahead(stops, fullness=20, prospecting=True) is None
    assert stop_ahead(stops, fullness=29, prospecting=False) is None
    with translation.override("en"):
        assert StopAhead(3, 2).text == (
            "The last 3 times your funnel was this full, you stopped prospecting and income "
            "fell 2 months later: keep this week's blocks."
        )


def stop(fullness: int, dip: int | None) -> Stop:
    return Stop(date(2025, 1, 6), fullness, dip)


def test_still_prospecting_means_last_week_brought_prospects() -> None:
    assert still_prospecting([10] * 10 + [8])
    assert not still_prospecting([10] * 10 + [0])
    assert not still_prospecting([])
