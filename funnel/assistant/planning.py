"""Which jobs are due when: each round, the planner puts in a row for every email and periodic
task coming due, keyed so that planning twice (two workers, a restart) plans once.

Times are the user's: a digest at 07:00 Europe/Rome is due at 07:00 in Rome on the days the
clocks change too, because the due time is built from the local date and hour in their zone.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Q

from funnel.accounts.models import Profile
from funnel.assistant.models import EMAIL_KINDS, Job, Kind, Status
from funnel.followup.models import FollowUp
from funnel.followup.models import Status as FollowUpStatus

# How late an email may still go out when the worker was not running at its time: a digest at
# 07:00 is still worth reading at 09:00, not in the afternoon.
LATE = {
    Kind.DIGEST: timedelta(hours=2),
    Kind.WEEKLY: timedelta(hours=4),
    Kind.NUDGE: timedelta(hours=4),
    Kind.REMINDER: timedelta(0),  # up to the follow-up's start, checked when it is sent
}
# Rows are planned this far ahead, so a worker that sleeps between rounds is not late.
AHEAD = timedelta(minutes=10)
# A follow-up left without an outcome longer ago than this gets no nudge (an old backlog would
# otherwise flood the inbox the first time a worker runs).
NUDGE_WINDOW = timedelta(days=4)
MAX_REMINDER = timedelta(minutes=1440)


def forget_planned(user: User) -> None:
    """After the user changes their email settings: the emails planned but not begun go, and
    the next round plans them again under the new settings."""
    Job.objects.filter(user=user, kind__in=EMAIL_KINDS, status=Status.WAITING, attempts=0).delete()


def plan(now: datetime) -> int:
    """Put in the rows coming due; returns how many were new."""
    jobs = [*periodic_jobs(now)]
    for profile in mailed_profiles():
        jobs += user_jobs(profile, now)
    jobs += reminder_jobs(now)
    jobs += nudge_jobs(now)
    return insert_new(jobs)


def insert_new(jobs: list[Job]) -> int:
    """Insert the jobs whose key is new. Reading the keys first spares PostgreSQL a sequence
    number per ignored row; ignore_conflicts covers a second worker planning at the same time."""
    new: list[Job] = []
    for start in range(0, len(jobs), 500):
        chunk = {job.key: job for job in jobs[start : start + 500]}
        known = set(Job.objects.filter(key__in=chunk).values_list("key", flat=True))
        new += [job for key, job in chunk.items() if key not in known]
    Job.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


FORECASTS_EVERY = 5  # minutes


def periodic_jobs(now: datetime) -> Iterable[Job]:
    """The hourly tasks (automatic stop rules, nurture touches), the daily clearing of old
    rows, and bringing forecasts up to date every FORECASTS_EVERY minutes: one row per slot,
    so a worker that was down does not catch up on missed ones."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    slot = hour.replace(minute=now.minute - now.minute % FORECASTS_EVERY)
    yield Job(kind=Kind.FORECASTS, key=f"{Kind.FORECASTS}:{slot:%Y-%m-%dT%H:%M}", due_at=slot)
    for kind in (Kind.STOP_RULES, Kind.NURTURE):
        yield Job(kind=kind, key=f"{kind}:{hour:%Y-%m-%dT%H}", due_at=hour)
    day = hour.replace(hour=0)
    yield Job(kind=Kind.CLEANUP, key=f"{Kind.CLEANUP}:{day:%Y-%m-%d}", due_at=day)


def mailed_profiles() -> Iterable[Profile]:
    """Users Funnel can email: active, with an address (Settings says so to the others)."""
    return (
        Profile.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .filter(Q(email_digest=True) | Q(email_weekly=True))
        .only("user_id", "time_zone", "email_digest", "email_weekly", "email_hour")
        .order_by("pk")
        .iterator(chunk_size=1000)
    )


def user_jobs(profile: Profile, now: datetime) -> list[Job]:
    zone = profile.zone
    jobs = []
    if profile.email_digest:
        day = next_day_at(now, zone, profile.email_hour, late=LATE[Kind.DIGEST])
        jobs.append(
            email_job(
                Kind.DIGEST, profile.user_id, f"{day}", at_hour(day, profile.email_hour, zone)
            )
        )
    if profile.email_weekly:
        monday = next_monday_at(now, zone, profile.email_hour)
        year, week, _ = monday.isocalendar()
        jobs.append(
            email_job(
                Kind.WEEKLY,
                profile.user_id,
                f"{year}-W{week:02d}",
                at_hour(monday, profile.email_hour, zone),
            )
        )
    return [job for job in jobs if job.due_at <= now + AHEAD]


def at_hour(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """That hour of that day on the user's clock (in a gap of spring's change, the hour after)."""
    return datetime.combine(day, time(hour), tzinfo=zone)


def next_day_at(now: datetime, zone: ZoneInfo, hour: int, *, late: timedelta) -> date:
    """The day of the next digest: today, unless today's hour is more than `late` past."""
    today = now.astimezone(zone).date()
    if now > at_hour(today, hour, zone) + late:
        return today + timedelta(days=1)
    return today


def next_monday_at(now: datetime, zone: ZoneInfo, hour: int) -> date:
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    if now > at_hour(monday, hour, zone) + LATE[Kind.WEEKLY]:
        return monday + timedelta(days=7)
    return monday


def email_job(kind: str, user_id: int, when: str, due_at: datetime, **payload: Any) -> Job:
    return Job(
        kind=kind,
        key=f"{kind}:{user_id}:{when}",
        user_id=user_id,
        due_at=due_at,
        payload=payload,
    )


def reminder_jobs(now: datetime) -> list[Job]:
    """A reminder for each follow-up starting soon, for users who asked for them. Keyed by the
    follow-up and its time: a follow-up moved gets a reminder for its new time."""
    rows = (
        FollowUp.objects.filter(
            status=FollowUpStatus.PLANNED,
            due_at__gt=now,
            due_at__lte=now + MAX_REMINDER + AHEAD,
            assigned_to__is_active=True,
            assigned_to__profile__email_reminder_minutes__isnull=False,
        )
        .exclude(assigned_to__email="")
        .values_list(
            "pk", "due_at", "assigned_to_id", "assigned_to__profile__email_reminder_minutes"
        )
    )
    jobs = []
    for pk, due_at, user_id, minutes in rows:
        if due_at is None or minutes is None:  # filtered out by the query; for the types
            continue
        remind_at = due_at - timedelta(minutes=minutes)
        if remind_at <= now + AHEAD:
            when = f"{pk}:{due_at:%Y%m%dT%H%M%S}"
            jobs.append(
                email_job(
                    Kind.REMINDER,
                    user_id,
                    when,
                    max(remind_at, now),
                    follow_up=pk,
                    at=due_at.isoformat(),
                )
            )
    return jobs


def nudge_jobs(now: datetime) -> list[Job]:
    """A nudge the next working morning for each follow-up that ended without an outcome."""
    rows = (
        FollowUp.objects.filter(
            status=FollowUpStatus.PLANNED,
            due_at__lt=now,
            due_at__gte=now - NUDGE_WINDOW,
            assigned_to__is_active=True,
            assigned_to__profile__email_nudges=True,
        )
        .exclude(assigned_to__email="")
        .select_related("assigned_to__profile")
        .only(
            "pk",
            "due_at",
            "minutes",
            "assigned_to_id",
            "assigned_to__profile__time_zone",
            "assigned_to__profile__working_days",
            "assigned_to__profile__working_day_starts",
        )
    )
    jobs = []
    for follow_up in rows:
        profile = follow_up.assigned_to.profile
        assert follow_up.due_at is not None  # filtered on it
        ends = follow_up.due_at + timedelta(minutes=follow_up.minutes)
        morning = next_working_morning(ends, profile)
        if morning <= now + AHEAD and now <= morning + LATE[Kind.NUDGE]:
            when = f"{follow_up.pk}:{follow_up.due_at:%Y%m%dT%H%M%S}"
            jobs.append(
                email_job(
                    Kind.NUDGE,
                    follow_up.assigned_to_id,
                    when,
                    morning,
                    follow_up=follow_up.pk,
                    at=follow_up.due_at.isoformat(),
                )
            )
    return jobs


def next_working_morning(after: datetime, profile: Profile) -> datetime:
    """The start of the first working day after the day `after` falls on, on the user's clock."""
    zone = profile.zone
    day = after.astimezone(zone).date() + timedelta(days=1)
    for _ in range(7):
        if str(day.isoweekday()) in profile.working_days:
            break
        day += timedelta(days=1)
    return datetime.combine(day, profile.working_day_starts, tzinfo=zone)
