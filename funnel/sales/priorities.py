"""What to do now, in the method's order of priority (METHOD.md §1, "Priorities").

1. Close the Best few. 2. Prospect and qualify above the funnel, best fit first. 3. Work the
objectives in the funnel. Inside each group: overdue first, then due today, then by value times fit.
Plain data in, plain data out; funnel.sales.agenda loads the data and feeds it here.
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

from funnel.fit.rules import is_poor_fit, ranking_weight
from funnel.sales.models import NEXT_LEVEL, Level
from funnel.sales.rules import OpportunityFacts, check_move, drift_warnings


class Group(IntEnum):
    BEST_FEW = 1
    PROSPECTING = 2
    IN_FUNNEL = 3

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
}
GROUP_LABELS = {
    Group.BEST_FEW: gettext_lazy("Close the Best few"),
    Group.PROSPECTING: gettext_lazy("Prospect above the funnel"),
    Group.IN_FUNNEL: gettext_lazy("Work the funnel"),
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
}
LEVEL_GROUP = {
    Level.BEST_FEW: Group.BEST_FEW,
    Level.ABOVE: Group.PROSPECTING,
    Level.IN: Group.IN_FUNNEL,
}


class Urgency(IntEnum):
    OVERDUE = 0
    DUE_TODAY = 1
    LATER = 2


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


@dataclass(frozen=True)
class Item:
    group: Group
    kind: str
    opportunity: Candidate
    reason: str
    due: datetime | None
    urgency: Urgency
    move_to: str  # the next level down the funnel
    warnings: tuple[str, ...] = ()

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


@dataclass
class Agenda:
    settings: AgendaSettings
    groups: list[GroupSummary] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group.items]


def urgency(due: datetime | None, settings: AgendaSettings) -> Urgency:
    if due is None or due >= settings.end_of_today:
        return Urgency.LATER
    return Urgency.OVERDUE if due < settings.now else Urgency.DUE_TODAY


def priority_key(
    candidate: Candidate, settings: AgendaSettings
) -> tuple[Urgency, datetime | None, Decimal, int]:
    """Overdue, then due today (each soonest first), then the largest value times fit."""
    when = urgency(candidate.next_step_at, settings)
    due = candidate.next_step_at if when != Urgency.LATER else None
    return (when, due, -ranking_weight(candidate.value, candidate.fit_score), candidate.id)


def is_suggested(candidate: Candidate, settings: AgendaSettings) -> bool:
    """Poor fits are not suggested for prospecting, unless the user already planned a step."""
    if candidate.level != Level.ABOVE:
        return True
    if urgency(candidate.next_step_at, settings) != Urgency.LATER:
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
    """Group, order and explain; each group keeps its first `limit` items."""
    by_group: dict[Group, list[Candidate]] = {group: [] for group in Group}
    for candidate in candidates:
        if candidate.level in LEVEL_GROUP and is_suggested(candidate, settings):
            by_group[LEVEL_GROUP[Level(candidate.level)]].append(candidate)
    agenda = Agenda(settings)
    for group, members in by_group.items():
        members.sort(key=lambda candidate: priority_key(candidate, settings))
        items = [explain(candidate, group, settings) for candidate in members[:limit]]
        excluded = (left_out or {}).get(group, 0)
        agenda.groups.append(GroupSummary(group, items, totals.get(group, len(members)), excluded))
    return agenda


def explain(candidate: Candidate, group: Group, settings: AgendaSettings) -> Item:
    due = candidate.next_step_at
    when = urgency(due, settings)
    warnings = tuple(
        drift_warnings(
            candidate.level,
            since=candidate.level_since,
            expected_close_on=candidate.expected_close_on,
            today=settings.today,
            cycle_days=settings.cycle_days,
        )
    )
    move_to = NEXT_LEVEL[Level(candidate.level)]
    kind, reason = what_to_do(candidate, settings)
    if when != Urgency.LATER and due is not None:
        kind, reason = "next_step", due_reason(candidate, when, due)
    elif due is None:
        warnings += (_("No next step planned."),)
    return Item(group, kind, candidate, reason, due, when, move_to, warnings)


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


def due_reason(candidate: Candidate, when: Urgency, due: datetime) -> str:
    step = candidate.next_step or _("Next step")
    if when == Urgency.OVERDUE:
        return _("%(step)s (overdue since %(when)s)") % {"step": step, "when": short_datetime(due)}
    return _("%(step)s (due today at %(time)s)") % {
        "step": step,
        "time": date_format(timezone.localtime(due), "TIME_FORMAT"),
    }


def short_date(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def short_datetime(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
