"""The dry-spell alert on a simulated solo practice (tests/forecast_simulation.py).

The dip comes about one normal sales cycle after prospecting stops, so the alert has to come
from the top of the funnel: it fires within two weeks of each stop and names the month of the
coming dip, give or take a month; in the same practice keeping its prospecting blocks, with the
same chance dips in income, it never fires. Checked each Sunday night, as the worker would,
against the default target (the average month of the last twelve) and the default tolerance.
"""

from datetime import date, timedelta

import pytest

from funnel.forecast.alerts import DrySpell, dry_spell
from funnel.forecast.model import forecast
from funnel.forecast.outlook import outlook
from funnel.forecast.paths import History, add_months, average_won_month, month_starts
from tests import forecast_simulation as simulation

TOLERANCE = 30  # the default in Settings
SEEDS = [1, 2, 3]
FIRST_WEEK = 52  # a year of history first: the default target is the last twelve months


def alerts(practice: simulation.Practice) -> dict[date, DrySpell]:
    """The alert as the practice would have seen it at the end of each Sunday."""
    found = {}
    for week in range(FIRST_WEEK, simulation.WEEKS - 16):
        as_of = simulation.START + timedelta(weeks=week, days=-1)
        known = practice.known(as_of)
        cycle = simulation.cycle_days(known)
        spell = dry_spell(
            forecast(known, as_of=as_of, cycle_days=cycle),
            target=average_won_month(History(known, as_of)),
            tolerance=TOLERANCE,
            cycle_days=cycle,
        )
        if spell is not None:
            found[as_of] = spell
    return found


def months_apart(a: date, b: date) -> int:
    return abs((a.year - b.year) * 12 + a.month - b.month)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_alert_fires_within_two_weeks_of_each_stop_and_names_the_dip(seed: int) -> None:
    practice = simulation.practice(seed, stops=True)
    scored = [
        s for s in practice.stops if s < simulation.START + timedelta(weeks=simulation.WEEKS - 22)
    ]
    assert len(scored) >= 3, "the simulation should stop several times"
    found = alerts(practice)
    months = month_starts(simulation.START, simulation.WEEKS // 4 + 6)
    income = dict(zip(months, practice.income(months), strict=True))
    for stopped in scored:
        soon = [day for day in found if stopped <= day < stopped + timedelta(days=14)]
        assert soon, f"no alert within two weeks of the stop on {stopped}"
        first = found[min(soon)]
        # The coming dip: the leanest month of the four after the stop's month.
        after = [add_months(stopped.replace(day=1), n) for n in range(1, 5)]
        dip = min(after, key=income.__getitem__)
        assert months_apart(first.month, dip) <= 1, (stopped, first.month, dip)
        assert first.share <= 100 - TOLERANCE  # rounded to 5
        assert first.prospects_per_week is None or first.prospects_per_week > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_practice_keeping_its_blocks_gets_no_alert_despite_chance_dips(seed: int) -> None:
    practice = simulation.practice(seed, stops=False)
    months = month_starts(simulation.START, simulation.WEEKS // 4)[12:-4]
    income = practice.income(months)
    mean = sum(income) / len(income)
    # Chance dips exist: months well below the usual, with prospecting steady all along.
    assert min(income) < 0.6 * mean
    assert alerts(practice) == {}


def warned_before_stopping(practice: simulation.Practice, as_of: date) -> bool:
    known = practice.known(as_of)
    seen = outlook(
        known,
        as_of=as_of,
        cycle_days=simulation.cycle_days(known),
        target=None,
        tolerance=TOLERANCE,
    )
    return seen.stop_ahead is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_funnel_as_full_as_at_the_last_stops_warns_before_the_next(seed: int) -> None:
    practice = simulation.practice(seed, stops=True)
    last_sunday = simulation.START + timedelta(weeks=simulation.WEEKS - 16, days=-1)
    later = [s for s in practice.stops[2:] if s <= last_sunday]
    assert later, "the simulation should stop a third time"
    for stopped in later:
        assert warned_before_stopping(practice, stopped - timedelta(days=1)), stopped


@pytest.mark.parametrize("seed", SEEDS)
def test_the_practice_keeping_its_blocks_is_never_warned_of_a_stop(seed: int) -> None:
    practice = simulation.practice(seed, stops=False)
    sundays = [
        simulation.START + timedelta(weeks=week, days=-1)
        for week in range(FIRST_WEEK, simulation.WEEKS - 16, 2)
    ]
    assert not any(warned_before_stopping(practice, sunday) for sunday in sundays)
