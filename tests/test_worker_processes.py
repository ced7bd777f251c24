"""`funnel worker` as separate processes on the test database: two at once send every email
exactly once, one killed mid-batch loses nothing, SIGTERM lets the job in hand finish, and a bad
FUNNEL_EMAIL_URL stops start-up with one line."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from funnel.accounts.actions import create_user
from funnel.assistant.models import Job, Kind, Status
from tests.helpers import child_environment
from tests.smtp_helpers import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The test database, as FUNNEL_DATABASE_URL says it to a child process."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    user = quote(config["USER"] or "", safe="")
    password = quote(config["PASSWORD"] or "", safe="")
    host = quote(config["HOST"] or "localhost", safe="")  # a socket folder is percent-encoded
    return f"postgres://{user}:{password}@{host}:{config['PORT'] or 5432}/{config['NAME']}"


def worker(mailbox: Mailbox, *arguments: str, **environment: str) -> subprocess.Popen[str]:
    env = child_environment(os.environ)
    env.update(
        FUNNEL_DATABASE_URL=database_url(),
        FUNNEL_EMAIL_URL=mailbox.url,
        FUNNEL_EMAIL_FROM="Funnel <funnel@example.com>",
    )
    env.update(environment)
    return subprocess.Popen(
        [sys.executable, "-m", "funnel.cli", "worker", *arguments],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def users_with_due_emails(count: int, users: int = 10) -> list[Job]:
    """`count` digests due a minute ago, spread over `users` people who want one even on an
    empty day, at an hour the worker's own planning leaves alone."""
    now = timezone.now()
    off_hour = (now.hour + 12) % 24
    people = []
    for number in range(users):
        user = create_user(
            username=f"seller{number}", password="x" * 12, email=f"s{number}@example.com"
        )
        user.profile.email_hour = off_hour
        user.profile.email_when_empty = True
        user.profile.email_weekly = False
        user.profile.save()
        people.append(user)
    due = now - dt.timedelta(minutes=1)
    jobs = [
        Job(
            kind=Kind.DIGEST,
            key=f"digest:{people[n % users].pk}:test-{n}",
            user=people[n % users],
            due_at=due,
        )
        for n in range(count)
    ]
    return Job.objects.bulk_create(jobs)


def finished(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    """The exit code, and what it printed (stdout, then stderr)."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the worker did not finish in {timeout} s: {out}{err}")
    return process.returncode, out + err


def test_two_workers_send_a_thousand_due_emails_exactly_once(mailbox: Mailbox) -> None:
    users_with_due_emails(1000)
    workers = [worker(mailbox, "--once"), worker(mailbox, "--once")]
    results = [finished(process, timeout=300) for process in workers]
    assert [code for code, _ in results] == [0, 0], results
    ids = mailbox.message_ids()
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    assert Job.objects.filter(kind=Kind.DIGEST, status=Status.DONE).count() == 1000
    # Both took part: the conditional UPDATE shares the rows out, it does not serialise them.
    ran = [int(re.search(r"Ran (\d+) job", output).group(1)) for _, output in results]  # type: ignore[union-attr]
    assert all(count > 0 for count in ran) and sum(ran) >= 1000, ran


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_with_the_same_message_id(
    mailbox: Mailbox,
) -> None:
    jobs = users_with_due_emails(30, users=3)
    mailbox.hold = threading.Event()
    first = worker(mailbox, "--once", FUNNEL_JOB_TIMEOUT="2")
    assert mailbox.hold.wait(60), "the worker sent nothing"
    time.sleep(0.2)
    first.send_signal(signal.SIGKILL)  # the message is with the server, its row not yet done
    first.wait(10)
    mailbox.hold = None
    mailbox.release.set()
    time.sleep(2.5)  # the killed worker's claim goes quiet (FUNNEL_JOB_TIMEOUT=2)
    code, err = finished(worker(mailbox, "--once", FUNNEL_JOB_TIMEOUT="2"))
    assert code == 0, err
    ids = mailbox.message_ids()
    counts = Counter(ids)
    expected = set(
        Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("message_id", flat=True)
    )
    assert set(counts) == expected and len(expected) == 30
    assert sum(counts.values()) <= 31  # at most the message in flight twice
    assert [n for n in counts.values() if n > 1] in ([], [2])
    assert Job.objects.filter(pk__in=[j.pk for j in jobs], status=Status.DONE).count() == 30


def test_sigterm_lets_the_job_in_hand_finish(mailbox: Mailbox) -> None:
    (job,) = users_with_due_emails(1, users=1)
    mailbox.hold = threading.Event()
    running = worker(mailbox, "--idle", "0.2")
    assert mailbox.hold.wait(60)
    running.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    mailbox.release.set()  # the server answers; the worker marks the job sent, then stops
    code, err = finished(running, timeout=30)
    assert code == 0, err
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert len(mailbox.message_ids()) == 1


def test_a_bad_email_url_stops_the_worker_with_one_line(mailbox: Mailbox) -> None:
    code, err = finished(worker(mailbox, "--once", FUNNEL_EMAIL_URL="nonsense"), timeout=60)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "FUNNEL_EMAIL_URL" in err and "nonsense" in err
