"""The follow-up method (docs/method.md §2 and §3) as pure functions: plain data in and out.

Plans, stop rules, the pest guard, missed follow-ups, answering requests fast and the steps
after a sale. funnel.followup.facts loads the data; funnel.followup.actions writes what
these decide.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.sales.models import Activity, Level

Outcome = Activity.Outcome
# An answer from the customer, whatever it says: it ends a run of attempts without one.
RESPONSES = {
    Outcome.REACHED,
    Outcome.REPLIED,
    Outcome.MEETING_BOOKED,
    Outcome.BUYING_SIGNAL,
    Outcome.NOT_BUYING_SIGNAL,
    Outcome.RESCHEDULED,
}
# An answer that moves the sale on: the stop rule's clock starts again.
PROGRESS = {Outcome.REACHED, Outcome.REPLIED, Outcome.MEETING_BOOKED, Outcome.BUYING_SIGNAL}
WEEKEND = {5, 6}
PEST_WINDOW = timedelta(days=7)
# Where a step planned "on a day" lands: in the morning, as a person would plan it.
DEFAULT_TIME = time(10, 0)


@dataclass(frozen=True)
class Plan:
    """How often and how to follow up: asked of the customer (agreed) or the user's default."""

    every_days: int
    channel: str
    agreed: bool


def plan_for(
    *, every_days: int | None, channel: str, agreed: bool, default_days: int, default_channel: str
) -> Plan:
    return Plan(every_days or default_days, channel or default_channel, agreed)


# Working hours: where a contact the user plans may fall


ISO_WEEKDAYS = range(1, 8)
SLOT = 15  # minutes: planned contacts start on a quarter hour


def on_the_quarter(moment: time) -> bool:
    return moment.minute % SLOT == 0 and not moment.second and not moment.microsecond


@dataclass(frozen=True)
class WorkingHours:
    """When the user works, in their zone: from `starts` to `ends` on `days` (ISO weekdays,
    Monday 1). Both times are on a quarter hour, the end after the start."""

    starts: time = time(9, 0)
    ends: time = time(17, 30)
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})

    def __post_init__(self) -> None:
        if not (on_the_quarter(self.starts) and on_the_quarter(self.ends)):
            raise ValueError("working hours start and end on a quarter hour")
        if self.ends <= self.starts:
            raise ValueError("working hours end after they start")
        if not self.days or not self.days <= set(ISO_WEEKDAYS):
            raise ValueError("working days are ISO weekdays, at least one")


OFFICE_HOURS = WorkingHours()  # the default setting: 9:00 to 17:30, Monday to Friday


def working_hours(*, starts: time, ends: time, days: str) -> WorkingHours:
    """The user's setting as stored (days as ISO weekday digits, "12345"); one that makes no
    sense (saved around the settings form) counts as office hours rather than failing."""
    try:
        return WorkingHours(starts, ends, frozenset(int(day) for day in days if day.isdigit()))
    except ValueError:
        return OFFICE_HOURS


def next_working_slot(
    at: datetime, hours: WorkingHours, zone: ZoneInfo, minutes: int = 0
) -> datetime:
    """The first quarter hour at or after `at` when a contact of `minutes` fits in the working
    hours, in the user's zone.

    The evening, a weekend or a day off move it to the next working morning. A contact longer
    than the working day starts at the beginning of one. A wall time the clock skips when
    summer time starts is no slot; one it repeats when summer time ends is two.
    """
    first = minute_of_day(hours.starts)
    last = max(minute_of_day(hours.ends) - minutes, first)  # the latest start that still fits
    today = at.astimezone(zone).date()
    for offset in range(15):  # every working weekday comes round within a week or two
        day = today + timedelta(days=offset)
        if day.isoweekday() not in hours.days:
            continue
        for minute in range(first, last + 1, SLOT):
            later = [moment for moment in instants(day, minute, zone) if moment >= at]
            if later:
                return later[0].astimezone(zone)
    raise ValueError("no working slot in two weeks")  # only hours inside a clock change


def minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def instants(day: date, minute: int, zone: ZoneInfo) -> list[datetime]:
    """The moments (in UTC, so that they compare as moments) a wall time on a day names in a
    zone, in order: none in the hour skipped when summer time starts, two in the hour
    repeated when it ends."""
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    found: list[datetime] = []
    for fold in (0, 1):
        moment = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if moment.astimezone(zone).replace(tzinfo=None) == wall and moment not in found:
            found.append(moment)
    return sorted(found)


def recovery_slot(
    now: datetime, usual: time, hours: WorkingHours, zone: ZoneInfo, minutes: int = 0
) -> datetime:
    """When to propose a missed contact again: on the next working day after today, at its
    usual time if that is within the working hours, else at the start of that day's."""
    tomorrow = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(0), zone)
    morning = next_working_slot(tomorrow, hours, zone, minutes)
    slot = next_working_slot(datetime.combine(morning.date(), usual, zone), hours, zone, minutes)
    return slot if slot.date() == morning.date() else morning


def next_follow_up_at(
    after: datetime,
    plan: Plan,
    zone: ZoneInfo,
    *,
    hours: WorkingHours | None = None,
    minutes: int = 0,
) -> datetime:
    """The plan's next appointment: the interval later, at the same local time.

    With the user's working hours, the first working slot from then on (an evening call is
    followed up the next working morning); without, weekends are skipped.
    """
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=plan.every_days)
    same_time = local.time().replace(second=0, microsecond=0)
    if hours is not None:
        return next_working_slot(datetime.combine(day, same_time, zone), hours, zone, minutes)
    while day.weekday() in WEEKEND:
        day += timedelta(days=1)
    return datetime.combine(day, same_time, zone)


# Stop rules (docs/method.md §2.4)


@dataclass(frozen=True)
class StopLimits:
    attempts: int  # attempts in a row without an answer
    days: int  # days without progress


def stop_limits(
    *,
    attempts: int | None,
    days: int | None,
    default_attempts: int,
    default_days: int | None,
    cycle_days: int,
) -> StopLimits:
    """The opportunity's own limits, else the user's; days default to twice the sales cycle."""
    return StopLimits(attempts or default_attempts, days or default_days or 2 * cycle_days)


def attempts_in_a_row(outcomes: Sequence[str]) -> int:
    """Attempts without an answer since the last answer; outcomes newest first.

    Activities without an outcome (a note) neither count nor break the run.
    """
    count = 0
    for outcome in outcomes:
        if outcome == Outcome.NO_ANSWER:
            count += 1
        elif outcome in RESPONSES:
            break
    return count


def is_qualified(*, level: str, fit_score: int | None, poor_fit_below: int) -> bool:
    """Qualified: moved into the funnel (the method's qualification), or a good fit."""
    if level in (Level.IN, Level.BEST_FEW):
        return True
    return fit_score is not None and fit_score >= poor_fit_below


@dataclass(frozen=True)
class StopProposal:
    rule: str  # "attempts" or "days"
    to_level: str  # nurture for the qualified, dead for the others
    reason: str  # kept as the move's reason when applied


def stop_proposal(
    *,
    level: str,
    attempts: int,
    progress_at: datetime,
    now: datetime,
    limits: StopLimits,
    qualified: bool,
) -> StopProposal | None:
    """Whether a stop rule fires on this open opportunity, where it would go, and why."""
    if level not in (Level.ABOVE, Level.IN, Level.BEST_FEW):
        return None
    to_level = Level.NURTURE if qualified else Level.DEAD
    if attempts >= limits.attempts:
        reason = ngettext(
            "Stop rule: %(count)d attempt in a row without an answer.",
            "Stop rule: %(count)d attempts in a row without an answer.",
            attempts,
        ) % {"count": attempts}
        return StopProposal("attempts", to_level, reason)
    idle = (now - progress_at).days
    if idle >= limits.days:
        reason = _("Stop rule: no progress in %(days)d days.") % {"days": idle}
        return StopProposal("days", to_level, reason)
    return None


# The pest guard (docs/method.md §2.3)


def pest_warnings(
    *,
    when: datetime,
    plan: Plan,
    last_contact: datetime | None,
    person: str | None,
    contacts: Sequence[datetime],
    limit: int,
) -> list[str]:
    """Why a contact at `when` may be too much: sooner than agreed, or too many in a week.

    `contacts` are the person's other contacts, done or planned, on every channel and
    opportunity. Warnings only: the user decides.
    """
    warnings = []
    if plan.agreed and last_contact is not None:
        gap = (when.date() - last_contact.date()).days
        if gap < plan.every_days:
            warnings.append(
                ngettext(
                    "Sooner than agreed: the customer asked to hear from you every %(every)d "
                    "days, and this is %(gap)d day after the last contact.",
                    "Sooner than agreed: the customer asked to hear from you every %(every)d "
                    "days, and this is %(gap)d days after the last contact.",
                    gap,
                )
                % {"every": plan.every_days, "gap": gap}
            )
    busiest = busiest_week(when, contacts)
    if person and busiest > limit:
        warnings.append(
            _(
                "%(person)s would be contacted %(count)d times in 7 days: more than the "
                "%(limit)d you allow."
            )
            % {"person": person, "count": busiest, "limit": limit}
        )
    return warnings


def busiest_week(when: datetime, contacts: Sequence[datetime]) -> int:
    """The most contacts, `when` included, in any 7 days that include `when`."""
    near = sorted(t for t in contacts if abs(t - when) < PEST_WINDOW)
    starts = [t for t in near if t <= when] + [when]
    return max(1 + sum(1 for t in near if start <= t < start + PEST_WINDOW) for start in starts)


# Missed follow-ups and requests (docs/method.md §2.2)


def is_missed(*, due_at: datetime, minutes: int, now: datetime) -> bool:
    """Its time has passed and no outcome was logged."""
    return due_at + timedelta(minutes=minutes) < now


def respond_by(received: datetime, hours: int) -> datetime:
    return received + timedelta(hours=hours)


# After the sale (docs/method.md §3)


def post_sale_due(
    *, anchor: str, days_after: int, won_at: datetime, delivery_on: date | None, zone: ZoneInfo
) -> datetime | None:
    """When a post-sale step falls, on a working day; None while it waits for the delivery date.

    A step on the day itself (a card at confirmation, at delivery) stays on that day.
    """
    if anchor == "delivery":
        if delivery_on is None:
            return None
        day = working_day(delivery_on + timedelta(days=days_after), moved=days_after > 0)
        return datetime.combine(day, DEFAULT_TIME, zone)
    day = working_day(won_at.astimezone(zone).date() + timedelta(days=days_after), days_after > 0)
    return max(datetime.combine(day, DEFAULT_TIME, zone), won_at)


def working_day(day: date, moved: bool = True) -> date:
    """The day, or the Monday after it when it falls on a weekend (unless it must not move)."""
    while moved and day.weekday() in WEEKEND:
        day += timedelta(days=1)
    return day


# Delegation (docs/method.md §2.6)


def bottom_quarter(weights: Sequence[Decimal]) -> Decimal | None:
    """The highest value times fit in the bottom quarter; None with fewer than 4 to compare."""
    if len(weights) < 4:
        return None
    return sorted(weights)[len(weights) // 4 - 1]


def apology(*, name: str, sender: str, when: str) -> str:
    """A short apology for a missed follow-up, to copy; translate it in the reader's language."""
    return _(
        "Dear %(name)s, I am sorry I did not get back to you as I promised. May I call you on "
        "%(when)s instead? Kind regards, %(sender)s"
    ) % {"name": name, "sender": sender, "when": when}
