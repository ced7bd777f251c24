"""Quotes that expire (docs/method.md §4): not business until signed, and not open for ever."""

from datetime import date
from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.lib import fields
from funnel.lib.bounds import validate_in_range
from funnel.lib.money import CURRENCY_CHOICES
from funnel.quotes import rules
from funnel.sales.models import Opportunity


# Where sent quotes stand on a day, as conditions: for the named filters and the list's counts.
def expired_on(today: date) -> Q:
    return Q(status="sent", valid_until__lt=today)


def expiring_soon_on(today: date) -> Q:
    return Q(status="sent", valid_until__range=(today, rules.needs_attention_by(today)))


def needing_attention_on(today: date) -> Q:
    """Expiring soon or expired: what Today shows."""
    return Q(status="sent", valid_until__lte=rules.needs_attention_by(today))


class QuoteQuerySet(TeamOwnedQuerySet["Quote"]):
    """Named filters; "expired" and "expiring soon" are read against today's date."""

    def open(self) -> Self:
        """Sent and waiting for an answer, expired or not."""
        return self.filter(status="sent")

    def count_each(self, conditions: dict[str, Q]) -> dict[str, int]:
        """How many meet each condition, by its name, in one query."""
        counted = {
            name: models.Count("pk", filter=condition) for name, condition in conditions.items()
        }
        return self.aggregate(**counted)

    def expired(self, today: date) -> Self:
        return self.filter(expired_on(today))

    def expiring_soon(self, today: date) -> Self:
        return self.filter(expiring_soon_on(today))

    def needing_attention(self, today: date) -> Self:
        return self.filter(needing_attention_on(today))


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", pgettext_lazy("quote status", "Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Superseded")
        # "Expired" is not stored: a sent quote is expired once its valid-until date has passed
        # (funnel.quotes.rules), so it never waits for a job to say so.

    team = models.ForeignKey(Team, models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, models.CASCADE, related_name="quotes", verbose_name=_("opportunity")
    )
    number = models.CharField(_("number"), max_length=40)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    sent_on = fields.DateField(_("sent on"), null=True, blank=True, validators=[validate_in_range])
    valid_until = fields.DateField(
        _("valid until"), null=True, blank=True, validators=[validate_in_range]
    )
    status = models.CharField(
        pgettext_lazy("quote: draft, sent, accepted…", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    superseded_by = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "number"],
                name="quote_number_unique_per_team",
                violation_error_message=_("Another quote already has this number."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quote_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sent", "accepted", "declined", "superseded"]),
                name="quote_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_on__isnull=False, valid_until__isnull=False),
                name="quote_sent_has_dates",
                violation_error_message=_("A sent quote needs its sent date and valid-until date."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status", "valid_until"], name="quote_team_expiry"),
        ]

    def __str__(self) -> str:
        return self.number

    def standing(self, today: date) -> rules.Standing:
        return rules.standing(status=self.status, valid_until=self.valid_until, today=today)
