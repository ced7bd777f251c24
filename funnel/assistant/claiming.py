"""Taking a due job, and letting it go: the conditional UPDATEs that let several workers share
one table (healthchecks' pattern). A worker takes a row only if, at the moment of its UPDATE, the
row is still due and nobody holds it, or its holder went quiet for longer than the job timeout
(it was killed). PostgreSQL re-checks the condition on a row another worker just took, so one of
the two UPDATEs finds nothing and moves on to the next row."""

import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from funnel.assistant.models import Job, Status

# The pause before each retry: a minute, then five, half an hour, two hours, six; then it fails.
BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
CANDIDATES = 20  # rows looked at per claim: with several workers, the first may be gone


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def job_timeout() -> timedelta:
    return timedelta(seconds=settings.JOB_TIMEOUT)


def due(now: datetime) -> Q:
    waiting = Q(status=Status.WAITING, due_at__lte=now)
    abandoned = Q(status=Status.RUNNING, claimed_at__lt=now - job_timeout())
    return waiting | abandoned


def claim_next(name: str, now: datetime, queue: list[int] | None = None) -> Job | None:
    """The next due job, now held by `name`; None when nothing is due.

    `queue` keeps the due rows one SELECT found for the next calls (a worker going through a
    batch reads the list once, not once per job); a row another worker took meanwhile fails
    its UPDATE and is passed over.
    """
    condition = due(now)
    queue = [] if queue is None else queue
    while True:
        if not queue:
            queue.extend(
                Job.objects.filter(condition)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:CANDIDATES]
            )
            if not queue:
                return None
        pk = queue.pop(0)
        taken = Job.objects.filter(condition, pk=pk).update(
            status=Status.RUNNING,
            claimed_by=name,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if taken:
            return Job.objects.select_related("user__profile").get(pk=pk)


def held(job: Job) -> Q:
    """Still ours: a worker that took over a job we were too slow with owns it now."""
    return Q(pk=job.pk, status=Status.RUNNING, claimed_by=job.claimed_by, claimed_at=job.claimed_at)


def finish(
    job: Job, status: str, *, reason: str = "", now: datetime | None = None, **fields: object
) -> bool:
    """Done, skipped (with why) or failed for good; False if another worker holds it now."""
    return bool(
        Job.objects.filter(held(job)).update(
            status=status,
            last_error=reason,
            finished_at=now or timezone.now(),
            claimed_by="",
            claimed_at=None,
            **fields,
        )
    )


def retry_later(job: Job, reason: str, *, now: datetime) -> str:
    """Back to waiting with the next pause, or failed after the last attempt; the new status."""
    if job.attempts >= MAX_ATTEMPTS:
        finish(job, Status.FAILED, reason=reason, now=now)
        return Status.FAILED
    Job.objects.filter(held(job)).update(
        status=Status.WAITING,
        last_error=reason,
        due_at=now + BACKOFF[job.attempts - 1],
        claimed_by="",
        claimed_at=None,
    )
    return Status.WAITING
