"""Follow-ups: appointments with customers, kept like any other (docs/method.md §2 and §3)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.contacts.models import Person
from funnel.lib import fields
from funnel.lib.bounds import validate_in_range
from funnel.lib.channels import Channel
from funnel.sales.models import Activity, Opportunity


class Kind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    REQUEST = "request", _("Answer a request")
    NURTURE = "nurture", _("Nurture touch")
    POST_SALE = "post_sale", _("After the sale")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpQuerySet(TeamOwnedQuerySet["FollowUp"]):
    def planned(self) -> "FollowUpQuerySet":
        return self.filter(status=Status.PLANNED)


class FollowUp(models.Model):
    """One scheduled contact: when, how long, how, why, and what new to bring."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, models.CASCADE, related_name="follow_ups", verbose_name=_("opportunity")
    )
    person = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=pgettext_lazy("follow-up: the person it is with", "with"),
    )
    # Who does it: the opportunity's owner, or a colleague it was delegated to.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    kind = models.CharField(
        pgettext_lazy("follow-up: follow-up, request, nurture or after the sale", "kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.FOLLOW_UP,
    )
    # Empty only for a post-sale step that waits for the delivery date.
    due_at = fields.DateTimeField(
        pgettext_lazy("follow-up: when it is planned", "when"),
        null=True,
        blank=True,
        validators=[validate_in_range],
    )
    minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    value_to_bring = models.CharField(
        _("value to bring"),
        max_length=300,
        blank=True,
        help_text=_("What new thing you offer this time: news, an idea, an answer."),
    )
    status = models.CharField(
        pgettext_lazy("follow-up: planned, done or cancelled", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PLANNED,
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Activity.Outcome.choices, blank=True
    )
    activity = models.ForeignKey(
        Activity, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # A post-sale step counted from delivery: placed when the delivery date is known.
    after_delivery_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Calendar clients take an event with a higher SEQUENCE as the newer version.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="follow_up_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="follow_up_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=False) | Q(kind=Kind.POST_SALE),
                name="follow_up_scheduled",
            ),
            models.CheckConstraint(condition=~Q(purpose=""), name="follow_up_purpose_not_empty"),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_at"], name="follow_up_agenda"),
            # Today's requests and the won deals waiting for a delivery date.
            models.Index(
                fields=["assigned_to", "status", "kind", "due_at"], name="follow_up_agenda_kind"
            ),
            models.Index(fields=["opportunity", "status", "due_at"], name="follow_up_next"),
            models.Index(fields=["person", "due_at"], name="follow_up_person"),
        ]

    def __str__(self) -> str:
        return self.purpose

    @property
    def ends_at(self) -> datetime | None:
        return self.due_at + timedelta(minutes=self.minutes) if self.due_at else None

    @property
    def is_planned(self) -> bool:
        return self.status == Status.PLANNED


class Anchor(models.TextChoices):
    WON = "won", _("the sale is confirmed")
    DELIVERY = "delivery", _("delivery")


class PostSaleStep(models.Model):
    """A step of a user's after-the-sale sequence (docs/method.md §3), copied onto each won deal."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="post_sale_steps"
    )
    position = models.PositiveSmallIntegerField(default=0)
    purpose = models.CharField(pgettext_lazy("post-sale step: what to do", "what"), max_length=200)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.LETTER
    )
    anchor = models.CharField(_("counted from"), max_length=10, choices=Anchor.choices)
    days_after = models.PositiveSmallIntegerField(
        _("days after"), default=0, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("post-sale step")
        verbose_name_plural = _("post-sale steps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(anchor__in=Anchor.values), name="post_sale_anchor"),
            models.CheckConstraint(condition=~Q(purpose=""), name="post_sale_purpose_not_empty"),
        ]

    def __str__(self) -> str:
        return self.purpose
