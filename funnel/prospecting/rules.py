"""Sacred prospecting blocks (docs/method.md §4) as pure functions: plain data in, plain data out.

A block recurs by an iCalendar rule (RFC 5545 RRULE) that dateutil expands in the owner's
local wall time, so a Tuesday 9:00 block stays at 9:00 across daylight-saving changes.
funnel.prospecting.facts loads the data; funnel.prospecting.actions writes what these decide.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from dateutil import rrule  # type: ignore[import-untyped]  # no stubs installed
from django.utils.translation import gettext as _

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# How much an outcome is worth in the honoured rate; a moved block counts as its new slot went.
T = TypeVar("T")
SCORES = {"honoured": 1.0, "partly": 0.5, "missed": 0.0}


class State(StrEnum):
    UPCOMING = "upcoming"
    IN_PROGRESS = "in_progress"
    TO_MARK = "to_mark"
    MARKED = "marked"


@dataclass(frozen=True)
class BlockPlan:
    """A block as the rules need it: its first start in local wall time and its rule."""

    pk: int
    title: str
    first: datetime  # naive: the owner's wall time
    minutes: int
    rule: str  # an RRULE value, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
    zone: ZoneInfo


@dataclass(frozen=True)
class Mark:
    """What the user said about an occurrence."""

    outcome: str  # honoured, partly, missed or moved
    moved_start: datetime | None = None
    moved_end: datetime | None = None
    moved_outcome: str = ""  # how the moved slot went, once marked


@dataclass(frozen=True)
class Occurrence:
    block: BlockPlan
    start: datetime  # the planned start, aware: with the block, it names the occurrence
    end: datetime
    mark: Mark | None = None

    @property
    def moved(self) -> bool:
        return self.mark is not None and self.mark.outcome == "moved"

    @property
    def slot(self) -> tuple[datetime, datetime]:
        """Where the time actually is: the new slot of a moved block, else the planned one."""
        if self.mark and self.mark.moved_start and self.mark.moved_end:
            return self.mark.moved_start, self.mark.moved_end
        return self.start, self.end

    @property
    def outcome(self) -> str:
        """honoured, partly or missed; a moved one as its new slot went; "" while unknown."""
        if self.mark is None:
            return ""
        return self.mark.moved_outcome if self.moved else self.mark.outcome

    @property
    def key(self) -> str:
        """Names the occurrence in forms and anchors: the block and its planned start in UTC."""
        return f"{self.block.pk}-{self.start.timestamp():.0f}"


# Building and reading the rule


def build_rule(
    *, weekdays: Sequence[str], interval: int, until: date | None, first: datetime
) -> str:
    """The RRULE value for "these weekdays, every `interval` weeks, until a day", by dateutil."""
    days = [getattr(rrule, day) for day in WEEKDAYS if day in weekdays]
    last = datetime.combine(until, time(23, 59, 59)) if until else None
    text = str(
        rrule.rrule(rrule.WEEKLY, interval=interval, byweekday=days, dtstart=first, until=last)
    )
    return next(line for line in text.splitlines() if line.startswith("RRULE:"))[6:]


def rule_parts(rule: str) -> dict[str, str]:
    """The rule's parts by name, for showing it: {"FREQ": "WEEKLY", "BYDAY": "TU,TH", ...}."""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def ended_rule(plan: BlockPlan, at: datetime) -> str:
    """The same rule, with no occurrence starting after `at` (stopping a block keeps its past)."""
    last = at.astimezone(plan.zone).replace(tzinfo=None, microsecond=0)
    text = str(parsed(plan).replace(until=last))
    return next(line for line in text.splitlines() if line.startswith("RRULE:"))[6:]


def parsed(plan: BlockPlan, near: datetime | None = None) -> rrule.rrule:
    """The rule, starting as late as it can before `near` (local wall time) and still give the
    same occurrences from there on: expanding it then costs the window asked for, not every
    week since the block began (a block dated in year 1 took seconds a page)."""
    rule = rrule.rrulestr(plan.rule, dtstart=plan.first, forceset=False)
    assert isinstance(rule, rrule.rrule)
    parts = rule_parts(plan.rule)
    if near is None or parts.get("FREQ") != "WEEKLY" or "COUNT" in parts:
        return rule
    # Whole multiples of the rule's interval keep its weeks, weekdays and wall time.
    step = timedelta(weeks=int(parts.get("INTERVAL", "1")))
    return rule.replace(dtstart=latest_start(plan.first, near - step, step))


def latest_start(first: datetime, since: datetime, step: timedelta) -> datetime:
    """The latest `first + k * step` (k >= 0) at or before `since`."""
    if first >= since:
        return first
    return first + (since - first) // step * step


# Occurrences


def occurrences(plan: BlockPlan, start: datetime, end: datetime) -> list[Occurrence]:
    """The block's occurrences overlapping [start, end), expanded in local wall time."""
    length = timedelta(minutes=plan.minutes)
    since = (start - length).astimezone(plan.zone).replace(tzinfo=None)
    until = end.astimezone(plan.zone).replace(tzinfo=None)
    found = []
    for local in parsed(plan, near=since).between(since, until, inc=True):
        begins = local.replace(tzinfo=plan.zone)
        if begins < end and begins + length > start:
            found.append(Occurrence(plan, begins, begins + length))
    return found


def is_occurrence(plan: BlockPlan, start: datetime) -> bool:
    local = start.astimezone(plan.zone).replace(tzinfo=None)
    return bool(parsed(plan, near=local).between(local, local, inc=True))


def with_marks(
    found: Iterable[Occurrence], marks: dict[tuple[int, datetime], Mark]
) -> list[Occurrence]:
    return [Occurrence(o.block, o.start, o.end, marks.get((o.block.pk, o.start))) for o in found]


def state(occurrence: Occurrence, now: datetime) -> State:
    """Upcoming, in progress, to mark once over, marked when its outcome is known."""
    if occurrence.outcome:
        return State.MARKED
    begins, ends = occurrence.slot
    if now < begins:
        return State.UPCOMING
    return State.IN_PROGRESS if now < ends else State.TO_MARK


# Marking


def same_iso_week(a: datetime, b: datetime, zone: ZoneInfo) -> bool:
    return a.astimezone(zone).isocalendar()[:2] == b.astimezone(zone).isocalendar()[:2]


def mark_error(
    occurrence: Occurrence,
    *,
    outcome: str,
    now: datetime,
    moved_start: datetime | None = None,
    moved_end: datetime | None = None,
) -> str | None:
    """Why this mark is refused, or None. Moving needs a new slot in the same week."""
    if state(occurrence, now) != State.TO_MARK:
        return _("You can mark a block once it has ended, and only once.")
    if occurrence.moved and outcome == "moved":
        return _("This block was moved already: say how the new slot went.")
    if outcome != "moved":
        return None
    if moved_start is None or moved_end is None:
        return _("Choose the new slot: when it starts and when it ends.")
    if moved_end <= moved_start:
        return _("The new slot must end after it starts.")
    if not (
        same_iso_week(moved_start, occurrence.start, occurrence.block.zone)
        and same_iso_week(moved_end - timedelta(seconds=1), occurrence.start, occurrence.block.zone)
    ):
        return _(
            "A prospecting block is sacred: move it within the same week (Monday to Sunday), "
            "or mark it missed."
        )
    return None


# The honoured rate


@dataclass(frozen=True)
class Rate:
    score: float  # honoured = 1, partly = 0.5, missed or unmarked = 0
    counted: int  # ended occurrences counted

    @property
    def percent(self) -> int | None:
        return round(100 * self.score / self.counted) if self.counted else None


def honoured_rate(found: Iterable[Occurrence], now: datetime) -> Rate:
    """Over the occurrences that have ended; an unmarked one counts as missed until marked, a
    moved one counts once its new slot is over."""
    score, counted = 0.0, 0
    for occurrence in found:
        if occurrence.slot[1] > now:
            continue
        score += SCORES.get(occurrence.outcome, 0.0)
        counted += 1
    return Rate(score, counted)


def spent_minutes(found: Iterable[Occurrence]) -> int:
    """Minutes of the honoured and partly honoured occurrences, in their actual slot."""
    total = 0
    for occurrence in found:
        if occurrence.outcome in ("honoured", "partly"):
            begins, ends = occurrence.slot
            total += int((ends - begins).total_seconds() // 60)
    return total


# Periods and activities


def week_of(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The ISO week (Monday 0:00 to the next Monday) holding `moment`, in the user's zone."""
    day = moment.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    return midnight(monday, zone), midnight(monday + timedelta(days=7), zone)


def month_of(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = moment.astimezone(zone).date().replace(day=1)
    following = (day + timedelta(days=32)).replace(day=1)
    return midnight(day, zone), midnight(following, zone)


def day_of(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = moment.astimezone(zone).date()
    return midnight(day, zone), midnight(day + timedelta(days=1), zone)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def within(occurrence: Occurrence, items: Iterable[T], when: Callable[[T], datetime]) -> list[T]:
    """The items (activities, by when they occurred) inside the occurrence's actual slot."""
    begins, ends = occurrence.slot
    return [item for item in items if begins <= when(item) < ends]
