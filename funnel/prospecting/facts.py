"""Loads what the prospecting rules (funnel.prospecting.rules) decide on: one query for a
user's blocks with their recent outcomes, whatever the number of blocks."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import FilteredRelation, Q

from funnel.prospecting import rules
from funnel.sales.models import Activity

# A moved block stays in its ISO week: its planned start is at most this far from its slot.
WEEK = timedelta(days=7)
FIELDS = ["pk", "title", "starts_on", "start_time", "minutes", "rule", "updated"]
ORDER = ["prospecting_blocks__start_time", "prospecting_blocks__pk", "marked__original_start"]
MARK_FIELDS = ["original_start", "outcome", "moved_start", "moved_end", "moved_outcome", "updated"]


@dataclass
class Loaded:
    """A user's blocks, the marks of their occurrences since a moment, and when each changed."""

    zone: ZoneInfo
    plans: list[rules.BlockPlan] = field(default_factory=list)
    marks: dict[tuple[int, datetime], rules.Mark] = field(default_factory=dict)
    changed: dict[Any, datetime] = field(default_factory=dict)  # by block pk and by mark key
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # as read: the feed's version
    also: dict[str, Any] = field(default_factory=dict)  # load()'s extra values

    def between(self, start: datetime, end: datetime) -> list[rules.Occurrence]:
        """Occurrences whose actual slot (moved or not) overlaps [start, end), by time."""
        found = [
            o
            for plan in self.plans
            for o in rules.with_marks(rules.occurrences(plan, start - WEEK, end + WEEK), self.marks)
            if o.slot[0] < end and o.slot[1] > start
        ]
        return sorted(found, key=lambda o: (o.slot[0], o.block.pk))

    def planned_in(self, start: datetime, end: datetime) -> list[rules.Occurrence]:
        """Occurrences planned to start in [start, end): a period's count for the rate."""
        found = [
            o
            for plan in self.plans
            for o in rules.with_marks(rules.occurrences(plan, start, end), self.marks)
            if start <= o.start < end
        ]
        return sorted(found, key=lambda o: (o.start, o.block.pk))


def load(
    user: User,
    *,
    since: datetime,
    zone: ZoneInfo | None = None,
    also: dict[str, Any] | None = None,
) -> Loaded:
    """The user's own blocks and the outcomes marked for occurrences planned after `since`.

    One query from the user's row, so it always answers: `also` adds scalar subqueries to it
    (the calendar feed reads its follow-ups' version with the blocks), found in `Loaded.also`.
    """
    also = also or {}
    recent = Q(prospecting_blocks__outcomes__original_start__gte=since - WEEK)
    rows = (
        User.objects.filter(pk=user.pk)
        .annotate(**also, marked=FilteredRelation("prospecting_blocks__outcomes", condition=recent))
        .order_by(
            "prospecting_blocks__start_time", "prospecting_blocks__pk", "marked__original_start"
        )
        .values_list(
            *also,
            *[f"prospecting_blocks__{name}" for name in FIELDS],
            *[f"marked__{name}" for name in MARK_FIELDS],
        )
    )
    loaded = Loaded(zone or user.profile.zone)
    for row in rows:
        loaded.also = dict(zip(also, row, strict=False))
        add_row(loaded, row[len(also) :])
    return loaded


def add_row(loaded: Loaded, row: tuple[Any, ...]) -> None:
    pk, title, starts_on, start_time, minutes, rule, updated = row[: len(FIELDS)]
    if pk is None:  # no block
        return
    loaded.rows.append(row)
    if pk not in loaded.changed:
        first = datetime.combine(starts_on, start_time)
        loaded.plans.append(rules.BlockPlan(pk, title, first, minutes, rule, loaded.zone))
        loaded.changed[pk] = updated
    original, outcome, moved_start, moved_end, moved_outcome, marked = row[len(FIELDS) :]
    if original is not None:
        loaded.marks[(pk, original)] = rules.Mark(outcome, moved_start, moved_end, moved_outcome)
        loaded.changed[(pk, original)] = marked


def activity_times(user: User, start: datetime, end: datetime) -> list[datetime]:
    """When the user logged activities in [start, end): counted toward the blocks they fall in."""
    return list(
        Activity.objects.filter(by=user, occurred__gte=start, occurred__lt=end)
        .order_by("occurred")
        .values_list("occurred", flat=True)
    )


def prospecting_minutes(user: User, start: datetime, end: datetime) -> int:
    """Minutes of honoured and partly honoured prospecting blocks whose slot falls in [start, end)
    (the full slot of each; for the time-allocation report). One query, plus the profile."""
    loaded = load(user, since=start)
    return rules.spent_minutes(o for o in loaded.between(start, end) if o.slot[0] >= start)


@dataclass(frozen=True)
class Shown:
    """An occurrence as a page shows it."""

    occurrence: rules.Occurrence
    state: rules.State
    activities: int = 0


@dataclass(frozen=True)
class TodayBlocks:
    today: list[Shown]
    missed_yesterday: list[rules.Occurrence]
    week_rate: rules.Rate

    def __bool__(self) -> bool:
        return bool(self.today or self.missed_yesterday or self.week_rate.counted)


def blocks_for_today(user: User, now: datetime) -> TodayBlocks:
    """Today's blocks with their state, yesterday's missed or unmarked ones (to plan a catch-up),
    and this week's honoured rate. Two queries (the profile, the blocks)."""
    zone = user.profile.zone
    week_start, week_end = rules.week_of(now, zone)
    today_start, today_end = rules.day_of(now, zone)
    yesterday = today_start - timedelta(days=1)
    loaded = load(user, since=min(week_start, yesterday), zone=zone)
    today = [Shown(o, rules.state(o, now)) for o in loaded.between(today_start, today_end)]
    missed = [o for o in loaded.planned_in(yesterday, today_start) if is_missed(o, now)]
    rate = rules.honoured_rate(loaded.planned_in(week_start, week_end), now)
    return TodayBlocks(today, missed, rate)


def is_missed(occurrence: rules.Occurrence, now: datetime) -> bool:
    """Missed, or over and not marked yet (a moved one whose new slot is still ahead is not)."""
    if occurrence.outcome == "missed":
        return True
    return rules.state(occurrence, now) == rules.State.TO_MARK
