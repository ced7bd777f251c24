"""The prospecting page's content: the blocks, this week's and next week's occurrences with
their state, the activities logged during the past ones, and the honoured rates."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils.dates import WEEKDAYS as DAY_NAMES

from funnel.prospecting import facts, rules
from funnel.prospecting.forms import MarkForm


@dataclass(frozen=True)
class Row:
    occurrence: rules.Occurrence
    state: rules.State
    activities: int
    form: MarkForm | None


@dataclass(frozen=True)
class Described:
    pk: int
    title: str
    first: datetime
    minutes: int
    days: list[str]
    interval: int
    until: date | None


def describe(plan: rules.BlockPlan) -> Described:
    parts = rules.rule_parts(plan.rule)
    codes = parts.get("BYDAY", "").split(",")
    until = parts.get("UNTIL")
    return Described(
        pk=plan.pk,
        title=plan.title,
        first=plan.first,
        minutes=plan.minutes,
        days=[str(DAY_NAMES[n]) for n, code in enumerate(rules.WEEKDAYS) if code in codes],
        interval=int(parts.get("INTERVAL", "1")),
        until=datetime.strptime(until[:8], "%Y%m%d").date() if until else None,
    )


def context(user: User, now: datetime, *, bound: MarkForm | None = None) -> dict[str, Any]:
    """What the page shows; `bound`: a mark form with errors, shown on its occurrence."""
    zone = user.profile.zone
    week_start, week_end = rules.week_of(now, zone)
    month_start, month_end = rules.month_of(now, zone)
    loaded = facts.load(user, since=min(week_start, month_start), zone=zone)
    shown = loaded.between(week_start, week_end + timedelta(days=7))
    times = facts.activity_times(user, week_start, min(now, week_end + timedelta(days=7)))
    rows = [row(o, now, times, bound) for o in shown]
    return {
        "blocks": [describe(plan) for plan in loaded.plans],
        "this_week": [r for r in rows if r.occurrence.slot[0] < week_end],
        "next_week": [r for r in rows if r.occurrence.slot[0] >= week_end],
        "week_rate": rules.honoured_rate(loaded.planned_in(week_start, week_end), now),
        "month_rate": rules.honoured_rate(loaded.planned_in(month_start, month_end), now),
        # A refused mark on an occurrence the page does not offer to mark: its errors on top.
        "refused": bound if bound and not any(r.form is bound for r in rows) else None,
        "week_start": week_start,
        "month_start": month_start,
    }


def row(
    occurrence: rules.Occurrence, now: datetime, times: list[datetime], bound: MarkForm | None
) -> Row:
    state = rules.state(occurrence, now)
    form = None
    if state == rules.State.TO_MARK:
        matches = bound is not None and bound.prefix == f"mark-{occurrence.key}"
        form = bound if matches else MarkForm(occurrence=occurrence)
    count = len(rules.within(occurrence, times, lambda t: t)) if occurrence.slot[0] < now else 0
    return Row(occurrence, state, count, form)
