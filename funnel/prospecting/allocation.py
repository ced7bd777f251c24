"""Time allocation (docs/method.md §1): the selling time each level got, against its target.

An activity's minutes count at the level its opportunity had when the activity happened, read
from the opportunity's level history. Minutes with no open level (no opportunity, or one that
was won, lost, dead or nurtured) are kept apart: they are not selling time at a level.

The pure part (`level_at`, `split_minutes`, `Span`, `level_times`) works on plain data;
`load_split` reads a period's minutes (kept in the cache per data version, `minutes_by_day`) and
adds the prospecting blocks kept in it. It lives with prospecting because blocks are time too.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone

from funnel.accounts.models import Profile
from funnel.prospecting.facts import prospecting_minutes
from funnel.sales.models import OPEN_LEVELS, Activity, Level, LevelChange

# Minutes spent at one level outside activities, such as a prospecting block: (minutes, level).
ExtraMinutes = Iterable[tuple[int, str]]


@dataclass(frozen=True)
class Move:
    """One entry of an opportunity's level history."""

    at: dt.datetime
    from_level: str  # empty when the opportunity was created
    to_level: str


@dataclass(frozen=True)
class Logged:
    """One activity with minutes; `level` is its opportunity's level today ("" without one)."""

    occurred: dt.datetime
    minutes: int
    opportunity_id: int | None
    level: str = ""


@dataclass(frozen=True)
class Split:
    """Minutes per open level, and the minutes that were at none."""

    minutes: dict[str, int] = field(default_factory=dict)
    other: int = 0

    @property
    def total(self) -> int:
        return sum(self.minutes.values())

    def share(self, level: str) -> int | None:
        """The level's percentage of the time at open levels; None when there was none."""
        if not self.total:
            return None
        return round(100 * self.minutes.get(level, 0) / self.total)


def level_at(moves: Sequence[Move], moment: dt.datetime, current: str) -> str:
    """The level an opportunity had at `moment`, given its moves in time order.

    Before its first move (an activity dated before the opportunity was created) it had the
    level that move left, or the one it was created at; without any history, its level today.
    """
    level = ""
    for move in moves:
        if move.at > moment:
            break
        level = move.to_level
    if level:
        return level
    if moves:
        return moves[0].from_level or moves[0].to_level
    return current


def split_minutes(
    activities: Iterable[Logged],
    moves: dict[int, list[Move]],
    extra: ExtraMinutes = (),
) -> Split:
    """Add up minutes per open level; `extra` adds minutes already placed at a level."""
    minutes: dict[str, int] = defaultdict(int)
    other = 0
    placed = [(a.minutes, at_level(a, moves)) for a in activities if a.minutes > 0]
    placed += extra
    for spent, level in placed:
        if level in OPEN_LEVELS:
            minutes[level] += spent
        else:
            other += spent
    return Split({level: minutes[level] for level in OPEN_LEVELS}, other)


def at_level(activity: Logged, moves: dict[int, list[Move]]) -> str:
    if activity.opportunity_id is None:
        return ""
    return level_at(moves.get(activity.opportunity_id, []), activity.occurred, activity.level)


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Span:
    """A calendar week (Monday to Sunday) or month, as days; `after` is the day after it."""

    period: Period
    first: dt.date
    after: dt.date

    @classmethod
    def containing(cls, period: Period, day: dt.date) -> "Span":
        if period == Period.WEEK:
            first = day - dt.timedelta(days=day.weekday())
            return cls(period, first, first + dt.timedelta(days=7))
        first = day.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(period, first, after)

    @property
    def last(self) -> dt.date:
        return self.after - dt.timedelta(days=1)

    def previous(self) -> "Span":
        return Span.containing(self.period, self.first - dt.timedelta(days=1))

    def next(self) -> "Span":
        return Span.containing(self.period, self.after)

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """From midnight of the first day to midnight after the last, in the user's zone."""
        start = dt.datetime.combine(self.first, dt.time(), zone)
        return start, dt.datetime.combine(self.after, dt.time(), zone)


@dataclass(frozen=True)
class LevelTime:
    """One row of the report: a level's minutes and share against its target."""

    level: Level
    minutes: int
    share: int | None
    target: int

    @property
    def gap(self) -> int | None:
        """Percentage points above (positive) or below the target."""
        return None if self.share is None else self.share - self.target


def targets(profile: Profile) -> dict[str, int]:
    return {
        Level.ABOVE: profile.time_above_percent,
        Level.IN: profile.time_in_percent,
        Level.BEST_FEW: profile.time_best_few_percent,
    }


def level_times(split: Split, profile: Profile) -> list[LevelTime]:
    goal = targets(profile)
    return [
        LevelTime(level, split.minutes.get(level, 0), split.share(level), goal[level])
        for level in OPEN_LEVELS
    ]


def load_split(user: User, start: dt.datetime, end: dt.datetime, extra: ExtraMinutes = ()) -> Split:
    """The user's minutes per level from `start` to `end` (excluded): one query for the cache's
    version, two more when the period changed, and one for the blocks kept.

    `extra` is the extension point for time that is not an activity: prospecting blocks pass
    `[(minutes, Level.ABOVE), ...]` (prospecting is work above the funnel).
    """
    placed = [
        (minutes, level) for (_day, level), minutes in minutes_by_day(user, start, end).items()
    ]
    # Prospecting blocks kept are time above the funnel.
    blocks = prospecting_minutes(user, start, end)
    extra = [*extra, (blocks, Level.ABOVE)] if blocks else extra
    return split_minutes([], {}, [*placed, *extra])


# (local day, level at the time) -> minutes
DayMinutes = dict[tuple[dt.date, str], int]


def minutes_by_day(user: User, start: dt.datetime, end: dt.datetime) -> DayMinutes:
    """The user's activity minutes per local day and level at the time, from `start` to `end`.

    The one place time per level is measured (the report, the board, goals, Today's health).
    Kept in the cache until the period's activities change: reading a busy month's activities
    and their opportunities' history takes a while, and a past activity keeps its level, since
    the history only moves forward. The day is in the key for activities dated ahead.
    """
    version = minutes_version(user, start, end)
    parts = [user.pk, start.timestamp(), end.timestamp(), dt.date.today(), *version]
    key = "minutes-by-day:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found: DayMinutes | None = cache.get(key)
    if found is None:
        found = count_by_day(user, start, end)
        cache.set(key, found, timeout=KEPT_SECONDS)
    return found


def minutes_version(
    user: User, start: dt.datetime, end: dt.datetime
) -> tuple[int, dt.datetime | None, int | None]:
    """A version of the user's activity minutes from `start` to `end`: how many activities (one
    deleted), the newest (one added) and their minutes (one edited). What is kept in the cache
    from them is kept under it. By the user alone, not through their teams: the index on
    (by, occurred, ...) covers it."""
    version = Activity.objects.filter(
        by=user, occurred__gte=start, occurred__lt=end, minutes__gt=0
    ).aggregate(count=Count("pk"), last=Max("created"), total=Sum("minutes"))
    return version["count"], version["last"], version["total"]


def count_by_day(user: User, start: dt.datetime, end: dt.datetime) -> DayMinutes:
    zone = user.profile.zone
    activities, moves = load_logged(user, start, end)
    days: DayMinutes = defaultdict(int)
    for activity in activities:
        day = timezone.localdate(activity.occurred, zone)
        days[(day, at_level(activity, moves))] += activity.minutes
    return dict(days)


KEPT_SECONDS = 24 * 3600


def load_logged(
    user: User, start: dt.datetime, end: dt.datetime
) -> tuple[list[Logged], dict[int, list[Move]]]:
    """The user's activities with minutes in the period, and their opportunities' level history
    (two queries): what `at_level` needs to place each activity at a level."""
    rows = Activity.objects.visible_to(user).filter(
        by=user, occurred__gte=start, occurred__lt=end, minutes__gt=0
    )
    activities = [
        Logged(occurred, minutes, opportunity_id, level or "")
        for occurred, minutes, opportunity_id, level in rows.values_list(
            "occurred", "minutes", "opportunity_id", "opportunity__level"
        )
    ]
    moves: dict[int, list[Move]] = defaultdict(list)
    if any(a.opportunity_id for a in activities):
        # A subquery rather than a list of ids: a busy month can't outgrow the parameter limit.
        changes = LevelChange.objects.filter(opportunity__in=rows.values("opportunity_id"))
        for opportunity_id, at, from_level, to_level in changes.order_by(
            "opportunity_id", "at", "pk"
        ).values_list("opportunity_id", "at", "from_level", "to_level"):
            moves[opportunity_id].append(Move(at, from_level, to_level))
    return activities, moves
