"""The worker in this process, against a real SMTP server: what it sends, when, and what it
does when the mail server says no."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from funnel.assistant.claiming import BACKOFF, MAX_ATTEMPTS, claim_next
from funnel.assistant.models import Job, Kind, Status
from funnel.assistant.worker import Worker
from funnel.lib.mail import plain_text as text_of
from tests.helpers import Clock
from tests.smtp_helpers import Mailbox

ROME = ZoneInfo("Europe/Rome")
UTC = dt.UTC


def mailed(user: User, *, hour: int = 7, zone: str = "UTC", **settings: object) -> User:
    user.email = f"{user.username}@example.com"
    user.save(update_fields=["email"])
    profile = user.profile
    profile.email_hour = hour
    profile.time_zone = zone
    profile.email_when_empty = True  # an empty funnel still gets its digest in these tests
    profile.email_weekly = False
    for name, value in settings.items():
        setattr(profile, name, value)
    profile.save()
    return User.objects.select_related("profile").get(pk=user.pk)


def digest_jobs(user: User) -> list[Job]:
    return list(Job.objects.filter(user=user, kind=Kind.DIGEST).order_by("due_at"))


def test_the_digest_goes_out_once_at_the_users_hour(owner: User, smtp: Mailbox) -> None:
    user = mailed(owner, hour=7, zone="Europe/Rome")
    clock = Clock(dt.datetime(2026, 12, 7, 5, 50, tzinfo=UTC))  # 06:50 in Rome
    worker = Worker(clock=clock)
    worker.run_round()
    assert smtp.messages == []  # planned, not due yet
    clock.at = dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Rome
    worker.run_round()
    worker.run_round()
    Worker(clock=clock).run_round()  # a second worker, or a restart, sends nothing more
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "Anna Rossi <anna@example.com>"
    assert message["Message-ID"] == digest_jobs(user)[0].message_id
    assert str(message["List-Unsubscribe"]).strip().startswith("<http://127.0.0.1:8000/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert text_of(message)
    job = digest_jobs(user)[0]
    assert (job.status, job.to, job.subject) == (Status.DONE, user.email, message["Subject"])


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (dt.date(2026, 3, 28), 6),  # Saturday, still winter time: 07:00 is 06:00 UTC
        (dt.date(2026, 3, 29), 5),  # the clocks go forward at 02:00: 07:00 is 05:00 UTC
        (dt.date(2026, 10, 25), 6),  # the clocks go back at 03:00: 07:00 is 06:00 UTC
        (dt.date(2026, 10, 26), 6),
    ],
)
def test_a_digest_at_seven_in_rome_arrives_at_seven_when_the_clocks_change(
    owner: User, smtp: Mailbox, day: dt.date, utc_hour: int
) -> None:
    mailed(owner, hour=7, zone="Europe/Rome")
    seven = dt.datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    clock = Clock(seven - dt.timedelta(minutes=5))
    worker = Worker(clock=clock)
    worker.run_round()
    assert smtp.messages == []
    clock.at = seven - dt.timedelta(seconds=1)
    worker.run_round()
    assert smtp.messages == []
    clock.at = seven
    worker.run_round()
    assert len(smtp.messages) == 1
    (job,) = digest_jobs(owner)
    assert job.due_at.astimezone(ROME).time() == dt.time(7, 0)
    assert job.due_at == seven


def test_a_refused_send_is_retried_later_and_the_worker_goes_on(
    owner: User, outsider: User, smtp: Mailbox
) -> None:
    mailed(owner)
    mailed(outsider)
    clock = Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    worker = Worker(clock=clock)
    smtp.refuse_with = "451 4.3.0 Mailbox busy, try again later"
    worker.run_round()  # the first refusal does not stop the round: both are attempted
    assert [job.attempts for job in Job.objects.filter(kind=Kind.DIGEST)] == [1, 1]
    job = digest_jobs(owner)[0]
    assert (job.status, job.attempts) == (Status.WAITING, 1)
    assert "451" in job.last_error and "try again later" in job.last_error
    assert job.subject and job.to == "anna@example.com"  # the page says which email failed
    assert job.due_at == clock.at + BACKOFF[0]
    smtp.refuse_with = ""
    worker.run_round()
    assert smtp.messages == []  # not before its pause is over
    clock.at += BACKOFF[0]
    worker.run_round()
    assert len(smtp.messages) == 2
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 2)


def test_a_send_that_keeps_failing_ends_failed_with_the_reason(owner: User, smtp: Mailbox) -> None:
    mailed(owner)
    clock = Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    worker = Worker(clock=clock)
    smtp.refuse_with = "550 5.1.1 No such user here"
    for pause in [*BACKOFF, dt.timedelta(0)]:
        worker.run_round()
        clock.at += pause
    job = digest_jobs(owner)[0]
    assert (job.status, job.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert "550" in job.last_error and "No such user" in job.last_error
    assert smtp.messages == []


def test_a_mail_server_that_is_down_is_a_reason_not_a_crash(
    owner: User, smtp: Mailbox, settings: object
) -> None:
    mailed(owner)
    from django.conf import settings as django_settings

    django_settings.EMAIL_PORT = 1  # nothing listens there
    worker = Worker(clock=Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)))
    worker.run_round()
    job = digest_jobs(owner)[0]
    assert job.status == Status.WAITING
    assert "could not be reached" in job.last_error and "127.0.0.1:1" in job.last_error


def test_a_user_without_an_address_gets_nothing_planned(owner: User, smtp: Mailbox) -> None:
    assert owner.email == ""
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC))).run_round()
    assert digest_jobs(owner) == []
    assert smtp.messages == []


def test_an_empty_day_sends_no_digest_unless_asked(owner: User, smtp: Mailbox) -> None:
    mailed(owner, email_when_empty=False)
    Worker(clock=Clock(dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC))).run_round()
    (job,) = digest_jobs(owner)
    assert job.status == Status.SKIPPED and job.last_error
    assert smtp.messages == []


def test_a_worker_that_was_down_at_the_hour_does_not_send_the_stale_digest(
    owner: User, smtp: Mailbox
) -> None:
    mailed(owner, hour=7)
    early = Clock(dt.datetime(2026, 12, 7, 6, 55, tzinfo=UTC))
    Worker(clock=early).run_round()  # planned at 06:55, then the worker stopped
    late = Clock(dt.datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    Worker(clock=late).run_round()
    (today,) = digest_jobs(owner)
    assert today.status == Status.SKIPPED and "was not running at 07:00" in today.last_error
    assert smtp.messages == []


def one_job(user: User, due_at: dt.datetime) -> Job:
    return Job.objects.create(kind=Kind.DIGEST, key="digest:test", user=user, due_at=due_at)


def test_a_job_held_by_a_worker_is_not_taken_by_another(owner: User) -> None:
    now = dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    job = one_job(owner, now)
    first = claim_next("one", now)
    assert first is not None and first.pk == job.pk and first.claimed_by == "one"
    assert claim_next("two", now + dt.timedelta(minutes=9)) is None


def test_a_job_whose_worker_went_quiet_is_taken_over(owner: User) -> None:
    now = dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    job = one_job(owner, now)
    assert claim_next("killed", now) is not None
    again = claim_next("other", now + dt.timedelta(seconds=601))  # FUNNEL_JOB_TIMEOUT is 600
    assert again is not None and again.pk == job.pk
    assert (again.claimed_by, again.attempts) == ("other", 2)


def test_a_job_not_yet_due_is_not_taken(owner: User) -> None:
    now = dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    one_job(owner, now + dt.timedelta(seconds=1))
    assert claim_next("one", now) is None


def test_a_job_its_workers_keep_dying_on_ends_failed_instead_of_looping(owner: User) -> None:
    now = dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    job = one_job(owner, now)
    Job.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=MAX_ATTEMPTS, claimed_by="dead", claimed_at=now
    )
    Worker(clock=Clock(now + dt.timedelta(seconds=601))).run_round()
    job.refresh_from_db()
    assert job.status == Status.FAILED and "stopped during every attempt" in job.last_error
