"""Import jobs: the web page's import runs in the background, one row per file.

A job is claimed with a conditional UPDATE (only a job nobody holds, or whose holder went
quiet for longer than STALE_AFTER), so two runners never take the same one. The page starts a
thread for its job at once; the worker (funnel.assistant) runs `run_due_jobs` each round for
the jobs a stopped server left. Progress goes to the
cache: the import's transaction keeps its rows invisible until it commits, and the page polls.
"""

import logging
import os
import socket
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from funnel.lib.refusals import Refused
from funnel.transfer import actions
from funnel.transfer.models import ImportJob
from funnel.transfer.reading import FileKind, file_kind
from funnel.transfer.restore_export import import_export_zip, refuse_unless_empty
from funnel.transfer.restore_values import read_export
from funnel.transfer.sources import Source, open_source, region_of

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)
Status = ImportJob.Status
RUNNABLE = [Status.WAITING, Status.QUEUED]
# A job stays READING or IMPORTING only while its runner lives; a stale one is taken over.
RUNNING = [Status.READING, Status.IMPORTING]


def uploads_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def progress_key(job_id: int) -> str:
    return f"import-job-progress:{job_id}"


def rows_done(job: ImportJob) -> int:
    done: int | None = cache.get(progress_key(job.pk))
    return job.rows_done if done is None else done


def start(job: ImportJob) -> None:
    """Run the job once the request's transaction has committed it."""
    transaction.on_commit(lambda: launch(job.pk))


def launch(job_id: int) -> None:
    if getattr(settings, "FUNNEL_RUN_JOBS_INLINE", False):
        run_job(job_id)
        return
    threading.Thread(target=run_in_thread, args=(job_id,), daemon=True).start()


def run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        connection.close()


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def claim(job_id: int) -> ImportJob | None:
    """Take the job if it is waiting and nobody holds it (or its holder went quiet)."""
    now = timezone.now()
    stale = Q(claimed_at__lt=now - STALE_AFTER)
    taken = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status__in=RUNNABLE, claimed_by="") | Q(status__in=RUNNABLE + RUNNING) & stale)
        .update(claimed_by=runner_name(), claimed_at=now)
    )
    return ImportJob.objects.select_related("user__profile").get(pk=job_id) if taken else None


def run_due_jobs() -> int:
    """Run every job that is waiting; how many ran (for a worker or a cron line)."""
    ran = 0
    due = Q(status__in=RUNNABLE) | Q(
        status__in=RUNNING, claimed_at__lt=timezone.now() - STALE_AFTER
    )
    for job_id in ImportJob.objects.filter(due).values_list("pk", flat=True):
        ran += run_job(job_id)
    return ran


def resume_interrupted() -> None:
    """At start-up: run the jobs an earlier server of this machine left (stopped mid-import,
    its transaction rolled back), and the ones nobody took yet."""
    host = socket.gethostname()
    orphans = []
    for job_id, holder in ImportJob.objects.filter(status__in=RUNNABLE + RUNNING).values_list(
        "pk", "claimed_by"
    ):
        holder_host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if not holder or (holder_host == host and pid.isdigit() and not process_alive(int(pid))):
            orphans.append(job_id)
    ImportJob.objects.filter(pk__in=orphans).update(claimed_by="", claimed_at=None)
    for job_id in orphans:
        launch_taken_over(job_id)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def launch_taken_over(job_id: int) -> None:
    """A job whose runner died: run it as if it had just been queued."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status == Status.READING:
        job.status = Status.WAITING
    elif job.status == Status.IMPORTING:
        job.status = Status.QUEUED
    job.save(update_fields=["status"])
    launch(job_id)


def run_job(job_id: int) -> bool:
    job = claim(job_id)
    if job is None:
        return False
    profile = job.user.profile
    with override(profile.language or "en"), timezone.override(profile.time_zone):
        try:
            if job.status in (Status.WAITING, Status.READING):
                read(job)
            else:
                write(job)
        except Refused as exc:  # a file it won't take (TransferError) or a refused write
            finish(job, Status.FAILED, error=exc.message)
        except Exception:
            log.exception("import job %s failed", job.pk)
            finish(
                job,
                Status.FAILED,
                error=_("The import failed unexpectedly; nothing was written. The log says why."),
            )
    return True


def _counter(job: ImportJob):  # type: ignore[no-untyped-def]  # a closure over the job
    done = [0]

    def progress(rows: int) -> None:
        done[0] += rows
        cache.set(progress_key(job.pk), done[0], timeout=3600)

    return progress


def read(job: ImportJob) -> None:
    """Read the file through: what would be created, updated, left out, and why."""
    if file_kind(Path(job.stored_path)) == FileKind.ZIP:
        read_funnel_export(job)
        return
    source = source_of(job)
    set_status(job, Status.READING, rows_total=source.expected_rows)
    summary = actions.preview(
        user=job.user,
        source=source,
        stages=job.choices.get("stages") or {},
        progress=_counter(job),
    )
    stages = actions.stage_levels(list(summary.stages), job.choices.get("stages") or {})
    job.preview = {
        "tool": source.tool,
        "kind": source.kind,
        "headers": source.headers,
        "suggested": source.suggested,
        "columns": source.columns,
        "remembered": source.remembered,
        "stage_levels": {stage: stages[stage] for stage in summary.stages},
        "summary": summary.as_json(),
    }
    job.rows_done = summary.rows
    finish(job, Status.READY)


def source_of(job: ImportJob) -> Source:
    """The job's file, with the columns the user chose on the page."""
    return open_source(
        Path(job.stored_path),
        team=job.team,
        region=region_of(job.user.profile),
        columns=job.choices.get("columns") or None,
    )


def read_funnel_export(job: ImportJob) -> None:
    """A Funnel export goes whole into an empty Funnel: checked now, so the page can say so."""
    read_export(Path(job.stored_path))
    refuse_unless_empty(job.team, job.user)
    job.preview = {"tool": "Funnel", "kind": FileKind.ZIP}
    finish(job, Status.READY)


def write(job: ImportJob) -> None:
    set_status(job, Status.IMPORTING)
    if job.preview.get("kind") == FileKind.ZIP:
        counts = import_export_zip(Path(job.stored_path), job.user)
        job.preview = {**job.preview, "restored": counts}
        finish(job, Status.DONE)
        Path(job.stored_path).unlink(missing_ok=True)
        return
    source = source_of(job)
    stages = actions.stage_levels(
        list(job.preview.get("stage_levels", {})), job.choices.get("stages") or {}
    )
    batch, summary = actions.run_import(
        user=job.user,
        source=source,
        file_name=job.file_name,
        stages=stages,
        progress=_counter(job),
    )
    job.batch = batch
    job.rows_done = summary.rows
    job.preview = {**job.preview, "result": summary.as_json()}
    finish(job, Status.DONE)
    Path(job.stored_path).unlink(missing_ok=True)


def set_status(job: ImportJob, status: str, **fields: object) -> None:
    cache.delete(progress_key(job.pk))
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.claimed_at = timezone.now()
    job.save(update_fields=["status", "claimed_at", "updated", *fields])


def finish(job: ImportJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.claimed_by = ""
    job.claimed_at = None
    job.save()
    cache.delete(progress_key(job.pk))
    if status == Status.FAILED:
        Path(job.stored_path).unlink(missing_ok=True)
