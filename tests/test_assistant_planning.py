"""When the reminders and missed-step nudges go out, and the hourly work the worker does:
automatic stop rules, nurture touches, clearing old rows; the demo's log backend."""

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funnel.assistant import planning
from funnel.assistant.models import Job, Kind, Status
from funnel.assistant.worker import Worker
from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.followup.models import Kind as FollowUpKind
from funnel.followup.models import Status as FollowUpStatus
from funnel.lib.mail import LogBackend
from funnel.lib.mail import plain_text as text_of
from funnel.sales.models import Level, Opportunity
from tests.calendar_helpers import follow_up
from tests.helpers import Clock
from tests.smtp_helpers import Mailbox

ROME = ZoneInfo("Europe/Rome")
FRIDAY_3PM = dt.datetime(2026, 12, 4, 15, 0, tzinfo=ROME)
MONDAY_9AM = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ROME)


@pytest.fixture
def seller(owner: User) -> User:
    owner.email = "anna@example.com"
    owner.save(update_fields=["email"])
    profile = owner.profile
    profile.time_zone = "Europe/Rome"
    profile.email_digest = profile.email_weekly = False  # only what each test looks at
    profile.save()
    return User.objects.select_related("profile").get(pk=owner.pk)


@pytest.fixture
def deal(make_opportunity: Callable[..., Opportunity]) -> Opportunity:
    return make_opportunity("Showroom fit-out", level=Level.IN, value=Decimal(18000))


def jobs(kind: str) -> list[Job]:
    return list(Job.objects.filter(kind=kind).order_by("due_at"))


def test_a_reminder_goes_out_the_chosen_minutes_before_with_the_invitation(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    seller.profile.email_reminder_minutes = 30
    seller.profile.save()
    follow_up(deal, MONDAY_9AM, "Call about the revised offer")
    clock = Clock(MONDAY_9AM - dt.timedelta(minutes=31))
    worker = Worker(clock=clock)
    worker.run_round()
    assert smtp.messages == []
    clock.at = MONDAY_9AM - dt.timedelta(minutes=30)
    worker.run_round()
    (message,) = smtp.messages
    assert "revised offer" in message["Subject"]
    attached = [part.get_content_type() for part in message.walk() if part.get_filename()]
    assert attached == ["text/calendar"]


def test_a_follow_up_moved_after_its_reminder_was_planned_is_reminded_at_its_new_time(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    seller.profile.email_reminder_minutes = 15
    seller.profile.save()
    step = follow_up(deal, MONDAY_9AM)
    clock = Clock(MONDAY_9AM - dt.timedelta(minutes=20))
    worker = Worker(clock=clock)
    worker.run_round()  # the reminder for 9:00 is planned, due at 8:45
    step.due_at = MONDAY_9AM + dt.timedelta(hours=2)
    step.save(update_fields=["due_at"])
    clock.at = MONDAY_9AM - dt.timedelta(minutes=15)
    worker.run_round()
    assert smtp.messages == []
    (old,) = jobs(Kind.REMINDER)
    assert old.status == Status.SKIPPED and "moved" in old.last_error
    clock.at = MONDAY_9AM + dt.timedelta(hours=2, minutes=-15)
    worker.run_round()
    worker.run_round()
    assert len(smtp.messages) == 1


def test_no_reminder_unless_the_user_asks_for_them(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    assert seller.profile.email_reminder_minutes is None  # the calendar feed reminds already
    follow_up(deal, MONDAY_9AM)
    Worker(clock=Clock(MONDAY_9AM - dt.timedelta(minutes=5))).run_round()
    assert jobs(Kind.REMINDER) == []


def test_a_friday_follow_up_left_without_an_outcome_is_nudged_monday_morning(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    follow_up(deal, FRIDAY_3PM, "Call about the revised offer")
    clock = Clock(FRIDAY_3PM + dt.timedelta(hours=3))
    worker = Worker(clock=clock)
    worker.run_round()
    clock.at = dt.datetime(2026, 12, 6, 12, 0, tzinfo=ROME)  # Sunday: not a working day
    worker.run_round()
    assert smtp.messages == []
    clock.at = MONDAY_9AM  # the working day starts at 9:00
    worker.run_round()
    (message,) = smtp.messages
    assert "revised offer" in message["Subject"]
    (job,) = jobs(Kind.NUDGE)
    assert job.due_at == MONDAY_9AM


def test_no_nudge_once_the_outcome_is_logged(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    step = follow_up(deal, FRIDAY_3PM)
    clock = Clock(MONDAY_9AM - dt.timedelta(minutes=5))
    worker = Worker(clock=clock)
    worker.run_round()  # planned for 9:00
    FollowUp.objects.filter(pk=step.pk).update(status=FollowUpStatus.DONE, outcome="reached")
    clock.at = MONDAY_9AM
    worker.run_round()
    assert smtp.messages == []
    (job,) = jobs(Kind.NUDGE)
    assert job.status == Status.SKIPPED and "logged" in job.last_error


def test_an_old_backlog_of_missed_steps_sends_no_flood(
    seller: User, deal: Opportunity, smtp: Mailbox
) -> None:
    for weeks in range(1, 6):
        follow_up(deal, FRIDAY_3PM - dt.timedelta(weeks=weeks))
    Worker(clock=Clock(MONDAY_9AM)).run_round()
    assert smtp.messages == []


def test_the_worker_applies_automatic_stop_rules_every_hour(owner: User, deal: Opportunity) -> None:
    owner.profile.stop_automatically = True
    owner.profile.stop_after_days = 30
    owner.profile.save()
    long_ago = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
    Opportunity.objects.filter(pk=deal.pk).update(progress_at=long_ago, level_changed=long_ago)
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC))).run_round()
    deal.refresh_from_db()
    assert deal.level not in (Level.IN, Level.ABOVE, Level.BEST_FEW)
    (job,) = jobs(Kind.STOP_RULES)
    assert job.status == Status.DONE


def test_a_nurture_deal_without_a_touch_gets_one_planned(
    owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    parked = make_opportunity("Parked", level=Level.ABOVE)
    Opportunity.objects.filter(pk=parked.pk).update(level=Level.NURTURE)  # as an import sets it
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC))).run_round()
    touch = FollowUp.objects.get(opportunity=parked, kind=FollowUpKind.NURTURE)
    assert touch.status == FollowUpStatus.PLANNED
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 11, 5, tzinfo=dt.UTC))).run_round()
    assert FollowUp.objects.filter(opportunity=parked, kind=FollowUpKind.NURTURE).count() == 1


def test_a_cancelled_nurture_touch_stays_cancelled(
    owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    parked = make_opportunity("Parked", level=Level.ABOVE)
    Opportunity.objects.filter(pk=parked.pk).update(level=Level.NURTURE)
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC))).run_round()
    touch = FollowUp.objects.get(opportunity=parked, kind=FollowUpKind.NURTURE)
    actions.cancel(follow_up=touch)
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 11, 5, tzinfo=dt.UTC))).run_round()
    assert not FollowUp.objects.filter(opportunity=parked, status=FollowUpStatus.PLANNED).exists()


def test_old_rows_are_cleared_and_a_year_of_emails_kept(owner: User) -> None:
    now = dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)
    old_email = Job.objects.create(
        kind=Kind.DIGEST,
        key="digest:old",
        user=owner,
        due_at=now - dt.timedelta(days=300),
        status=Status.DONE,
        finished_at=now - dt.timedelta(days=300),
    )
    Job.objects.create(
        kind=Kind.STOP_RULES,
        key="stop_rules:old",
        due_at=now - dt.timedelta(days=8),
        status=Status.DONE,
        finished_at=now - dt.timedelta(days=8),
    )
    Worker(clock=Clock(now)).run_round()
    assert not Job.objects.filter(key="stop_rules:old").exists()
    assert Job.objects.filter(pk=old_email.pk).exists()


def test_planning_twice_plans_once(seller: User) -> None:
    seller.profile.email_digest = True
    seller.profile.save()
    at = dt.datetime(2026, 12, 7, 6, 55, tzinfo=ROME)
    assert planning.plan(at) > 0
    assert planning.plan(at) == 0
    assert len(jobs(Kind.DIGEST)) == 1


def test_the_log_backend_shows_the_headers_and_the_text_not_the_html() -> None:
    from django.core.mail import EmailMultiAlternatives

    stream = io.StringIO()
    backend = LogBackend(stream=stream)
    message = EmailMultiAlternatives(
        "Monday 7 December: 3 things to do",
        "1. Close the Best few\nCall Giulia",
        "Funnel <funnel@example.com>",
        ["anna@example.com"],
        connection=backend,
    )
    message.attach_alternative("<p>secret markup</p>", "text/html")
    message.attach("invite.ics", b"BEGIN:VCALENDAR", "text/calendar")
    message.send()
    shown = stream.getvalue()
    assert "Subject: Monday 7 December: 3 things to do" in shown
    assert "Call Giulia" in shown and "[attached: invite.ics]" in shown
    assert "secret markup" not in shown


def test_the_digest_of_a_funnel_in_italian_reads_italian_dates(seller: User, smtp: Mailbox) -> None:
    seller.profile.email_digest = True
    seller.profile.email_when_empty = True
    seller.profile.language = "it"
    seller.profile.save()
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=ROME))).run_round()
    (message,) = smtp.messages
    assert "dicembre" in message["Subject"].lower()
    assert text_of(message)


def test_the_worker_in_the_server_keeps_todays_figures_ready_for_active_users(
    owner: User,
) -> None:
    from django.core.cache import cache

    from funnel.today.slowdowns import slowdowns_for

    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    User.objects.filter(pk=owner.pk).update(last_login=now - dt.timedelta(hours=1))
    cache.clear()
    Worker(clock=Clock(now), warm_caches=True).run_round()
    user = User.objects.select_related("profile").get(pk=owner.pk)
    with CaptureQueriesContext(connection) as warm:
        slowdowns_for(user, now)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        slowdowns_for(user, now)
    assert len(warm) < len(cold)


def test_one_users_failing_stop_rules_do_not_keep_the_others_from_running(
    owner: User, outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from funnel.assistant import tasks

    for user in (owner, outsider):
        user.profile.stop_automatically = True
        user.profile.save()
    ran: list[str] = []

    def apply(user: User, *, now: dt.datetime) -> int:
        ran.append(user.username)
        if user.pk == owner.pk:
            raise RuntimeError("a broken row")
        return 1

    monkeypatch.setattr(tasks, "apply_automatic_stops", apply)
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC))).run_round()
    assert sorted(ran) == sorted([owner.username, outsider.username])
    (job,) = jobs(Kind.STOP_RULES)
    assert job.status == Status.DONE and "failed for 1" in job.last_error


def test_the_log_backend_shows_a_subject_with_accents_and_dashes_as_words() -> None:
    from django.core.mail import EmailMessage

    stream = io.StringIO()
    subject = (
        "Your week, 30 November \N{EN DASH} 6 December: lunedì, a subject long enough to be folded"
    )
    EmailMessage(
        subject, "Body", "f@example.com", ["a@example.com"], connection=LogBackend(stream=stream)
    ).send()
    assert f"Subject: {subject}\n" in stream.getvalue()
