"""The roller coaster, seen before it comes (docs/method.md §1 "The roller coaster", §4).

Two warnings, as plain functions over plain data:

- the dry spell: the forecast's income for a month one to two normal sales cycles ahead falls
  below the target, and how many more prospects a week would fill the gap;
- the stop ahead: the funnel is as full as it was the last times the user stopped
  prospecting, and income fell some months after each of those stops.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.forecast.model import Forecast
from funnel.forecast.paths import add_months
from funnel.lib.i18n import percent_kept_together

# The extra prospects are asked for over the weeks left before they must be found to land in
# the short month (its distance less a sales cycle), at least FOR_WEEKS, at most MAX_WEEKS.
FOR_WEEKS = 4
MAX_WEEKS = 12
MIN_OVERLAP = 10  # days a month must share with the span prospecting decides
LANDS = 1 / 3  # of the best month's share of new prospects' wins, for a month they can fill
# A stop: at least STOP_WEEKS weeks in a row with at most STOP_SHARE of the usual new
# prospects, the usual being the mean of the USUAL_WEEKS before, at least one a week.
STOP_WEEKS = 3
STOP_SHARE = 0.25
USUAL_WEEKS = 8
DIP_WITHIN = 6  # months after a stop in which income is looked at
MIN_STOPS = 2  # times it happened before a pattern is named
ALIKE = 0.9  # a funnel this share as full as at a stop, or fuller, is as full


@dataclass(frozen=True)
class DrySpell:
    month: date  # the first day of the month that falls short
    weeks_ahead: int
    share: int  # the forecast's P50 as a percentage of the target, rounded to 5
    prospects_per_week: int | None  # more a week for for_weeks weeks; None if too late to help
    for_weeks: int

    @property
    def text(self) -> str:
        if self.share < 5:
            when = ngettext(
                "In about %(weeks)d week income falls to almost nothing",
                "In about %(weeks)d weeks income falls to almost nothing",
                self.weeks_ahead,
            ) % {"weeks": self.weeks_ahead}
        else:
            when = ngettext(
                "In about %(weeks)d week income falls to about %(share)d %% of your target",
                "In about %(weeks)d weeks income falls to about %(share)d %% of your target",
                self.weeks_ahead,
            ) % {"weeks": self.weeks_ahead, "share": self.share}
        return percent_kept_together(self.sentence(when))

    def sentence(self, when: str) -> str:
        if self.prospects_per_week is None:
            return _(
                "%(when)s: prospecting now can no longer fill it, but it fills the months after."
            ) % {"when": when}
        return ngettext(
            "%(when)s: add %(count)d prospect a week for the next %(for_weeks)d weeks.",
            "%(when)s: add %(count)d prospects a week for the next %(for_weeks)d weeks.",
            self.prospects_per_week,
        ) % {"when": when, "count": self.prospects_per_week, "for_weeks": self.for_weeks}


def dry_spell(
    forecast: Forecast, *, target: float, tolerance: int, cycle_days: int
) -> DrySpell | None:
    """The first month one to two normal sales cycles ahead whose P50 falls below the target
    by more than tolerance per cent.

    Those months are the ones prospecting decides: deals already in the funnel close sooner,
    and prospects found today are won about a cycle from now.
    """
    if target <= 0:
        return None
    start = forecast.as_of + timedelta(days=1)
    earliest, latest = start + timedelta(days=cycle_days), start + timedelta(days=2 * cycle_days)
    decided = [
        (index, month)
        for index, month in enumerate(forecast.months)
        if (min(add_months(month.first, 1), latest) - max(month.first, earliest)).days
        >= MIN_OVERLAP
    ]
    short = [(i, m) for i, m in decided if m.total.p50 < target * (1 - tolerance / 100)]
    if not short:
        return None
    # The first month short is when the dip begins: what to prepare for, and the soonest.
    index, month = short[0]
    gap = target - month.total.p50
    weeks_ahead = max(1, round((max(month.first, start) - start).days / 7))
    for_weeks = min(MAX_WEEKS, max(FOR_WEEKS, weeks_ahead - round(cycle_days / 7)))
    rows = forecast.per_prospect[:for_weeks]
    landing = [sum(row[m] for row in rows) for m in range(len(forecast.months))]
    # Prospects found in the next weeks that mostly land after this month (or before it)
    # cannot fill it: asking for dozens a week would not help.
    in_time = landing[index] > 0 and landing[index] >= LANDS * max(landing)
    count = math.ceil(gap / landing[index]) if in_time else None
    return DrySpell(
        month=month.first,
        weeks_ahead=weeks_ahead,
        share=5 * round(100 * month.total.p50 / target / 5),
        prospects_per_week=count,
        for_weeks=min(for_weeks, len(rows)),
    )


@dataclass(frozen=True)
class Stop:
    week: date  # the Monday prospecting stopped
    fullness: int  # open opportunities in the funnel (In and Best few) that week
    dip_months_later: int | None  # income fell below the usual this many months later


def past_stops(
    weeks: Sequence[date],
    entries: Sequence[int],
    in_funnel: Sequence[int],
    months: Sequence[date],
    won: Sequence[float],
    *,
    tolerance: int,
) -> list[Stop]:
    """The times prospecting stopped, oldest first, from complete weeks of history.

    weeks are Mondays with the new prospects (entries) and the open opportunities In and Best
    few (in_funnel) at their start; months are first days with the value won in each.
    """
    found = []
    week = USUAL_WEEKS
    while week + STOP_WEEKS <= len(weeks):
        usual = statistics.fmean(entries[week - USUAL_WEEKS : week])
        quiet = all(n <= STOP_SHARE * usual for n in entries[week : week + STOP_WEEKS])
        if usual >= 1 and quiet:
            found.append(
                Stop(weeks[week], in_funnel[week], dip_after(weeks[week], months, won, tolerance))
            )
            week += STOP_WEEKS
            while week < len(weeks) and entries[week] <= STOP_SHARE * usual:
                week += 1
        week += 1
    return found


def dip_after(
    stopped: date, months: Sequence[date], won: Sequence[float], tolerance: int
) -> int | None:
    """Months from the stop to the first month whose income fell below the usual: the mean of
    the twelve months before it, less the tolerance."""
    stop_month = stopped.replace(day=1)
    index = {month: i for i, month in enumerate(months)}
    if stop_month not in index:
        return None
    at = index[stop_month]
    before = won[max(0, at - 12) : at]
    if len(before) < 3:
        return None
    usual = statistics.fmean(before)
    for later in range(1, DIP_WITHIN + 1):
        if at + later >= len(won):
            return None
        if won[at + later] < usual * (1 - tolerance / 100):
            return later
    return None


@dataclass(frozen=True)
class StopAhead:
    times: int
    months_later: int

    @property
    def text(self) -> str:
        return ngettext(
            "The last %(times)d times your funnel was this full, you stopped prospecting and "
            "income fell %(months)d month later: keep this week's blocks.",
            "The last %(times)d times your funnel was this full, you stopped prospecting and "
            "income fell %(months)d months later: keep this week's blocks.",
            self.months_later,
        ) % {"times": self.times, "months": self.months_later}


def stop_ahead(stops: Sequence[Stop], *, fullness: int, prospecting: bool) -> StopAhead | None:
    """Warn while the user still prospects, when the funnel is as full as it was when they
    stopped before, and income fell after those stops."""
    if not prospecting or fullness <= 0:
        return None
    alike = [s for s in stops if s.dip_months_later is not None and fullness >= ALIKE * s.fullness]
    if len(alike) < MIN_STOPS:
        return None
    months = round(statistics.median(s.dip_months_later or 0 for s in alike))
    return StopAhead(times=len(alike), months_later=months)


def still_prospecting(entries: Sequence[int]) -> bool:
    """Whether the last week brought new prospects at a usual pace (no stop under way)."""
    if not entries:
        return False
    usual = statistics.fmean(entries[-USUAL_WEEKS - 1 : -1]) if len(entries) > 1 else 0.0
    return entries[-1] > STOP_SHARE * usual
