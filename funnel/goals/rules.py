"""Goals (docs/method.md §4) as pure functions: periods, progress, and each past period's result.

Amounts arrive per local day (funnel.goals.facts); these functions add them up per week,
month or quarter and say whether each period met its target.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

WEEK, MONTH, QUARTER = "week", "month", "quarter"
MONTHS = {MONTH: 1, QUARTER: 3}
ZERO = Decimal(0)

Daily = Mapping[date, Decimal]


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """The period holding `day`: its first day, and the first day after it."""
    if period == WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if period not in MONTHS:
        raise ValueError(f"Unknown period: {period}")
    months = MONTHS[period]
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    return start, add_months(start, months)


def add_months(first: date, months: int) -> date:
    """The first of the month `months` after the month of `first`."""
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, 1)


# How many finished periods a goal's history shows: a year of weeks, four years of months.
HISTORY_PERIODS = 52


def first_counted(starts_on: date, today: date, period: str) -> date:
    """The first day of the first period counted: the goal's start, or HISTORY_PERIODS before
    today's period if it began longer ago (a goal dated in year 1 would count every week)."""
    current = period_bounds(today, period)[0]
    if period == WEEK:
        oldest = current - timedelta(weeks=HISTORY_PERIODS)
    else:
        oldest = add_months(current, -HISTORY_PERIODS * MONTHS[period])
    return max(period_bounds(min(starts_on, today), period)[0], oldest)


def span(starts: Iterable[tuple[date, str]], today: date) -> tuple[date, date]:
    """The days to load for periods from each (start, period) up to and including today's."""
    pairs = list(starts)
    first = min(first_counted(start, today, period) for start, period in pairs)
    last = max(period_bounds(today, period)[1] for _, period in pairs)
    return first, last


def totals_by_period(daily: Daily, period: str) -> dict[date, Decimal]:
    """Daily amounts added up per period, keyed by each period's first day."""
    totals: dict[date, Decimal] = {}
    for day, amount in daily.items():
        start = period_bounds(day, period)[0]
        totals[start] = totals.get(start, ZERO) + amount
    return totals


@dataclass(frozen=True)
class Progress:
    value: Decimal
    target: Decimal
    percent: int  # how full the bar is: 0 to 100
    met: bool


def progress(value: Decimal, target: Decimal) -> Progress:
    if target <= 0:
        raise ValueError("A target must be above zero.")
    percent = max(0, min(100, int(value * 100 / target)))
    return Progress(value=value, target=target, percent=percent, met=value >= target)


@dataclass(frozen=True)
class PeriodResult:
    first_day: date
    last_day: date
    progress: Progress


def result(
    start: date, period: str, totals: Mapping[date, Decimal], target: Decimal
) -> PeriodResult:
    end = period_bounds(start, period)[1]
    value = totals.get(start, ZERO)
    return PeriodResult(start, end - timedelta(days=1), progress(value, target))


def history(
    *, starts_on: date, today: date, period: str, totals: Mapping[date, Decimal], target: Decimal
) -> list[PeriodResult]:
    """Every finished period since the goal's start (the last HISTORY_PERIODS of them),
    newest first: met or missed."""
    start = first_counted(starts_on, today, period)
    current = period_bounds(today, period)[0]
    results = []
    while start < current:
        results.append(result(start, period, totals, target))
        start = period_bounds(start, period)[1]
    results.reverse()
    return results


def times_met(results: Iterable[PeriodResult]) -> int:
    return sum(1 for r in results if r.progress.met)
