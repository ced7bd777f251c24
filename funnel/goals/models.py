"""Goals with rewards (docs/method.md §4): a clear target each period, and a reward to claim."""

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.lib import fields
from funnel.lib.bounds import validate_in_range


class Metric(models.TextChoices):
    PROSPECTS = "prospects", _("New prospects added")
    PROSPECTING_HOURS = "prospecting_hours", _("Prospecting hours")
    FIRST_MEETINGS = "first_meetings", _("First meetings")
    QUALIFIED = "qualified", _("Objectives qualified into the funnel")
    PROPOSALS = "proposals", _("Proposals sent")
    VALUE_WON = "value_won", _("Value won")


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


# The code of the error for a second goal with the same metric and period.
TWICE = "goal_twice"
# Metrics that count things: their targets are whole numbers.
COUNTED = {Metric.PROSPECTS, Metric.FIRST_MEETINGS, Metric.QUALIFIED, Metric.PROPOSALS}


class GoalQuerySet(models.QuerySet["Goal"]):
    def of(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        """The user's own goals: the one door every view goes through."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner_id=user.pk)


class Goal(models.Model):
    """A standing target for every week, month or quarter since it starts."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="goals")
    metric = models.CharField(_("what to count"), max_length=20, choices=Metric.choices)
    period = models.CharField(
        pgettext_lazy("goal: counted each week, month or quarter", "each"),
        max_length=10,
        choices=Period.choices,
    )
    target = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), _("Set a target above zero."))],
    )
    reward = models.CharField(
        _("reward"),
        max_length=200,
        help_text=_("What you give yourself when you reach it: “a dinner out”."),
    )
    starts_on = fields.DateField(
        _("starts on"),
        default=timezone.localdate,
        validators=[validate_in_range],
        help_text=_("Periods from this one on count in the goal's history."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["period", "metric", "target", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
            models.CheckConstraint(condition=~Q(reward=""), name="goal_reward_not_empty"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="goal_metric_valid"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="goal_period_valid"),
            models.UniqueConstraint(
                fields=["owner", "metric", "period"],
                name="goal_one_per_metric_and_period",
                violation_error_code=TWICE,
                violation_error_message=_(
                    "You already have a goal counting the same thing over the same period. "
                    "Change that goal instead, or choose another period."
                ),
            ),
        ]
        indexes = [models.Index(fields=["owner", "starts_on"], name="goal_owner_start")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target} / {self.get_period_display()}"

    def sort_key(self) -> tuple[int, int, Decimal, int]:
        """Weeks first, then months and quarters; metrics in the order the method runs."""
        period = Period.values.index(self.period)
        return period, Metric.values.index(self.metric), self.target, self.pk

    @property
    def is_counted(self) -> bool:
        return self.metric in COUNTED
