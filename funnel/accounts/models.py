"""Users, their preferences, and the teams that own every sales record.

Every record belongs to a team, and a user sees the records of the teams they are a member of.
Today each user has one personal team; sharing with colleagues later means adding memberships,
not rewriting queries.
"""

import functools
import secrets
import zoneinfo
from datetime import time
from typing import Self, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.lib.channels import Channel
from funnel.lib.money import CURRENCY_CHOICES


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The time zones this machine knows; listing them reads hundreds of files (~30 ms)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def new_calendar_token() -> str:
    """The secret in a user's calendar address: whoever has the address can read the feed."""
    return secrets.token_urlsafe(32)


class Team(models.Model):
    name = models.CharField(_("name"), max_length=200)
    poor_fit_below = models.PositiveSmallIntegerField(
        _("poor fit below"),
        default=40,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Prospects scoring below this (out of 100) are marked poor fit and left out of "
            "prospecting suggestions. They are never deleted."
        ),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(poor_fit_below__lte=100), name="team_poor_fit_below_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("team role", "Owner")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(
        pgettext_lazy("team membership: owner or member", "role"),
        max_length=10,
        choices=Role.choices,
        default=Role.MEMBER,
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_user_team"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    team = models.ForeignKey(
        Team,
        models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("The team new records are created in."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Leave empty to follow your browser."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR"
    )
    sales_cycle_days = models.PositiveSmallIntegerField(
        _("normal sales cycle (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Days from first contact to a signed deal, typically. Once you have won 5 deals "
            "in two years, Funnel measures it from them instead."
        ),
    )

    # Follow-up defaults (docs/method.md §2): each opportunity's plan may override the first four.
    follow_up_every_days = models.PositiveSmallIntegerField(
        _("follow up every (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Until a customer tells you how often they want to hear from you."),
    )
    follow_up_channel = models.CharField(
        _("follow up by"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    stop_after_attempts = models.PositiveSmallIntegerField(
        _("propose to stop after attempts without answer"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    stop_after_days = models.PositiveSmallIntegerField(
        _("propose to stop after days without progress"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Leave empty for twice your normal sales cycle."),
    )
    stop_automatically = models.BooleanField(
        _("apply stop rules automatically"),
        default=False,
        help_text=_(
            "Close an opportunity as soon as a stop rule fires, instead of proposing it on "
            "Today. You can always reopen it."
        ),
    )
    nurture_every_days = models.PositiveSmallIntegerField(
        _("nurture touch every (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    respond_within_hours = models.PositiveSmallIntegerField(
        _("answer requests within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    contacts_per_week = models.PositiveSmallIntegerField(
        _("contacts per person in 7 days"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Funnel warns before you contact one person more often than this."),
    )
    reminder_minutes = models.PositiveSmallIntegerField(
        _("calendar reminder (minutes before)"),
        default=15,
        validators=[MaxValueValidator(10080)],
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    # Working hours, in the user's time zone: new follow-ups are proposed inside them.
    working_day_starts = models.TimeField(_("working day starts"), default=time(9, 0))
    working_day_ends = models.TimeField(_("working day ends"), default=time(17, 30))
    working_days = models.CharField(
        _("working days"),
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$")],
        help_text=_("ISO weekday numbers, Monday 1: 12345 is Monday to Friday."),
    )

    # Prospecting (docs/method.md §1 and §4): how long a quote is valid, and the share of selling
    # time each funnel level should get (they add up to 100).
    quote_valid_days = models.PositiveSmallIntegerField(
        _("quotes are valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "A quote without an expiry date lets the customer take their time, and you stop "
            "prospecting while you wait."
        ),
    )
    time_above_percent = models.PositiveSmallIntegerField(
        _("time above the funnel (%)"), default=34, validators=[MaxValueValidator(100)]
    )
    time_in_percent = models.PositiveSmallIntegerField(
        _("time in the funnel (%)"), default=33, validators=[MaxValueValidator(100)]
    )
    time_best_few_percent = models.PositiveSmallIntegerField(
        _("time on the Best few (%)"), default=33, validators=[MaxValueValidator(100)]
    )
    # The forecast's dry-spell alert (funnel.forecast): Today warns when a coming month's
    # forecast income falls below the target by more than the tolerance. NULL: not set.
    income_target = models.DecimalField(
        _("monthly income target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "In your currency. While it is empty, Funnel uses the average value you won per "
            "month over the last 12 months."
        ),
    )
    income_tolerance = models.PositiveSmallIntegerField(
        _("tolerance (%)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
        help_text=_(
            "Funnel warns when a coming month's forecast falls more than this far below the target."
        ),
    )

    # The assistant's emails (funnel.assistant): which ones, and when, in the user's time zone.
    email_digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("Today's list by email, every day at the hour below."),
    )
    email_hour = models.PositiveSmallIntegerField(
        _("send at (hour)"),
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_("The digest comes at this hour, the weekly review on Monday at the same hour."),
    )
    email_when_empty = models.BooleanField(
        _("send the digest on an empty day too"),
        default=False,
        help_text=_("Off: no digest on a day with nothing to do."),
    )
    email_reminder_minutes = models.PositiveSmallIntegerField(
        _("remind me by email (minutes before)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1440)],
        help_text=_(
            "An email before each follow-up, with its invitation attached. Leave empty for none: "
            "the calendar subscription already reminds you."
        ),
    )
    email_nudges = models.BooleanField(
        _("missed steps"),
        default=True,
        help_text=_("The next working morning, for a follow-up left without an outcome."),
    )
    email_weekly = models.BooleanField(
        _("weekly review"),
        default=True,
        help_text=_("On Monday: last week's time per level, blocks, goals and drifting deals."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sales_cycle_days__gte=1), name="profile_sales_cycle_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    time_above_percent__lte=100
                    - models.F("time_in_percent")
                    - models.F("time_best_few_percent"),
                    time_above_percent__gte=100
                    - models.F("time_in_percent")
                    - models.F("time_best_few_percent"),
                ),
                name="profile_time_targets_add_up",
                violation_error_message=_("The three shares of time must add up to 100 %."),
            ),
            models.CheckConstraint(
                condition=models.Q(working_day_ends__gt=models.F("working_day_starts")),
                name="profile_working_day_ends_after_it_starts",
                violation_error_message=_("Your working day must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(working_days=""), name="profile_has_working_days"
            ),
            models.CheckConstraint(
                condition=models.Q(email_hour__lte=23), name="profile_email_hour_in_day"
            ),
            models.CheckConstraint(
                condition=models.Q(income_target__isnull=True) | models.Q(income_target__gte=0),
                name="profile_income_target_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(income_tolerance__lte=90),
                name="profile_income_tolerance_at_most_90",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The user's time zone: their days, weeks and appointments are counted in it."""
        return zoneinfo.ZoneInfo(self.time_zone)


OwnedModel = TypeVar("OwnedModel", bound=models.Model)


class TeamOwnedQuerySet(models.QuerySet[OwnedModel]):
    """Records of the teams a user belongs to: the one door every view goes through."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(team_id__in=team_ids(user))


def team_ids(user: AbstractBaseUser) -> list[int]:
    """The user's teams, read once per user object (a request's user lives one request).

    A literal list rather than a join or subquery: with one team, as most users have, the
    database sees team_id = n and sorts with the (team, ...) indexes instead of every row.
    """
    cached: list[int] | None = getattr(user, "_funnel_team_ids", None)
    if cached is None:
        cached = list(Membership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))
        user._funnel_team_ids = cached  # type: ignore[attr-defined]  # memo on the instance
    return cached
