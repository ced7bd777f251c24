"""What to do now, in the method's order of priority (docs/method.md §1, "Priorities", and §2-3).

1. Close the Best few. 2. Prospect and qualify above the funnel, best fit first. 3. Work the
objectives in the funnel. 4. Keep in touch: nurture touches and the steps after a sale.
Inside each group: missed follow-ups and late requests first, then what is due today, then the
stop rules that fired, then the rest by value times fit.
Plain data in, plain data out; funnel.today.agenda loads the data and feeds it here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funnel.fit.rules import is_poor_fit
from funnel.followup.models import Kind
from funnel.followup.rules import (
    StopProposal,
    is_missed,
    is_qualified,
    stop_limits,
    stop_proposal,
)
from funnel.sales.models import NEXT_LEVEL, Level
from funnel.sales.ranking import ranking_weight
from funnel.sales.rules import OpportunityFacts, check_move, drift_warnings


class Group(IntEnum):
    BEST_FEW = 1
    PROSPECTING = 2
    IN_FUNNEL = 3
    KEEP_IN_TOUCH = 4

    @property
    def key(self) -> str:
        return GROUP_KEYS[self]

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self])

    @property
    def when_empty(self) -> str:
        return str(GROUP_WHEN_EMPTY[self])


GROUP_KEYS = {
    Group.BEST_FEW: "best_few",
    Group.PROSPECTING: "prospecting",
    Group.IN_FUNNEL: "in_funnel",
    Group.KEEP_IN_TOUCH: "keep_in_touch",
}
GROUP_LABELS = {
    Group.BEST_FEW: gettext_lazy("Close the Best few"),
    Group.PROSPECTING: gettext_lazy("Prospect above the funnel"),
    Group.IN_FUNNEL: gettext_lazy("Work the funnel"),
    Group.KEEP_IN_TOUCH: gettext_lazy("Keep in touch"),
}
GROUP_WHEN_EMPTY = {
    Group.BEST_FEW: gettext_lazy(
        "Nothing in Best few: an objective gets here when every buying influence is satisfied "
        "and it can close within half your normal sales cycle."
    ),
    Group.PROSPECTING: gettext_lazy(
        "No prospects above the funnel. Prospect every week, even when you are busy: an empty "
        "funnel today is an empty month later."
    ),
    Group.IN_FUNNEL: gettext_lazy(
        "Nothing in the funnel: qualify a prospect above it by confirming the fit with one of "
        "their buying influences."
    ),
    Group.KEEP_IN_TOUCH: gettext_lazy(
        "No nurture touch or after-sale step due. Keep in touch with the good prospects who "
        "are not ready yet, and thank the customers who bought."
    ),
}
LEVEL_GROUP = {
    Level.BEST_FEW: Group.BEST_FEW,
    Level.ABOVE: Group.PROSPECTING,
    Level.IN: Group.IN_FUNNEL,
    Level.NURTURE: Group.KEEP_IN_TOUCH,
    Level.WON: Group.KEEP_IN_TOUCH,
}
OPEN_GROUPS = [Group.BEST_FEW, Group.PROSPECTING, Group.IN_FUNNEL]


class Urgency(IntEnum):
    OVERDUE = 0  # a missed follow-up, a late answer to a request
    DUE_TODAY = 1
    PROPOSED = 2  # a stop rule fired: close it, or keep going
    LATER = 3


@dataclass(frozen=True)
class FollowUpFacts:
    """The planned follow-up an item is about."""

    id: int
    kind: str  # funnel.followup.models.Kind
    purpose: str
    channel: str  # its label, as the reader says it
    due_at: datetime | None  # None: a post-sale step waiting for the delivery date
    minutes: int
    assigned_to: str = ""  # a colleague's name when it was delegated to them


@dataclass(frozen=True)
class Candidate:
    """An open opportunity, as much as Today needs to know about it."""

    id: int
    title: str
    customer: str
    level: str
    value: Decimal
    currency: str
    fit_score: int | None
    next_step: str
    next_step_at: datetime | None
    expected_close_on: date | None
    level_since: date
    facts: OpportunityFacts
    follow_up: FollowUpFacts | None = None
    # Where the stop rules stand, and this opportunity's own limits if it has them.
    attempts: int = 0
    progress_at: datetime | None = None
    stop_after_attempts: int | None = None
    stop_after_days: int | None = None
    waiting_for_delivery: bool = False  # won, with after-sale steps counted from delivery


@dataclass(frozen=True)
class Item:
    group: Group
    kind: str
    opportunity: Candidate
    reason: str
    due: datetime | None
    urgency: Urgency
    move_to: str | None  # the next level down the funnel; back above from nurture
    warnings: tuple[str, ...] = ()
    stop: StopProposal | None = None

    @property
    def overdue(self) -> bool:
        return self.urgency == Urgency.OVERDUE


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    items: list[Item]
    total: int  # open objectives at this level, including those not shown
    left_out: int = 0  # poor fits not suggested

    @property
    def more(self) -> int:
        return max(self.total - self.left_out - len(self.items), 0)


@dataclass(frozen=True)
class AgendaSettings:
    """What the order depends on besides the opportunities: the time, the cycle, the threshold."""

    now: datetime
    end_of_today: datetime
    today: date
    cycle_days: int
    poor_fit_below: int
    stop_after_attempts: int = 6
    stop_after_days: int | None = None  # None: twice the normal sales cycle


@dataclass
class Agenda:
    settings: AgendaSettings
    groups: list[GroupSummary] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group.items]


def urgency(candidate: Candidate, settings: AgendaSettings) -> Urgency:
    due, follow_up = candidate.next_step_at, candidate.follow_up
    if follow_up is not None and follow_up.kind == Kind.REQUEST and due is not None:
        # Answer requests at once (docs/method.md §2.2): due as soon as they come, urgent when late.
        return Urgency.OVERDUE if due <= settings.now else Urgency.DUE_TODAY
    if follow_up is not None and follow_up.kind == Kind.POST_SALE and due is None:
        return Urgency.DUE_TODAY  # ask for the delivery date
    if due is not None and due < settings.end_of_today:
        minutes = follow_up.minutes if follow_up else 0
        missed = is_missed(due_at=due, minutes=minutes, now=settings.now)
        return Urgency.OVERDUE if missed else Urgency.DUE_TODAY
    if stop_of(candidate, settings) is not None:
        return Urgency.PROPOSED
    return Urgency.LATER


def stop_of(candidate: Candidate, settings: AgendaSettings) -> StopProposal | None:
    if candidate.progress_at is None:
        return None
    limits = stop_limits(
        attempts=candidate.stop_after_attempts,
        days=candidate.stop_after_days,
        default_attempts=settings.stop_after_attempts,
        default_days=settings.stop_after_days,
        cycle_days=settings.cycle_days,
    )
    return stop_proposal(
        level=candidate.level,
        attempts=candidate.attempts,
        progress_at=candidate.progress_at,
        now=settings.now,
        limits=limits,
        qualified=is_qualified(
            level=candidate.level,
            fit_score=candidate.fit_score,
            poor_fit_below=settings.poor_fit_below,
        ),
    )


def priority_key(
    candidate: Candidate, settings: AgendaSettings
) -> tuple[Urgency, bool, datetime, Decimal, int]:
    """Missed, then due today (each soonest first), stop rules, then value times fit.

    Total by construction: every part has a value for every candidate, so any two compare. A
    step waiting for its date (a won deal's delivery) comes after the dated ones of its urgency.
    """
    when = urgency(candidate, settings)
    due = candidate.next_step_at if when < Urgency.PROPOSED else None
    weight = ranking_weight(candidate.value, candidate.fit_score)
    return (when, due is None, due or settings.now, -weight, candidate.id)


def is_suggested(candidate: Candidate, settings: AgendaSettings) -> bool:
    """Poor fits are not suggested for prospecting, unless the user already planned a step."""
    if candidate.level != Level.ABOVE:
        return True
    if urgency(candidate, settings) <= Urgency.PROPOSED:
        return True
    return not is_poor_fit(candidate.fit_score, settings.poor_fit_below)


def build_agenda(
    candidates: Iterable[Candidate],
    *,
    settings: AgendaSettings,
    totals: dict[Group, int],
    left_out: dict[Group, int] | None = None,
    limit: int | None = None,
) -> Agenda:
    """Group, order and explain; each group keeps its first `limit` items.

    An opportunity is one item, even when it reached here by several roads.
    """
    by_group: dict[Group, dict[int, Candidate]] = {group: {} for group in Group}
    for candidate in candidates:
        group = LEVEL_GROUP.get(Level(candidate.level))
        # Closed and parked opportunities come only with a step to take (nurture, after-sale).
        if group == Group.KEEP_IN_TOUCH and candidate.follow_up is None:
            continue
        if group is not None and is_suggested(candidate, settings):
            by_group[group].setdefault(candidate.id, candidate)
    agenda = Agenda(settings)
    for group, unique in by_group.items():
        members = sorted(unique.values(), key=lambda candidate: priority_key(candidate, settings))
        items = [explain(candidate, group, settings) for candidate in members[:limit]]
        excluded = (left_out or {}).get(group, 0)
        agenda.groups.append(GroupSummary(group, items, totals.get(group, len(members)), excluded))
    return agenda


def explain(candidate: Candidate, group: Group, settings: AgendaSettings) -> Item:
    due = candidate.next_step_at
    when = urgency(candidate, settings)
    stop = stop_of(candidate, settings)
    warnings = tuple(
        drift_warnings(
            candidate.level,
            since=candidate.level_since,
            expected_close_on=candidate.expected_close_on,
            today=settings.today,
            cycle_days=settings.cycle_days,
        )
    )
    move_to = NEXT_LEVEL.get(Level(candidate.level))
    if group == Group.KEEP_IN_TOUCH:
        kind, reason = keep_in_touch(candidate)
        move_to = Level.ABOVE if candidate.level == Level.NURTURE else None
        if candidate.waiting_for_delivery and kind != "delivery_date":
            warnings += (_("Ask for the delivery date: the other steps count from it."),)
    elif when < Urgency.PROPOSED and due is not None:
        kind, reason = due_item(candidate, due, when)
    elif when == Urgency.PROPOSED and stop is not None:
        kind, reason = "stop_rule", stop_question(stop)
    else:
        kind, reason = what_to_do(candidate, settings)
    if stop is not None and kind != "stop_rule":
        warnings += (stop.reason,)
    if due is None and group in OPEN_GROUPS:
        warnings += (_("No follow-up planned."),)
    return Item(group, kind, candidate, reason, due, when, move_to, warnings, stop)


def what_to_do(candidate: Candidate, settings: AgendaSettings) -> tuple[str, str]:
    """The method's next piece of work at this level, as (kind, reason)."""
    if candidate.level == Level.BEST_FEW:
        if candidate.expected_close_on is None:
            return "close", _("Confirm and sign: agree on a close date.")
        return "close", _("Confirm and sign: expected to close on %(date)s.") % {
            "date": short_date(candidate.expected_close_on)
        }
    to_level = NEXT_LEVEL[Level(candidate.level)]
    unmet = check_move(
        candidate.facts, to_level, today=settings.today, cycle_days=settings.cycle_days
    )
    if candidate.level == Level.ABOVE:
        if unmet:
            return "qualify", unmet[0].text
        return "move", _("Qualified: the fit is confirmed, move it into the funnel.")
    if not unmet:
        return "move", _("Every buying influence is satisfied: move it to Best few.")
    first = unmet[0]
    kind = {
        "no_economic_buyer": "identify_influence",
        "influence_unsatisfied": "satisfy_influence",
    }.get(first.code, "schedule_close")
    return kind, first.text


def due_item(candidate: Candidate, due: datetime, when: Urgency) -> tuple[str, str]:
    """A follow-up due today, missed, or a request to answer."""
    follow_up = candidate.follow_up
    step = (follow_up.purpose if follow_up else candidate.next_step) or _("Follow up")
    if follow_up is not None:
        step = _("%(step)s by %(channel)s") % {"step": step, "channel": follow_up.channel.lower()}
        if follow_up.assigned_to:
            step = _("%(name)s: %(step)s") % {"name": follow_up.assigned_to, "step": step}
    if follow_up is not None and follow_up.kind == Kind.REQUEST:
        if when == Urgency.OVERDUE:
            return "request", _("%(step)s (late: the answer was due %(when)s)") % {
                "step": step,
                "when": short_datetime(due),
            }
        return "request", _("%(step)s (answer by %(when)s)") % {
            "step": step,
            "when": short_datetime(due),
        }
    if when == Urgency.OVERDUE:
        return "next_step", _("%(step)s (missed: it was due %(when)s)") % {
            "step": step,
            "when": short_datetime(due),
        }
    return "next_step", _("%(step)s (due today at %(time)s)") % {
        "step": step,
        "time": date_format(timezone.localtime(due), "TIME_FORMAT"),
    }


def keep_in_touch(candidate: Candidate) -> tuple[str, str]:
    follow_up = candidate.follow_up
    if follow_up is None or follow_up.due_at is None:
        return "delivery_date", _(
            "Won: ask for the delivery date, so the steps after the sale can be planned."
        )
    kind = "nurture" if follow_up.kind == Kind.NURTURE else "post_sale"
    return kind, _("%(step)s by %(channel)s (due %(when)s)") % {
        "step": follow_up.purpose,
        "channel": follow_up.channel.lower(),
        "when": short_datetime(follow_up.due_at),
    }


def stop_question(stop: StopProposal) -> str:
    if stop.to_level == Level.NURTURE:
        return _("%(rule)s Move it to nurture and keep in touch?") % {"rule": stop.reason}
    return _("%(rule)s Close it as dead?") % {"rule": stop.reason}


def short_date(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def short_datetime(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
