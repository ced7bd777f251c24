"""The ideal customer profile: criteria with weights, and how each organisation rates on them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.contacts.models import Organisation
from funnel.fit.rules import LIST_ATTRIBUTES, RANGE_ATTRIBUTES


class FitCriterion(models.Model):
    """One trait of the ideal customer (docs/method.md §1), demographic or psychographic."""

    class Kind(models.TextChoices):
        DEMOGRAPHIC = "demographic", _("Demographic: matched from the organisation's details")
        PSYCHOGRAPHIC = "psychographic", _("Psychographic: you rate it from 1 to 5")

    class Attribute(models.TextChoices):
        SECTOR = "sector", _("Sector is one of")
        COUNTRY = "country", _("Country is one of")
        CITY = "city", _("City is one of")
        SIZE = "size", _("Number of people between")
        DEAL_VALUE = "deal_value", _("Typical deal value between")

    team = models.ForeignKey(Team, models.CASCADE, related_name="fit_criteria")
    kind = models.CharField(
        pgettext_lazy("ideal customer: demographic or psychographic", "kind"),
        max_length=15,
        choices=Kind.choices,
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (nice to have) to 5 (essential)."),
    )
    attribute = models.CharField(
        _("matches when"), max_length=15, choices=Attribute.choices, blank=True
    )
    accepted = models.CharField(
        _("accepted values"),
        max_length=500,
        blank=True,
        help_text=_("Separated by commas, for example: Retail, Hospitality"),
    )
    minimum = models.DecimalField(
        pgettext_lazy("ideal customer: the lowest value of a range", "from"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    maximum = models.DecimalField(
        pgettext_lazy("ideal customer: the highest value of a range", "to"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TeamOwnedQuerySet["FitCriterion"].as_manager()

    class Meta:
        verbose_name = _("fit criterion")
        verbose_name_plural = _("fit criteria")
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["demographic", "psychographic"]),
                name="fit_criterion_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=5), name="fit_criterion_weight_1_to_5"
            ),
            models.CheckConstraint(
                condition=(Q(kind="psychographic") & Q(attribute=""))
                | (Q(kind="demographic") & Q(attribute__in=LIST_ATTRIBUTES + RANGE_ATTRIBUTES)),
                name="fit_criterion_attribute_matches_kind",
                violation_error_message=_(
                    "A demographic criterion says what it matches; a psychographic one doesn't."
                ),
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=models.F("maximum")),
                name="fit_criterion_range_ordered",
                violation_error_message=_("The range must start below where it ends."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="fit_criterion_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accepted_values(self) -> tuple[str, ...]:
        return tuple(value.strip() for value in self.accepted.split(",") if value.strip())


class Rating(models.Model):
    """How well an organisation matches a psychographic criterion, 1 to 5."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="fit_ratings")
    criterion = models.ForeignKey(FitCriterion, models.CASCADE, related_name="ratings")
    value = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "criterion"], name="rating_one_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=5), name="rating_value_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"
