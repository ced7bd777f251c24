"""What each kind of job does. An email job builds its letter when it runs (so the digest says
what is true at its hour) and says why when nothing needs sending."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funnel.assistant.digest import build_digest
from funnel.assistant.letters import Letter
from funnel.assistant.models import EMAIL_KINDS, Job, Kind, Status
from funnel.assistant.planning import LATE
from funnel.assistant.reminders import build_nudge, build_reminder
from funnel.assistant.weekly import build_weekly_review
from funnel.followup.actions import apply_automatic_stops, plan_missing_nurture_touches
from funnel.followup.models import FollowUp
from funnel.followup.models import Status as FollowUpStatus
from funnel.forecast.facts import refresh as refresh_outlook

log = logging.getLogger("funnel.worker")


@dataclass(frozen=True)
class Outcome:
    """A letter to send, or the reason there is none (an empty day, a follow-up done since)."""

    letter: Letter | None = None
    reason: str = ""


Handler = Callable[[Job, datetime], Outcome]


def run(job: Job, now: datetime) -> Outcome:
    """The job's work, in its user's language and time zone."""
    handler = HANDLERS[job.kind]
    user = job.user
    if user is None:
        return handler(job, now)
    profile = user.profile
    with translation.override(profile.language or "en"), timezone.override(profile.zone):
        return handler(job, now)


def mailable(user: User) -> str:
    """Why this user can't be emailed now, or ""."""
    if not user.is_active:
        return _("Your account is disabled.")
    if not user.email:
        return _("You have no email address (Settings).")
    return ""


def too_late(job: Job, now: datetime) -> str:
    """The worker was not running at the email's time and the moment has passed (a retry after a
    failure is not too late: its attempt was on time)."""
    if job.attempts <= 1 and now > job.due_at + LATE[Kind(job.kind)]:
        return _("Funnel's worker was not running at %(time)s.") % {
            "time": timezone.localtime(job.due_at).strftime("%H:%M")
        }
    return ""


def digest(job: Job, now: datetime) -> Outcome:
    assert job.user is not None
    profile = job.user.profile
    if not profile.email_digest:
        return Outcome(reason=_("You turned the daily digest off."))
    if reason := mailable(job.user) or too_late(job, now):
        return Outcome(reason=reason)
    letter = build_digest(job.user, now=now, when_empty=profile.email_when_empty)
    return Outcome(letter, reason="" if letter else _("Nothing to do that day."))


def weekly(job: Job, now: datetime) -> Outcome:
    assert job.user is not None
    if not job.user.profile.email_weekly:
        return Outcome(reason=_("You turned the weekly review off."))
    if reason := mailable(job.user) or too_late(job, now):
        return Outcome(reason=reason)
    letter = build_weekly_review(job.user, now=now)
    return Outcome(letter, reason="" if letter else _("Nothing happened that week."))


def follow_up_of(job: Job) -> FollowUp | None:
    """The job's follow-up if it is still planned at the time the job was made for; only what
    that check reads (the letter loads the rest: funnel.assistant.reminders.loaded)."""
    follow_up = (
        FollowUp.objects.filter(pk=job.payload.get("follow_up"), status=FollowUpStatus.PLANNED)
        .only("pk", "due_at")
        .first()
    )
    if follow_up is None or follow_up.due_at is None:
        return None
    if follow_up.due_at.isoformat() != job.payload.get("at"):
        return None
    return follow_up


def reminder(job: Job, now: datetime) -> Outcome:
    assert job.user is not None
    if job.user.profile.email_reminder_minutes is None:
        return Outcome(reason=_("You turned reminders off."))
    if reason := mailable(job.user):
        return Outcome(reason=reason)
    follow_up = follow_up_of(job)
    if follow_up is None:
        return Outcome(reason=_("The follow-up was moved, done or cancelled meanwhile."))
    assert follow_up.due_at is not None
    if now >= follow_up.due_at and job.attempts <= 1:
        return Outcome(reason=_("The follow-up had already started."))
    return Outcome(build_reminder(follow_up, now=now))


def nudge(job: Job, now: datetime) -> Outcome:
    assert job.user is not None
    if not job.user.profile.email_nudges:
        return Outcome(reason=_("You turned the missed-step emails off."))
    if reason := mailable(job.user) or too_late(job, now):
        return Outcome(reason=reason)
    follow_up = follow_up_of(job)
    if follow_up is None:
        return Outcome(reason=_("Its outcome was logged, or it was moved, meanwhile."))
    return Outcome(build_nudge(follow_up, now=now))


def stop_rules(job: Job, now: datetime) -> Outcome:
    """Automatic stop rules for every user who chose them: the days-without-progress rule fires
    with time alone (the attempts rule fires as the attempt is logged)."""
    closed = failed = 0
    chosen = User.objects.filter(profile__stop_automatically=True, is_active=True)
    for user in chosen.select_related("profile").order_by("pk").iterator(chunk_size=200):
        try:
            with translation.override(user.profile.language or "en"):
                closed += apply_automatic_stops(user, now=now)
        except Exception:  # one user's data must not keep the others' rules from running
            log.exception("automatic stop rules failed for user %s", user.pk)
            failed += 1
    return Outcome(reason=f"closed {closed}, failed for {failed} users")


def nurture(job: Job, now: datetime) -> Outcome:
    planned = plan_missing_nurture_touches()
    return Outcome(reason=f"planned {planned}")


# Forecasts are kept up to date for the users who came lately; others get theirs on their return.
FORECAST_USERS_WITHIN = timedelta(days=14)


def forecasts(job: Job, now: datetime) -> Outcome:
    """Compute afresh the stored outlook of each user whose data changed since (or whose day
    turned): Today, Reports and the weekly review then read it in one query."""
    refreshed = failed = 0
    recent = User.objects.filter(is_active=True, last_login__gte=now - FORECAST_USERS_WITHIN)
    chosen = recent.filter(profile__isnull=False).select_related("profile").order_by("pk")
    for user in chosen.iterator(chunk_size=200):
        try:
            with translation.override(user.profile.language or "en"):
                refreshed += refresh_outlook(user, now=now)
        except Exception:  # one user's data must not keep the others' forecasts stale
            log.exception("the forecast failed for user %s", user.pk)
            failed += 1
    return Outcome(reason=f"brought {refreshed} up to date, failed for {failed} users")


# How long finished rows are kept: a year of emails for "What Funnel sent", a week of the rest.
KEEP_EMAILS = timedelta(days=400)
KEEP_OTHERS = timedelta(days=7)


def cleanup(job: Job, now: datetime) -> Outcome:
    finished = Job.objects.filter(status__in=[Status.DONE, Status.SKIPPED, Status.FAILED])
    emails = finished.filter(kind__in=EMAIL_KINDS, finished_at__lt=now - KEEP_EMAILS).delete()[0]
    others = (
        finished.exclude(kind__in=EMAIL_KINDS).filter(finished_at__lt=now - KEEP_OTHERS).delete()[0]
    )
    return Outcome(reason=f"deleted {emails + others}")


HANDLERS: dict[str, Handler] = {
    Kind.CLEANUP: cleanup,
    Kind.DIGEST: digest,
    Kind.WEEKLY: weekly,
    Kind.REMINDER: reminder,
    Kind.NUDGE: nudge,
    Kind.STOP_RULES: stop_rules,
    Kind.NURTURE: nurture,
    Kind.FORECASTS: forecasts,
}
