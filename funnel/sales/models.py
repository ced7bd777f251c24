"""Sales objectives (opportunities), who influences them, how they move, and what was done."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.contacts.models import ImportBatch, Organisation, Person
from funnel.lib import fields
from funnel.lib.bounds import validate_in_range
from funnel.lib.channels import Channel
from funnel.lib.money import CURRENCY_CHOICES, format_money
from funnel.sales.ranking import ranking_weight


class Level(models.TextChoices):
    """Where an objective stands in the Miller-Heiman funnel (docs/method.md §1)."""

    ABOVE = "above", _("Above the funnel")
    IN = "in", _("In the funnel")
    BEST_FEW = "best_few", _("Best few")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    DEAD = "dead", _("Dead")
    NURTURE = "nurture", _("Nurture")


OPEN_LEVELS = [Level.ABOVE, Level.IN, Level.BEST_FEW]
NEXT_LEVEL = {Level.ABOVE: Level.IN, Level.IN: Level.BEST_FEW, Level.BEST_FEW: Level.WON}
# Sorts levels in funnel order (above first) rather than alphabetically.
LEVEL_ORDER = models.Case(
    *[models.When(level=level, then=rank) for rank, level in enumerate(Level.values)],
    output_field=models.IntegerField(),
)
LEVELS_NEEDING_REASON = [Level.LOST, Level.DEAD]
# Opportunities with stop-rule limits of their own (a partial index keeps them at hand).
OWN_STOP_RULE = Q(stop_after_attempts__isnull=False) | Q(stop_after_days__isnull=False)


class OpportunityQuerySet(TeamOwnedQuerySet["Opportunity"]):
    def open(self) -> Self:
        return self.filter(level__in=OPEN_LEVELS)

    def count_per_level(self) -> dict[str, int]:
        """How many there are at each level (levels with none are left out)."""
        return dict(self.values_list("level").annotate(n=models.Count("pk")).order_by())

    def count_and_total_per_level(self) -> list[tuple[str, str, int, Decimal]]:
        """(level, currency, how many, their value) for each level and currency, the largest
        total first: amounts in different currencies are never added up."""
        return list(
            self.values_list("level", "currency")
            .annotate(count=models.Count("pk"), total=models.Sum("value"))
            .order_by("-total")
        )

    def count_per_organisation(self, organisations: Sequence[Organisation]) -> dict[int, int]:
        """How many opportunities each of these organisations has (one query for a page)."""
        return dict(
            self.filter(organisation__in=organisations)
            .values_list("organisation")
            .annotate(n=models.Count("pk"))
            .order_by()
        )


class Opportunity(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("organisation"),
    )
    main_contact = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="main_contact_for",
        verbose_name=_("main contact"),
    )
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    # Set only through funnel.sales.actions.move_opportunity, which records the history.
    level = models.CharField(
        _("funnel level"), max_length=10, choices=Level.choices, default=Level.ABOVE
    )
    level_changed = fields.DateTimeField(_("at this level since"), default=timezone.now)
    first_contact_on = fields.DateField(
        _("first contact"), default=timezone.localdate, validators=[validate_in_range]
    )
    expected_close_on = fields.DateField(
        _("expected close"), null=True, blank=True, validators=[validate_in_range]
    )
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("Referral, website, event…")
    )
    next_step = models.CharField(
        _("next step"), max_length=200, blank=True, help_text=_("What you will do next, and how.")
    )
    next_step_at = fields.DateTimeField(_("next step due"), null=True, blank=True)
    # The follow-up plan (docs/method.md §2.1): empty fields follow the owner's defaults.
    follow_up_every_days = models.PositiveSmallIntegerField(
        _("follow up every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    follow_up_channel = models.CharField(
        _("follow up by"), max_length=10, choices=Channel.choices, blank=True
    )
    follow_up_agreed = models.BooleanField(
        _("agreed with the customer"),
        default=False,
        help_text=_("The customer asked for this interval and channel."),
    )
    stop_after_attempts = models.PositiveSmallIntegerField(
        _("propose to stop after attempts without answer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    stop_after_days = models.PositiveSmallIntegerField(
        _("propose to stop after days without progress"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    # Where the stop rules stand, kept by funnel.followup.actions as outcomes are logged, so
    # Today can find the opportunities a rule fires on without reading their activities.
    attempts_without_answer = models.PositiveSmallIntegerField(default=0, editable=False)
    progress_at = fields.DateTimeField(default=timezone.now, editable=False)
    delivery_on = fields.DateField(
        _("delivery date"),
        validators=[validate_in_range],
        null=True,
        blank=True,
        help_text=_("When the customer gets what they bought: the post-sale steps count from it."),
    )
    # Value times the customer's fit, kept here (save(), fit.actions.refresh_fit) so Today and
    # the board can take the top few from an index instead of ranking every opportunity.
    weight = models.DecimalField(max_digits=17, decimal_places=2, default=0, editable=False)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was lost or abandoned."))
    notes = models.TextField(_("notes"), blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-updated"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0), name="opportunity_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="opportunity_level_valid"
            ),
            models.CheckConstraint(
                condition=~Q(level__in=LEVELS_NEEDING_REASON) | ~Q(reason=""),
                name="opportunity_closed_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(main_contact__isnull=False),
                name="opportunity_has_customer",
                violation_error_message=_("Choose an organisation or a main contact."),
            ),
            models.CheckConstraint(condition=~Q(title=""), name="opportunity_title_not_empty"),
        ]
        indexes = [
            # Covers the board's counts and totals per level and currency without the table.
            models.Index(
                fields=["team", "level", "currency", "value"], name="opportunity_team_totals"
            ),
            models.Index(fields=["team", "level", "next_step_at"], name="opportunity_team_due"),
            models.Index(fields=["owner", "level", "next_step_at"], name="opportunity_owner_due"),
            models.Index(fields=["owner", "level", "weight"], name="opportunity_owner_weight"),
            # Covers Today's count of poor fits left out of prospecting.
            models.Index(
                fields=["owner", "level", "organisation", "next_step_at"],
                name="opportunity_owner_customers",
            ),
            models.Index(fields=["team", "level", "weight"], name="opportunity_team_weight"),
            # The version of a user's won deals the sales cycle is kept under, from the index.
            models.Index(fields=["owner", "level", "updated"], name="opportunity_owner_changed"),
            # Today's stop rules: many attempts without an answer, long without progress.
            models.Index(
                fields=["owner", "level", "attempts_without_answer"],
                name="opportunity_owner_attempts",
            ),
            models.Index(
                fields=["owner", "level", "progress_at"], name="opportunity_owner_progress"
            ),
            models.Index(
                fields=["owner"], condition=OWN_STOP_RULE, name="opportunity_own_stop_rule"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        # Reweigh when value or customer may change; a move (update_fields=level...) doesn't.
        if update_fields is None or {"value", "organisation"} & set(update_fields):
            fit = self.organisation.fit_score if self.organisation else None
            self.weight = ranking_weight(Decimal(self.value), fit)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "weight"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("opportunity_detail", args=[self.pk])

    @property
    def fit_score(self) -> int | None:
        return self.organisation.fit_score if self.organisation else None

    @property
    def customer_name(self) -> str:
        return str(self.organisation or self.main_contact)

    @property
    def value_display(self) -> str:
        return format_money(self.value, self.currency)

    @property
    def is_open(self) -> bool:
        return self.level in OPEN_LEVELS


class BuyingInfluence(models.Model):
    """A person's role in one buying decision (Strategic Selling's four roles)."""

    class Role(models.TextChoices):
        ECONOMIC = "economic", _("Economic buyer")
        USER = "user", _("User buyer")
        TECHNICAL = "technical", _("Technical buyer")
        COACH = "coach", _("Coach")

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Not contacted yet")
        CONTACTED = "contacted", _("Contacted")
        SATISFIED = "satisfied", _("Satisfied")

    opportunity = models.ForeignKey(Opportunity, models.CASCADE, related_name="influences")
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="influences", verbose_name=_("person")
    )
    role = models.CharField(
        pgettext_lazy("buying influence: their part in the decision", "role"),
        max_length=10,
        choices=Role.choices,
    )
    status = models.CharField(
        pgettext_lazy("buying influence: how far you are with them", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.UNKNOWN,
    )
    fit_confirmed = models.BooleanField(
        _("fit confirmed"),
        default=False,
        help_text=_("They confirmed that what you offer fits their needs."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("buying influence")
        verbose_name_plural = _("buying influences")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(role="economic"),
                name="influence_one_economic_buyer",
                violation_error_message=_("This opportunity already has an economic buyer."),
            ),
            models.UniqueConstraint(
                fields=["opportunity", "person", "role"],
                name="influence_unique_role_per_person",
                violation_error_message=_("This person already has this role here."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["economic", "user", "technical", "coach"]),
                name="influence_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["unknown", "contacted", "satisfied"]),
                name="influence_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class LevelChange(models.Model):
    """One move of an opportunity between funnel levels; never edited, only added."""

    opportunity = models.ForeignKey(Opportunity, models.CASCADE, related_name="level_changes")
    at = fields.DateTimeField(pgettext_lazy("when it happened", "when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    from_level = models.CharField(
        pgettext_lazy("level change: the funnel level it left", "from"),
        max_length=10,
        choices=Level.choices,
        blank=True,
        help_text=_("Empty when the opportunity was created."),
    )
    to_level = models.CharField(
        pgettext_lazy("level change: the funnel level it reached", "to"),
        max_length=10,
        choices=Level.choices,
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was lost or dead."))
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_level=models.F("to_level")), name="level_change_moves"
            ),
        ]
        # What was won lately (prospecting health, goals) without reading every move.
        indexes = [models.Index(fields=["to_level", "at"], name="level_change_to_level_at")]

    def __str__(self) -> str:
        return f"{self.from_level or '∅'} → {self.to_level}"


ACTIVITY_KINDS = [
    "call",
    "email",
    "meeting",
    "video",
    "letter",
    "note",
    "buying_signal",
    "not_buying_signal",
    "request",
]


class Activity(models.Model):
    """A logged interaction with a person, about an opportunity, or both."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        MEETING = "meeting", _("Meeting")
        VIDEO = "video", _("Video call")
        LETTER = "letter", _("Letter or card")
        NOTE = "note", _("Note")
        BUYING_SIGNAL = "buying_signal", _("Buying signal")
        NOT_BUYING_SIGNAL = "not_buying_signal", _("Not-buying signal")
        REQUEST = "request", _("Request from the customer")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        REPLIED = "replied", _("Replied")
        MEETING_BOOKED = "meeting_booked", _("Meeting booked")
        BUYING_SIGNAL = "buying_signal", _("Buying signal")
        NOT_BUYING_SIGNAL = "not_buying_signal", _("Not-buying signal")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    team = models.ForeignKey(Team, models.CASCADE, related_name="activities")
    opportunity = models.ForeignKey(
        Opportunity,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    person = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("person"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(
        pgettext_lazy("activity: what kind of contact it was", "what"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.CALL,
    )
    occurred = fields.DateTimeField(
        pgettext_lazy("when it happened", "when"),
        default=timezone.now,
        validators=[validate_in_range],
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    minutes = models.PositiveIntegerField(
        _("minutes spent"), default=0, validators=[MaxValueValidator(24 * 60)]
    )
    notes = models.TextField(_("notes"), blank=True)
    # The token of the form that logged it: the same form sent twice logs once.
    submission = models.UUIDField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TeamOwnedQuerySet["Activity"].as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunity__isnull=False) | Q(person__isnull=False),
                name="activity_has_subject",
                violation_error_message=_("Choose a person or an opportunity."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0) & Q(minutes__lte=24 * 60),
                name="activity_minutes_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ACTIVITY_KINDS), name="activity_kind_valid"
            ),
            models.UniqueConstraint(fields=["team", "submission"], name="activity_logged_once"),
        ]
        indexes = [
            models.Index(fields=["team", "-occurred"], name="activity_team_occurred"),
            # Covers the time spent in a period (funnel.prospecting.allocation) without the rows.
            models.Index(fields=["by", "occurred", "minutes", "created"], name="activity_by_time"),
            # A person's page: their contact history and frequency, newest first.
            models.Index(fields=["person", "-occurred", "-id"], name="activity_person_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred:%Y-%m-%d}"
