"""Background work as rows: each job is due at a time, and a worker claims it with a
conditional UPDATE (funnel.assistant.worker), so several workers never take the same one.

An email is a job too: its row keeps the address, subject and Message-ID it went out with, and
is what the page "What Funnel sent" lists.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DIGEST = "digest", _("Daily digest")
    REMINDER = "reminder", _("Reminder")
    NUDGE = "nudge", _("Missed step")
    WEEKLY = "weekly", _("Weekly review")
    STOP_RULES = "stop_rules", _("Automatic stop rules")
    NURTURE = "nurture", _("Nurture touches")
    CLEANUP = "cleanup", _("Clearing old jobs")
    FORECASTS = "forecasts", _("Forecasts brought up to date")


EMAIL_KINDS = [Kind.DIGEST, Kind.REMINDER, Kind.NUDGE, Kind.WEEKLY]


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What makes the job unique ("digest:42:2026-12-07"): planning it twice plans it once.
    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    payload = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed, why the email was not needed after all, or what an hourly
    # task did ("closed 2, failed for 0 users").
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Emails only: what went out, so a resend after a crash carries the same Message-ID.
    to = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["status", "due_at"], name="job_due"),
            models.Index(fields=["user", "kind", "-due_at"], name="job_user_history"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]), name="job_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.key
