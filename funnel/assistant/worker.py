"""`funnel worker`, and the thread `funnel serve` starts: plan what is coming due, then take due
jobs one at a time until none is left, then wait.

A job in hand is always finished before the worker stops (SIGTERM, Ctrl+C); one whose worker was
killed is taken over once its claim is older than FUNNEL_JOB_TIMEOUT. A failure never stops the
worker: the job waits for its retry, and after the last one shows as failed on "What Funnel sent".
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.assistant import claiming, planning, sending, tasks, warming
from funnel.assistant.models import EMAIL_KINDS, Job, Status
from funnel.transfer.jobs import run_due_jobs

log = logging.getLogger("funnel.worker")
PLAN_EVERY = timedelta(minutes=1)
IDLE_SECONDS = 5.0  # the pause when nothing is due


class Worker:
    def __init__(
        self, clock: Callable[[], datetime] = timezone.now, *, warm_caches: bool = False
    ) -> None:
        self.clock = clock
        self.name = claiming.worker_name()
        self.stopping = threading.Event()
        self.planned_at: datetime | None = None
        self.mail: BaseEmailBackend | None = None
        # Only in the web server's process, whose cache the pages read (funnel.assistant.warming).
        self.warm_caches = warm_caches
        self.warmed_at: datetime | None = None

    def run_forever(self, idle: float = IDLE_SECONDS) -> None:
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                self.run_round()
            except Exception:  # the database went away, say: log it, wait, try again
                log.exception("worker round failed; trying again in %s s", idle)
                connection.close()
            close_old_connections()
            self.stopping.wait(idle)
        self.close_mail()
        log.info("worker %s stopped", self.name)

    def run_round(self) -> int:
        """Plan, then run every due job; how many ran."""
        now = self.clock()
        if self.planned_at is None or now - self.planned_at >= PLAN_EVERY or now < self.planned_at:
            planning.plan(now)
            self.planned_at = now
        ran = 0
        queue: list[int] = []  # the due rows one SELECT found, taken one by one
        try:
            while not self.stopping.is_set():
                job = claiming.claim_next(self.name, self.clock(), queue)
                if job is None:
                    break
                self.run_job(job)
                ran += 1
        finally:
            self.close_mail()
        if not self.stopping.is_set():
            ran += run_due_jobs()  # imports waiting for a runner (their server stopped)
        now = self.clock()
        if self.warm_caches and (self.warmed_at is None or now - self.warmed_at >= warming.EVERY):
            warming.warm_active_users(now)
            self.warmed_at = now
        return ran

    def run_job(self, job: Job) -> None:
        now = self.clock()
        if job.attempts > claiming.MAX_ATTEMPTS:  # each worker that took it died on it
            reason = _("The worker stopped during every attempt; the log may say why.")
            claiming.finish(job, Status.FAILED, reason=reason, now=now)
            log.error("job %s (%s) failed for good: %s", job.pk, job.key, reason)
            return
        try:
            outcome = tasks.run(job, now)
            if outcome.letter is None:
                done = Status.SKIPPED if job.kind in EMAIL_KINDS else Status.DONE
                claiming.finish(job, done, reason=outcome.reason, now=now)
                return
            self.send(job, outcome)
        except Exception as exc:
            self.close_mail()  # a broken connection is not reused for the next job
            reason = sending.failure_reason(exc)
            status = claiming.retry_later(job, reason, now=self.clock())
            log.warning("job %s (%s) attempt %s failed: %s", job.pk, job.key, job.attempts, reason)
            if status == Status.FAILED:
                log.error("job %s (%s) failed for good: %s", job.pk, job.key, reason)

    def send(self, job: Job, outcome: tasks.Outcome) -> None:
        assert outcome.letter is not None and job.user is not None
        message = sending.build_message(job, outcome.letter, self.connection())
        # The Message-ID comes from the job alone: a worker killed after the send leaves nothing
        # to save for the next attempt, which sends the same one.
        sent = {
            "to": job.user.email,
            "subject": message.subject,
            "message_id": message.extra_headers["Message-ID"],
        }
        try:
            message.send()
        except Exception:
            Job.objects.filter(claiming.held(job)).update(**sent)  # the page shows what failed
            raise
        claiming.finish(job, Status.DONE, now=self.clock(), **sent)

    def connection(self) -> BaseEmailBackend:
        """One connection to the mail server for a round's emails, opened on the first."""
        if self.mail is None:
            self.mail = get_connection(fail_silently=False)
            self.mail.open()
        return self.mail

    def close_mail(self) -> None:
        if self.mail is not None:
            try:
                self.mail.close()
            except Exception:  # closing a connection the server already dropped
                log.debug("closing the mail connection failed", exc_info=True)
            self.mail = None


def start_in_thread() -> tuple[Worker, threading.Thread]:
    """The worker `funnel serve` runs beside the web server, so one machine needs nothing more."""
    worker = Worker(warm_caches=True)

    def run() -> None:
        try:
            worker.run_forever()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="funnel-worker", daemon=True)
    thread.start()
    return worker, thread
