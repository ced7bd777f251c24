"""Import jobs (a row per file being imported, which a background thread or, later, the worker
takes) and the column mappings a team confirmed, remembered by their headers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.contacts.models import ImportBatch


class ImportJob(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be read")
        READING = "reading", _("Reading the file")
        READY = "ready", _("Ready to import")
        QUEUED = "queued", _("Waiting to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    team = models.ForeignKey(Team, models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(_("file"), max_length=255)
    # Where the upload is kept (inside the data folder) until the job is done.
    stored_path = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # The reading of the file: tool, headers, mapping, stages, counts and the problems found.
    preview = models.JSONField(default=dict)
    # The user's choices: {"columns": {...}, "stages": {...}}.
    choices = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    batch = models.ForeignKey(
        ImportBatch, models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    # Claimed with a conditional UPDATE, so two workers never take the same job.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = TeamOwnedQuerySet["ImportJob"].as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="importjob_due")]

    def __str__(self) -> str:
        return self.file_name


class SavedMapping(models.Model):
    """How a team mapped the columns of a file with these headers, to map the next one alike."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="saved_mappings")
    headers_key = models.CharField(max_length=64)  # sha256 of the normalised headers
    columns = models.JSONField(default=dict)  # header -> target (records.TARGETS)
    stages = models.JSONField(default=dict)  # the source's stage -> level
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "headers_key"], name="saved_mapping_unique")
        ]

    def __str__(self) -> str:
        return self.headers_key
