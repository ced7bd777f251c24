"""Everything read off a user's history at once: the forecast, the alerts, and the shapes the
Reports draw. Plain data in, plain data out; funnel.forecast.facts loads the paths, keeps the
result per data version and turns it to and from JSON.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from funnel.forecast import alerts
from funnel.forecast.alerts import DrySpell, StopAhead
from funnel.forecast.model import Forecast, Month, forecast
from funnel.forecast.paths import (
    BEST_FEW,
    IN,
    Conversion,
    History,
    Path,
    add_months,
    average_won_month,
    conversions,
    month_starts,
    monthly_won,
    week_start,
    weekly_entries,
    weekly_funnel,
)

SHOWN_MONTHS = 6
WON_MONTHS = 24  # won value per month on Reports
FUNNEL_WEEKS = 52  # the funnel over time on Reports
STOP_WEEKS = 104  # weeks of history the stops are looked for in
MAX_MONTHS = 24
SUNDAY = 6


@dataclass(frozen=True)
class Outlook:
    as_of: date
    cycle_days: int
    forecast: Forecast
    target: float  # per month
    target_is_average: bool  # no target set: the average month of the last twelve
    tolerance: int
    dry_spell: DrySpell | None
    stop_ahead: StopAhead | None
    won_by_month: list[tuple[date, float]]  # oldest first, up to as_of's month
    funnel_by_week: list[tuple[date, dict[str, int]]]  # open per level at each Monday
    conversions: list[Conversion]

    @property
    def shown_months(self) -> list[Month]:
        return self.forecast.months[:SHOWN_MONTHS]


def months_needed(cycle_days: int) -> int:
    """Enough months to see two normal sales cycles ahead, and at least SHOWN_MONTHS."""
    return min(MAX_MONTHS, max(SHOWN_MONTHS, math.ceil(2 * cycle_days / 30) + 1))


def outlook(
    paths: Sequence[Path] | History,
    *,
    as_of: date,
    cycle_days: int,
    target: float | None,
    tolerance: int,
    months: int = SHOWN_MONTHS,
    seed: int = 0,
) -> Outlook:
    history = paths if isinstance(paths, History) else History(paths, as_of)
    ahead = forecast(
        history,
        as_of=as_of,
        months=max(months, months_needed(cycle_days)),
        cycle_days=cycle_days,
        seed=seed,
    )
    monthly_target = average_won_month(history) if target is None else target
    this_month = (as_of + timedelta(days=1)).replace(day=1)
    won_months = month_starts(add_months(this_month, -36), 37)
    won = monthly_won(history, won_months)
    weeks = [week_start(as_of) - timedelta(weeks=n) for n in range(STOP_WEEKS, -1, -1)]
    funnel = weekly_funnel(history, weeks)
    entries = weekly_entries(history, weeks)
    in_funnel = [a + b for a, b in zip(funnel[IN], funnel[BEST_FEW], strict=True)]
    # Stops are looked for in the weeks that are over: all of them on a Sunday night.
    over = len(weeks) if as_of.weekday() == SUNDAY else len(weeks) - 1
    stops = alerts.past_stops(
        weeks[:over], entries[:over], in_funnel[:over], won_months, won, tolerance=tolerance
    )
    fullness = len(history.open_paths(IN)) + len(history.open_paths(BEST_FEW))
    return Outlook(
        as_of=as_of,
        cycle_days=cycle_days,
        forecast=ahead,
        target=monthly_target,
        target_is_average=target is None,
        tolerance=tolerance,
        dry_spell=alerts.dry_spell(
            ahead, target=monthly_target, tolerance=tolerance, cycle_days=cycle_days
        ),
        stop_ahead=alerts.stop_ahead(
            stops, fullness=fullness, prospecting=alerts.still_prospecting(entries[:over])
        ),
        won_by_month=list(zip(won_months, won, strict=True))[-WON_MONTHS:],
        funnel_by_week=[
            (week, {level: funnel[level][i] for level in funnel}) for i, week in enumerate(weeks)
        ][-FUNNEL_WEEKS:],
        conversions=conversions(history, since=as_of - timedelta(days=730)),
    )
