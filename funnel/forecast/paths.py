"""An opportunity's life as plain data, and the shapes read off many of them.

A Path is one opportunity's moves between levels, oldest first, the first being its creation.
Everything here is a plain function over paths: the forecast (funnel.forecast.model), the
alerts (funnel.forecast.alerts) and the Reports charts all read their history from it, and the
tests build paths by hand.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

# Levels as funnel.sales.models.Level spells them; plain strings keep this module free of Django.
ABOVE, IN, BEST_FEW, WON = "above", "in", "best_few", "won"
OPEN = (ABOVE, IN, BEST_FEW)
EXITS = ("lost", "dead", "nurture")
# Not a level: the stay that starts when an opportunity is created, whatever its first level.
# New prospects found later are forecast from it.
ENTRY = "entry"


@dataclass(frozen=True)
class Path:
    moves: tuple[tuple[date, str], ...]  # (day, level reached), oldest first
    value: float  # in the user's currency; 0 when not known

    def known_on(self, as_of: date) -> "Path | None":
        """The path as it was known at the end of as_of; None if it did not exist yet."""
        if self.moves[-1][0] <= as_of:
            return self
        moves = tuple(move for move in self.moves if move[0] <= as_of)
        if not moves:
            return None
        return self if len(moves) == len(self.moves) else Path(moves, self.value)

    @property
    def created(self) -> date:
        return self.moves[0][0]

    @property
    def level(self) -> str:
        return self.moves[-1][1]

    @property
    def won_on(self) -> date | None:
        return self.moves[-1][0] if self.level == WON else None

    def arrival(self, level: str) -> date | None:
        """When it first reached level (its creation for ENTRY)."""
        if level == ENTRY:
            return self.created if self.moves[0][1] in OPEN else None
        return next((day for day, reached in self.moves if reached == level), None)


class Stay(NamedTuple):
    """From reaching a level to the path's outcome, or to now when it has none yet."""

    level: str
    days: int
    outcome: str  # "won", "exit" or "open"


def stays(paths: Iterable[Path], *, as_of: date, since: date) -> list[Stay]:
    """Each path's stay at each open level (and from its entry) that began on or after since.

    The clock runs from the first arrival at a level to the path's outcome, through any moves
    in between: what the forecast needs is how often, and how long after, a deal at that level
    ends up won.
    """
    found = []
    end = as_of.toordinal() + 1
    first_allowed = since.toordinal()
    for path in paths:
        last_day, last_level = path.moves[-1]
        if last_level == WON:
            outcome, ended = "won", last_day.toordinal()
        elif last_level in EXITS:
            outcome, ended = "exit", last_day.toordinal()
        else:
            outcome, ended = "open", end
        first_day, first_level = path.moves[0]
        if first_level in OPEN and first_day.toordinal() >= first_allowed:
            found.append(Stay(ENTRY, max(0, ended - first_day.toordinal()), outcome))
        seen = set()
        for day, level in path.moves:
            if level in OPEN and level not in seen:
                seen.add(level)
                arrived = day.toordinal()
                if arrived >= first_allowed:
                    found.append(Stay(level, max(0, ended - arrived), outcome))
    return found


def monthly_won(paths: Iterable[Path], months: Sequence[date]) -> list[float]:
    """Value won in each month (each a first day), in the order given."""
    index = {month: i for i, month in enumerate(months)}
    totals = [0.0] * len(months)
    for path in paths:
        won_on = path.won_on
        if won_on is not None and (i := index.get(won_on.replace(day=1))) is not None:
            totals[i] += path.value
    return totals


def weekly_entries(paths: Iterable[Path], weeks: Sequence[date]) -> list[int]:
    """New opportunities entering the funnel in each week (each a Monday), in order."""
    counts = [0] * len(weeks)
    if not weeks:
        return counts
    first, last = weeks[0], weeks[-1] + timedelta(days=7)
    for path in paths:
        created = path.arrival(ENTRY)
        if created is not None and first <= created < last:
            counts[(created - first).days // 7] += 1
    return counts


def level_on(path: Path, day: date) -> str | None:
    """The level the path had at the start of day (None before it existed)."""
    level = None
    for moved, reached in path.moves:
        if moved >= day:
            break
        level = reached
    return level


def weekly_funnel(paths: Iterable[Path], weeks: Sequence[date]) -> dict[str, list[int]]:
    """Open opportunities at each level at the start of each week, rebuilt from the moves."""
    counts = {level: [0] * len(weeks) for level in OPEN}
    if not weeks:
        return counts
    first = weeks[0]
    size = len(weeks)

    def first_week_after(day: date) -> int:
        """The first week whose start falls after day (level_on's 'at the start of')."""
        return min(size, max(0, (day - first).days // 7 + 1))

    for path in paths:
        # Each stretch at an open level counts in every week that starts inside it.
        for i, (moved, reached) in enumerate(path.moves):
            if reached not in OPEN:
                continue
            stop = size if i + 1 == len(path.moves) else first_week_after(path.moves[i + 1][0])
            row = counts[reached]
            for week in range(first_week_after(moved), stop):
                row[week] += 1
    return counts


@dataclass(frozen=True)
class Conversion:
    level: str
    reached: int  # stays at this level that have ended
    won: int
    median_days: float | None  # at this level before moving on

    @property
    def rate(self) -> float | None:
        return self.won / self.reached if self.reached else None


def conversions(paths: Sequence[Path], *, as_of: date, since: date) -> list[Conversion]:
    """From each open level: how many that reached it ended won, and the median days there."""
    ended: dict[str, list[Stay]] = {level: [] for level in OPEN}
    for stay in stays(paths, as_of=as_of, since=since):
        if stay.level in ended and stay.outcome != "open":
            ended[stay.level].append(stay)
    at_level = days_at_levels(paths, as_of=as_of, since=since)
    return [
        Conversion(
            level,
            len(ended[level]),
            sum(1 for stay in ended[level] if stay.outcome == "won"),
            statistics.median(at_level[level]) if at_level[level] else None,
        )
        for level in OPEN
    ]


def days_at_levels(paths: Iterable[Path], *, as_of: date, since: date) -> dict[str, list[int]]:
    """Days spent at each open level before leaving it; stays not ended yet are left out."""
    days: dict[str, list[int]] = {level: [] for level in OPEN}
    for path in paths:
        for (arrived, level), (left, _next) in zip(path.moves, path.moves[1:], strict=False):
            if level in days and arrived >= since and left <= as_of:
                days[level].append((left - arrived).days)
    return days


def month_starts(first: date, count: int) -> list[date]:
    """count first-days-of-month from first's month on."""
    year, month = first.year, first.month
    found = []
    for _ in range(count):
        found.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def average_won_month(paths: Iterable[Path], as_of: date) -> float:
    """The value won per month over the twelve months up to as_of (the default target)."""
    since = as_of - timedelta(days=365)
    return sum(p.value for p in paths if p.won_on is not None and since < p.won_on <= as_of) / 12
