"""Prospecting blocks: recurring time kept for prospecting, treated as sacred (docs/method.md §4).

Occurrences are computed from each block's rule (funnel.prospecting.rules); a row is stored
only when the user marks one.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.lib import fields
from funnel.lib.bounds import validate_in_range
from funnel.prospecting import rules

MIN_MINUTES, MAX_MINUTES = 15, 12 * 60


class Block(models.Model):
    """Recurring prospecting time, e.g. every Tuesday 9:00 to 12:00 in the owner's time zone."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="prospecting_blocks"
    )
    title = models.CharField(_("title"), max_length=100)
    starts_on = fields.DateField(
        pgettext_lazy("prospecting block: its first day", "from"), validators=[validate_in_range]
    )
    start_time = models.TimeField(_("start time"))
    minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=180,
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)],
    )
    # An RFC 5545 RRULE value built by rules.build_rule; DTSTART is starts_on at start_time.
    rule = models.CharField(_("recurrence"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = TeamOwnedQuerySet["Block"].as_manager()

    class Meta:
        verbose_name = _("prospecting block")
        verbose_name_plural = _("prospecting blocks")
        ordering = ["start_time", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(rule=""), name="block_rule_not_empty"),
            models.CheckConstraint(
                condition=Q(minutes__gte=MIN_MINUTES, minutes__lte=MAX_MINUTES),
                name="block_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def plan(self, zone: ZoneInfo) -> rules.BlockPlan:
        first = datetime.combine(self.starts_on, self.start_time)
        return rules.BlockPlan(self.pk, self.title, first, self.minutes, self.rule, zone)


class Outcome(models.TextChoices):
    HONOURED = "honoured", _("Honoured")
    PARTLY = "partly", _("Partly")
    MISSED = "missed", _("Missed")
    MOVED = "moved", _("Moved")


class BlockOutcome(models.Model):
    """How one occurrence went, stored once the user marks it."""

    block = models.ForeignKey(Block, models.CASCADE, related_name="outcomes")
    original_start = fields.DateTimeField(_("planned start"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    moved_start = fields.DateTimeField(
        _("moved to"), null=True, blank=True, validators=[validate_in_range]
    )
    moved_end = fields.DateTimeField(
        _("moved until"), null=True, blank=True, validators=[validate_in_range]
    )
    # How the new slot of a moved block went (not moved again: it stays in its week).
    moved_outcome = models.CharField(
        _("outcome of the new slot"), max_length=10, choices=Outcome.choices[:3], blank=True
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("prospecting block outcome")
        verbose_name_plural = _("prospecting block outcomes")
        ordering = ["original_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["block", "original_start"], name="block_outcome_once_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="block_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(moved_outcome__in=["", "honoured", "partly", "missed"]),
                name="block_outcome_moved_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="moved", moved_end__gt=F("moved_start"))
                | Q(~Q(outcome="moved"), moved_start=None, moved_end=None, moved_outcome=""),
                name="block_outcome_moved_has_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.block} {self.original_start:%Y-%m-%d %H:%M}: {self.outcome}"

    def as_mark(self) -> rules.Mark:
        return rules.Mark(self.outcome, self.moved_start, self.moved_end, self.moved_outcome)
