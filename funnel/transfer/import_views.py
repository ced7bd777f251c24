"""The import pages: upload a file, watch it being read, check the preview and the mapping,
import, undo. The work runs as a job (funnel.transfer.jobs); the page polls it with htmx."""

import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel.contacts.models import ImportBatch
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.refusals import Refused
from funnel.sales.models import Level
from funnel.transfer import actions, jobs
from funnel.transfer.models import ImportJob
from funnel.transfer.records import TARGET_LABELS, TARGETS
from funnel.transfer.summary import Summary, records_text

Status = ImportJob.Status
# Files larger than this are for `funnel import` on the server, which has no upload to wait for.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
WORKING = [Status.WAITING, Status.READING, Status.QUEUED, Status.IMPORTING]


@login_required
def import_start(request: AuthenticatedRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = upload_problem(upload)
        if not error:
            assert upload is not None
            job = create_job(request, upload)
            return redirect("import_job", job.pk)
    return render(
        request,
        "transfer/import_start.html",
        {
            "error": error,
            "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
            "batches": [
                (batch, records_text(batch.counts.get("created", {})))
                for batch in ImportBatch.objects.visible_to(request.user)[:20]
            ],
            "jobs": ImportJob.objects.visible_to(request.user).filter(status__in=WORKING)[:10],
        },
        status=422 if error else 200,
    )


def upload_problem(upload: UploadedFile[bytes] | None) -> str:
    if upload is None:
        return _("Choose a file to import.")
    if upload.size is None or upload.size == 0:
        return _("The file is empty.")
    if upload.size > MAX_UPLOAD_BYTES:
        return _(
            "The file is larger than %(size)d MB: import it on the server with "
            "'funnel import FILE'."
        ) % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
    return ""


def create_job(request: AuthenticatedRequest, upload: UploadedFile[bytes]) -> ImportJob:
    stored = jobs.uploads_folder() / f"{uuid.uuid4().hex}{Path(upload.name or '').suffix[:10]}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    stored.chmod(0o600)
    job = ImportJob.objects.create(
        team=request.user.profile.team,
        user=request.user,
        file_name=(upload.name or _("file")).replace("\x00", "")[:255],
        stored_path=str(stored),
    )
    jobs.start(job)
    return job


def get_job(request: AuthenticatedRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@login_required
def import_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = get_job(request, pk)
    return render(request, "transfer/import_job.html", job_context(job))


@login_required
def import_job_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the page polls while the job works; once it is done, the whole page reloads."""
    job = get_job(request, pk)
    if job.status not in WORKING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "transfer/import_job.html#progress", job_context(job))


def job_context(job: ImportJob) -> dict[str, Any]:
    preview = job.preview
    summary = Summary.from_json(preview.get("summary", {}))
    result = Summary.from_json(preview["result"]) if "result" in preview else None
    columns = preview.get("columns", {})
    return {
        "job": job,
        "working": job.status in WORKING,
        "rows_done": jobs.rows_done(job),
        "summary": summary,
        "result": result,
        "columns": [
            (header, columns.get(header, ""), preview.get("suggested", {}).get(header, ""))
            for header in preview.get("headers", [])
        ],
        "targets": list(TARGET_LABELS.items()),
        "stages": [
            (stage, level, summary.stages[stage])
            for stage, level in preview.get("stage_levels", {}).items()
        ],
        "levels": Level.choices,
        "importable": summary.statuses["new"] + summary.statuses["update"],
        "restored": sorted(preview.get("restored", {}).items()),
    }


@require_POST
@login_required
def import_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Import with the mapping on the page; changed columns mean reading the file again."""
    job = get_job(request, pk)
    headers = job.preview.get("headers", [])
    columns = {
        header: request.POST.get(f"column-{index}", "")
        for index, header in enumerate(headers)
        if request.POST.get(f"column-{index}", "") in TARGETS
    }
    stages = {
        stage: request.POST.get(f"stage-{index}", "")
        for index, stage in enumerate(job.preview.get("stage_levels", {}))
        if request.POST.get(f"stage-{index}", "") in Level.values
    }
    reread = request.POST.get("action") == "reread" or any(
        job.preview.get("columns", {}).get(header) != target for header, target in columns.items()
    )
    choices = {"columns": columns, "stages": stages}
    next_status = Status.WAITING if reread else Status.QUEUED
    moved = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=next_status, choices=choices
    )
    if not moved:
        messages.info(request, _("This import has already moved on."))
    else:
        jobs.start(job)
    return redirect("import_job", job.pk)


@require_POST
@login_required
def import_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = get_job(request, pk)
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.READY, Status.FAILED]
    ).update(status=Status.CANCELLED)
    if cancelled:
        Path(job.stored_path).unlink(missing_ok=True)
        messages.success(
            request, _("Nothing was imported from %(file)s.") % {"file": job.file_name}
        )
    return redirect("import_start")


@require_POST
@login_required
def import_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        removed = actions.undo_import(user=request.user, batch_id=pk)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _(
                "Import undone: removed %(people)d people, %(organisations)d organisations and "
                "%(opportunities)d opportunities."
            )
            % removed,
        )
    return redirect("import_start")
