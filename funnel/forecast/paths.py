"""An opportunity's life as plain data, and the shapes read off many of them.

A Path is one opportunity's moves between levels, oldest first, the first being its creation.
A History is many paths as they were known at the end of a day, held as columns (numpy) so
that tens of thousands of moves are read in a few passes: the forecast
(funnel.forecast.model), the alerts (funnel.forecast.alerts) and the Reports charts all read
their history from it, and the tests build paths by hand.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

# Levels as funnel.sales.models.Level spells them; plain strings keep this module free of Django.
ABOVE, IN, BEST_FEW, WON = "above", "in", "best_few", "won"
OPEN = (ABOVE, IN, BEST_FEW)
EXITS = ("lost", "dead", "nurture")
LEVELS = (*OPEN, WON, *EXITS)
# Not a level: the stay that starts when an opportunity is created, whatever its first level.
# New prospects found later are forecast from it.
ENTRY = "entry"

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CODE = {level: code for code, level in enumerate(LEVELS)}
OPEN_CODES = [CODE[level] for level in OPEN]
EXIT_CODES = [CODE[level] for level in EXITS]
NEVER = np.iinfo(np.int64).max // 2  # the next move of a path that has not moved again
EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Path:
    moves: tuple[tuple[date, str], ...]  # (day, level reached), oldest first
    value: float  # in the user's currency; 0 when not known

    def known_on(self, as_of: date) -> "Path | None":
        """The path as it was known at the end of as_of; None if it did not exist yet."""
        if self.moves[-1][0] <= as_of:
            return self
        moves = tuple(move for move in self.moves if move[0] <= as_of)
        return Path(moves, self.value) if moves else None

    @property
    def created(self) -> date:
        return self.moves[0][0]

    @property
    def level(self) -> str:
        return self.moves[-1][1]

    @property
    def won_on(self) -> date | None:
        return self.moves[-1][0] if self.level == WON else None


class Stays(NamedTuple):
    """Each stay at one level: from reaching it to the path's outcome, or to the day after
    as_of when it has none yet."""

    days: IntArray
    won: BoolArray
    out: BoolArray  # lost, dead or nurtured; neither won nor out: still open


class History:
    """Paths as known at the end of as_of, as columns: one row per move (days as ordinals,
    levels as codes into LEVELS), and per path its value, last level and last day."""

    def __init__(self, paths: Sequence[Path], as_of: date) -> None:
        counts = [len(path.moves) for path in paths]
        total = sum(counts)
        self.fill(
            path=np.repeat(np.arange(len(paths), dtype=np.int64), counts),
            day=np.fromiter(
                (d.toordinal() for p in paths for d, _ in p.moves), dtype=np.int64, count=total
            ),
            level=np.fromiter(
                (CODE[level] for p in paths for _, level in p.moves), dtype=np.int64, count=total
            ),
            value=np.array([p.value for p in paths], dtype=np.float64),
            as_of=as_of,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        path: IntArray,
        day: IntArray,
        level: IntArray,
        value: FloatArray,
        first_contact: IntArray,
        as_of: date,
    ) -> "History":
        """Moves sorted by path then day (path an index into value), as funnel.forecast.facts
        reads them from the database without building a Path each.

        first_contact is each opportunity's first contact (an ordinal): it enters the funnel
        then, or at its first move if that came sooner, whatever level it was created at. An
        opportunity imported already won was still found and won: its creation in Funnel is
        not when the prospect was found.
        """
        history = cls.__new__(cls)
        history.fill(path=path, day=day, level=level, value=value, as_of=as_of)
        known = history.last_level >= 0
        history.entered = np.where(known, np.minimum(first_contact, history.first_day), 0)
        history.entry_known = known & (first_contact <= history.end)
        return history

    def fill(
        self, *, path: IntArray, day: IntArray, level: IntArray, value: FloatArray, as_of: date
    ) -> None:
        self.as_of = as_of
        self.end = as_of.toordinal()
        known = day <= self.end
        self.path, self.day, self.level = path[known], day[known], level[known]
        same_path = self.path[1:] == self.path[:-1]
        self.first = np.concatenate([[True], ~same_path]) if len(self.path) else self.path > 0
        self.last = np.concatenate([~same_path, [True]]) if len(self.path) else self.path > 0
        self.next_day = np.where(self.last, NEVER, np.roll(self.day, -1))
        self.value = value
        self.last_level = np.full(len(value), -1, dtype=np.int64)
        self.last_level[self.path[self.last]] = self.level[self.last]
        self.last_day = np.zeros(len(value), dtype=np.int64)
        self.last_day[self.path[self.last]] = self.day[self.last]
        self.first_day = np.zeros(len(value), dtype=np.int64)
        self.first_day[self.path[self.first]] = self.day[self.first]
        # Built from paths, a path enters the funnel when it is created at an open level.
        first_level = np.full(len(value), -1, dtype=np.int64)
        first_level[self.path[self.first]] = self.level[self.first]
        self.entered = self.first_day
        self.entry_known = np.isin(first_level, OPEN_CODES)

    def won_paths(self, since: int = 0, until: int = NEVER) -> IntArray:
        """The paths that ended won, on a day (an ordinal) from since up to, not including,
        until."""
        won = self.last_level == CODE[WON]
        return np.flatnonzero(won & (self.last_day >= since) & (self.last_day < until))

    def open_paths(self, level: str) -> IntArray:
        return np.flatnonzero(self.last_level == CODE[level])

    def arrivals(self, level: str) -> tuple[IntArray, IntArray]:
        """(paths, day) of each path's first arrival at level; for ENTRY, when it entered the
        funnel (its creation at an open level, or its first contact: from_columns)."""
        if level == ENTRY:
            entering = np.flatnonzero(self.entry_known)
            return entering, self.entered[entering]
        at_level = np.flatnonzero(self.level == CODE[level])
        paths = self.path[at_level]
        chosen = at_level[np.concatenate([[True], paths[1:] != paths[:-1]])[: len(paths)]]
        return self.path[chosen], self.day[chosen]


def stays(history: History, *, since: date) -> dict[str, Stays]:
    """Each path's stay at each open level (and from its entry) that began on or after since.

    The clock runs from the first arrival at a level to the path's outcome, through any moves
    in between: what the forecast needs is how often, and how long after, a deal at that level
    ends up won.
    """
    won = history.last_level == CODE[WON]
    out = np.isin(history.last_level, EXIT_CODES)
    ended = np.where(won | out, history.last_day, history.end + 1)
    found = {}
    for level in (ENTRY, *OPEN):
        paths, arrived = history.arrivals(level)
        chosen = arrived >= since.toordinal()
        paths, arrived = paths[chosen], arrived[chosen]
        found[level] = Stays(np.maximum(0, ended[paths] - arrived), won[paths], out[paths])
    return found


def months_of(ordinals: IntArray) -> IntArray:
    """Each day's month, counted as year * 12 + month - 1."""
    months = (ordinals - EPOCH).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def month_number(month: date) -> int:
    return month.year * 12 + month.month - 1


def monthly_won(history: History, months: Sequence[date]) -> list[float]:
    """Value won in each month (each a first day), in the order given."""
    if not months:
        return []
    won = history.won_paths()
    index = months_of(history.last_day[won]) - month_number(months[0])
    inside = (index >= 0) & (index < len(months))
    totals = np.bincount(index[inside], history.value[won][inside], minlength=len(months))
    return [float(total) for total in totals[: len(months)]]


def average_won_month(history: History) -> float:
    """The value won per month over the twelve months up to as_of (the default target)."""
    year = history.won_paths(since=history.end - 364, until=history.end + 1)
    return float(history.value[year].sum()) / 12


def weekly_entries(history: History, weeks: Sequence[date]) -> list[int]:
    """New opportunities entering the funnel in each week (each a Monday), in order."""
    if not weeks:
        return []
    _paths, created = history.arrivals(ENTRY)
    index = (created - weeks[0].toordinal()) // 7
    inside = (index >= 0) & (index < len(weeks))
    return [int(n) for n in np.bincount(index[inside], minlength=len(weeks))]


def weekly_funnel(history: History, weeks: Sequence[date]) -> dict[str, list[int]]:
    """Open opportunities at each level at the start of each week, rebuilt from the moves: a
    stretch at a level from day a to the next move on day b is there at the start of each day
    after a, up to b."""
    starts = np.array([week.toordinal() for week in weeks], dtype=np.int64)
    counts = {}
    for level in OPEN:
        at_level = history.level == CODE[level]
        first = np.searchsorted(starts, history.day[at_level], side="right")
        stop = np.searchsorted(starts, history.next_day[at_level], side="right")
        change = np.bincount(first, minlength=len(weeks) + 1)
        change -= np.bincount(stop, minlength=len(weeks) + 1)
        counts[level] = [int(n) for n in np.cumsum(change)[: len(weeks)]]
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


def conversions(
    history: History, *, since: date, found: dict[str, Stays] | None = None
) -> list[Conversion]:
    """From each open level: how many that reached it ended won, and the median days there
    (stretches that have not ended yet are left out: they would pull the median down)."""
    found = found if found is not None else stays(history, since=since)
    left = history.next_day <= history.end
    began = history.day >= since.toordinal()
    result = []
    for level in OPEN:
        ended = found[level].won | found[level].out
        stretch = (history.level == CODE[level]) & left & began
        days = history.next_day[stretch] - history.day[stretch]
        result.append(
            Conversion(
                level,
                int(ended.sum()),
                int(found[level].won.sum()),
                float(np.median(days)) if days.size else None,
            )
        )
    return result


def level_on(path: Path, day: date) -> str | None:
    """The level the path had at the start of day (None before it existed)."""
    level = None
    for moved, reached in path.moves:
        if moved >= day:
            break
        level = reached
    return level


def month_starts(first: date, count: int) -> list[date]:
    """count first-days-of-month from first's month on."""
    return [add_months(first.replace(day=1), n) for n in range(count)]


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
