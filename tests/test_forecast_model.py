"""The forecast of won value (funnel.forecast.model) and the history it reads
(funnel.forecast.paths), over plain paths: no database."""

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.forecast.model import SOURCES, forecast, prospect_rate, seasonal_factors
from funnel.forecast.paths import (
    History,
    Path,
    conversions,
    level_on,
    monthly_won,
    stays,
    weekly_entries,
    weekly_funnel,
)

AS_OF = date(2026, 12, 6)  # a Sunday: the forecast starts on Monday 7 December


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def path(*moves: tuple[int, str], value: float = 1000.0) -> Path:
    """A path from (days ago, level) pairs, oldest first."""
    return Path(tuple((days_ago(n), level) for n, level in moves), value)


def history(count: int, *, seed: int = 1, weekly: int = 5, quiet_weeks: int = 0) -> list[Path]:
    """count weeks of a practice finding `weekly` prospects a week, the last quiet_weeks
    without any; three in ten are won, 20 to 40 days after they were found."""
    rng = random.Random(seed)
    paths = []
    for week in range(count, quiet_weeks, -1):
        for _ in range(weekly):
            found = 7 * week - rng.randint(0, 4)
            if rng.random() < 0.3:
                won = found - rng.randint(20, 40)
                moves = [(found, "above"), (found - 10, "in"), (found - 15, "best_few")]
                paths.append(path(*[m for m in moves if m[0] > won], (won, "won")))
            else:
                paths.append(path((found, "above"), (found - rng.randint(5, 30), "lost")))
    return [known for p in paths if (known := p.known_on(AS_OF)) is not None]


def test_the_same_history_and_seed_give_the_same_forecast() -> None:
    paths = history(60)
    assert forecast(paths, as_of=AS_OF) == forecast(paths, as_of=AS_OF)


def test_months_start_with_the_month_after_the_day_known_and_bands_are_ordered() -> None:
    result = forecast(history(60), as_of=AS_OF, months=4)
    assert [m.first for m in result.months] == [
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
        date(2027, 3, 1),
    ]
    for month in result.months:
        assert month.total.p10 <= month.total.p50 <= month.total.p90
        assert set(month.sources) == set(SOURCES)


def test_what_was_signed_earlier_this_month_counts_in_it_as_won() -> None:
    signed = path((50, "above"), (3, "won"), value=4200.0)
    result = forecast([*history(60), signed], as_of=AS_OF)
    december = result.months[0]
    won_before = sum(p.value for p in history(60) if p.won_on and p.won_on >= date(2026, 12, 1))
    assert december.sources["won"].p50 == won_before + 4200.0
    assert all(month.sources["won"].p50 == 0 for month in result.months[1:])


def test_a_best_few_deal_is_forecast_soon_at_its_own_value() -> None:
    # Deals reaching Best few are signed two to four weeks later, every time.
    won = [
        path((n + 30, "above"), (n + 25, "best_few"), (n + 25 - 14 - n % 15, "won"), value=500)
        for n in range(20, 200, 4)
    ]
    deal = path((12, "above"), (5, "best_few"), value=90_000.0)
    result = forecast([*won, deal], as_of=AS_OF, months=3)
    soon = result.months[0].sources["best_few"].p50 + result.months[1].sources["best_few"].p50
    assert soon == 90_000.0
    assert result.months[2].sources["best_few"].p90 == 0


def test_a_deal_older_than_any_that_was_ever_won_is_less_likely_to_close() -> None:
    # Above-the-funnel deals were won within 60 days, or lost later.
    won = [path((n, "above"), (n - 30, "won"), value=100) for n in range(100, 400, 3)]
    lost = [path((n, "above"), (n - 90, "lost"), value=100) for n in range(100, 400, 3)]
    fresh = forecast([*won, *lost, path((2, "above"), value=50_000)], as_of=AS_OF, months=3)
    stale = forecast([*won, *lost, path((70, "above"), value=50_000)], as_of=AS_OF, months=3)

    def from_above(result: object) -> float:
        return sum(m.sources["above"].p90 for m in result.months)  # type: ignore[attr-defined]

    assert from_above(fresh) >= 50_000
    assert from_above(stale) == 0


def test_with_too_few_won_deals_the_stated_defaults_speak() -> None:
    paths = [path((10, "above"), (5, "best_few"), value=10_000), path((40, "above"), (1, "won"))]
    result = forecast(paths, as_of=AS_OF, cycle_days=60)
    assert not result.basis.measured
    assert result.basis.won_deals == 1
    assert result.basis.won_share["best_few"] == __import__("pytest").approx(0.7)
    # Best few closes within half the normal cycle: 30 days here, so within two months.
    best_few = [m.sources["best_few"].p90 for m in result.months]
    assert sum(best_few[:2]) > 0
    assert sum(best_few[2:]) == 0


def test_new_prospects_are_forecast_at_the_rate_of_lately() -> None:
    steady = forecast(history(60), as_of=AS_OF, months=6)
    stopped = forecast(history(60, quiet_weeks=3), as_of=AS_OF, months=6)
    assert steady.basis.prospects_per_week > 4
    assert stopped.basis.prospects_per_week == 0
    assert steady.months[-1].sources["not_found"].p50 > 0
    assert all(m.sources["not_found"].p90 == 0 for m in stopped.months)


def test_one_quieter_week_among_steady_ones_moves_the_rate_little() -> None:
    paths = history(30, weekly=10)
    quieter = [p for p in paths if not (days_ago(6) <= p.created <= AS_OF) or p.value % 2]
    usual, _shape, _weeks = prospect_rate(History(paths, AS_OF))
    lately, _shape, _weeks = prospect_rate(History(quieter[: len(quieter) - 3], AS_OF))
    assert abs(lately - usual) / usual < 0.1


def test_a_clear_quarterly_shape_is_kept_and_chance_is_not() -> None:
    # Four times as many deals signed in the last month of each quarter as in the others.
    quarterly = [
        Path(((date(2026, m, 1) - timedelta(days=40), "above"), (date(2026, m, d), "won")), 1000)
        for m in range(1, 12)
        for d in range(1, 29)
        for _ in range(4 if m % 3 == 0 else 1)
    ]
    factors = seasonal_factors(History(quarterly, AS_OF), date(2026, 12, 1))
    assert factors[2] > 1.5
    assert factors[0] < 0.8
    # Twelve deals a month, whatever the month: no shape to keep.
    rng = random.Random(3)
    even = [
        Path(
            (
                (date(2026, m, 1) - timedelta(days=40), "above"),
                (date(2026, m, rng.randint(1, 28)), "won"),
            ),
            1000,
        )
        for m in range(1, 12)
        for _ in range(rng.randint(9, 15))
    ]
    assert seasonal_factors(History(even, AS_OF), date(2026, 12, 1)) == [1.0, 1.0, 1.0]


def test_stays_count_from_the_first_arrival_to_the_outcome() -> None:
    moved = path((40, "above"), (30, "in"), (25, "above"), (20, "in"), (10, "won"))
    still_open = path((40, "above"))
    found = stays(History([moved, still_open], AS_OF), since=days_ago(365))
    assert found["entry"].days.tolist() == [30, 41]
    assert found["above"].days.tolist() == [30, 41]
    assert found["in"].days.tolist() == [20]
    assert found["best_few"].days.tolist() == []
    assert found["above"].won.tolist() == [True, False]
    assert not found["above"].out.any()


def test_the_funnel_per_week_is_rebuilt_from_the_moves() -> None:
    mondays = [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    # Above from 18 November, In from 23 November (a Monday), won on 1 December.
    deal = Path(
        ((date(2026, 11, 18), "above"), (date(2026, 11, 23), "in"), (date(2026, 12, 1), "won")), 1
    )
    history = History([deal], AS_OF)
    counts = weekly_funnel(history, mondays)
    assert counts["above"] == [0, 1, 0]  # at the start of the 23rd it was still Above
    assert counts["in"] == [0, 0, 1]
    assert level_on(deal, date(2026, 11, 23)) == "above"
    assert weekly_entries(history, mondays) == [1, 0, 0]
    assert monthly_won(history, [date(2026, 11, 1), date(2026, 12, 1)]) == [0.0, 1.0]


def test_conversion_counts_the_deals_that_reached_each_level_and_ended() -> None:
    paths = [
        path((60, "above"), (50, "in"), (40, "best_few"), (30, "won")),
        path((60, "above"), (50, "in"), (45, "lost")),
        path((60, "above"), (55, "lost")),
        path((5, "above")),  # not ended: left out
    ]
    found = {c.level: c for c in conversions(History(paths, AS_OF), since=days_ago(365))}
    assert (found["above"].reached, found["above"].won) == (3, 1)
    assert (found["in"].reached, found["in"].won) == (2, 1)
    assert found["best_few"].rate == 1.0
    assert found["above"].median_days == 10


def test_time_closed_or_parked_is_no_stay_at_a_level_and_open_stays_wait() -> None:
    paths = [
        path(
            (60, "best_few"),
            (57, "won"),
            (50, "nurture"),
            (40, "lost"),
            (30, "dead"),
            (20, "best_few"),
        ),
        path((60, "above"), (58, "in"), (53, "best_few")),  # still there: not counted yet
    ]
    found = {
        c.level: c.median_days for c in conversions(History(paths, AS_OF), since=days_ago(365))
    }
    assert found == {"above": 2, "in": 5, "best_few": 3}


moves = st.lists(
    st.tuples(
        st.integers(min_value=-20, max_value=800),
        st.sampled_from(["above", "in", "best_few", "won", "lost", "dead", "nurture"]),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(moves, st.floats(min_value=0, max_value=1e12)), max_size=40),
    st.integers(min_value=1, max_value=3650),
    st.integers(min_value=1, max_value=24),
)
def test_any_history_gives_ordered_finite_bands(
    drawn: list[tuple[list[tuple[int, str]], float]], cycle_days: int, months: int
) -> None:
    paths = []
    for steps, value in drawn:
        ordered = sorted(steps, key=lambda step: -step[0])
        kept = [step for i, step in enumerate(ordered) if i == 0 or step[1] != ordered[i - 1][1]]
        paths.append(path(*kept, value=value))
    result = forecast(paths, as_of=AS_OF, cycle_days=cycle_days, months=months, runs=200)
    assert len(result.months) == months
    for month in result.months:
        for band in [month.total, *month.sources.values()]:
            assert 0 <= band.p10 <= band.p50 <= band.p90 < float("inf")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.integers(min_value=1_500_000_000, max_value=1_900_000_000), min_size=1, max_size=50
    ),
    st.sampled_from(
        ["Europe/Rome", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
    ),
)
def test_moments_fall_on_the_local_day_their_zone_gives(moments: list[int], zone: str) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    import numpy as np

    from funnel.forecast.facts import local_days

    expected = [
        datetime.fromtimestamp(m, UTC).astimezone(ZoneInfo(zone)).date().toordinal()
        for m in moments
    ]
    assert local_days(np.array(moments, dtype=np.int64), ZoneInfo(zone)).tolist() == expected
