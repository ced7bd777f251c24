"""Import jobs: claimed once, taken over when their runner is gone."""

import os
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import Settings

from funnel.contacts.models import Person
from funnel.transfer import jobs
from funnel.transfer.models import ImportJob

SHEET = "Name,Email\nMaria Keller,maria@keller.example\nJon Berg,jon@berg.example\n"


@pytest.fixture(autouse=True)
def run_jobs_inline(settings: Settings, tmp_path: Path) -> None:
    settings.FUNNEL_RUN_JOBS_INLINE = True
    settings.DATA_DIR = tmp_path


def new_job(user: User, tmp_path: Path, **fields: object) -> ImportJob:
    stored = tmp_path / "upload.csv"
    stored.write_text(SHEET)
    return ImportJob.objects.create(
        team=user.profile.team, user=user, file_name="c.csv", stored_path=str(stored), **fields
    )


def test_a_job_is_claimed_once(owner: User, tmp_path: Path) -> None:
    job = new_job(owner, tmp_path)
    assert jobs.claim(job.pk) is not None
    assert jobs.claim(job.pk) is None  # a second runner finds it taken


def test_a_claim_gone_quiet_is_taken_over(owner: User, tmp_path: Path) -> None:
    quiet = timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1)
    job = new_job(owner, tmp_path, status="importing", claimed_by="elsewhere:1:1", claimed_at=quiet)
    assert jobs.claim(job.pk) is not None


def test_a_server_starting_again_resumes_the_import_a_stopped_one_left(
    owner: User, tmp_path: Path
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that has ended: the server that held the job
    job = new_job(
        owner,
        tmp_path,
        status="reading",
        claimed_by=f"{socket.gethostname()}:{gone.pid}:1",
        claimed_at=timezone.now(),
    )
    busy = new_job(
        owner,
        tmp_path,
        status="reading",
        claimed_by=f"{socket.gethostname()}:{os.getpid()}:1",
        claimed_at=timezone.now(),
    )
    jobs.resume_interrupted()
    job.refresh_from_db()
    busy.refresh_from_db()
    assert job.status == "ready" and job.preview["summary"]["statuses"]["new"] == 2
    assert busy.status == "reading"  # its runner, this process, is alive: left alone
    jobs.run_job(job.pk)  # (not queued: nothing to do)
    assert not Person.objects.exists()
