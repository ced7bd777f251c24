"""The people and organisations a user sells to."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Team, TeamOwnedQuerySet
from funnel.lib.bounds import MAX_HEADCOUNT
from funnel.lib.channels import Channel
from funnel.lib.i18n import country_name, language_name


class OrganisationQuerySet(TeamOwnedQuerySet["Organisation"]):
    def fit_counts(self, *, poor_below: int) -> dict[str, int]:
        """How many there are, how many have a fit score, and how many score poorly."""
        return self.aggregate(
            total=models.Count("pk"),
            scored=models.Count("fit_score"),
            poor=models.Count("pk", filter=models.Q(fit_score__lt=poor_below)),
        )


class PersonQuerySet(TeamOwnedQuerySet["Person"]):
    def count_per_organisation(self, organisations: Sequence["Organisation"]) -> dict[int, int]:
        """How many people each of these organisations has (one query for a page of rows)."""
        return dict(
            self.filter(organisation__in=organisations)
            .values_list("organisation")
            .annotate(n=models.Count("pk"))
            .order_by()
        )


class ImportBatch(models.Model):
    """The records one import created, so it can be undone (funnel.transfer)."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="import_batches")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="import_batches"
    )
    file_name = models.CharField(_("file"), max_length=255)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("The tool."))
    # What the import did, counted: {"created": {...}, "updated": {...}, "skipped": n}.
    counts = models.JSONField(default=dict)
    created = models.DateTimeField(_("imported"), auto_now_add=True)
    # When the import's transaction ended: a record it created and changed after is "touched".
    finished = models.DateTimeField(null=True, blank=True)
    undone = models.DateTimeField(_("undone"), null=True, blank=True)

    objects = TeamOwnedQuerySet["ImportBatch"].as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class Organisation(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    size = models.PositiveIntegerField(
        _("size"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)],
        help_text=_("How many people work there."),
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Kept up to date by funnel.fit.actions.refresh_fit so lists can sort by fit in SQL.
    fit_score = models.PositiveSmallIntegerField(_("fit score"), null=True, blank=True)
    fit_known = models.PositiveSmallIntegerField(
        _("share of the profile known"), default=0, help_text=_("Percent of criteria weight.")
    )
    import_batch = models.ForeignKey(
        ImportBatch, models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = [Lower("name")]
        indexes = [models.Index(fields=["team", "fit_score"], name="organisation_team_fit")]
        constraints = [
            models.UniqueConstraint(
                "team",
                Lower("name"),
                name="organisation_unique_name_per_team",
                violation_error_message=_("You already have an organisation with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(size__isnull=True) | models.Q(size__gte=1),
                name="organisation_size_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="organisation_name_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(fit_score__isnull=True) | models.Q(fit_score__lte=100),
                name="organisation_fit_score_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(fit_known__lte=100), name="organisation_fit_known_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.pk])

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def place(self) -> str:
        return ", ".join(part for part in [self.city, self.country_name] if part)


class Person(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("The language they prefer.")
    )
    notes = models.TextField(_("notes"), blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="person_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person_detail", args=[self.pk])

    def sole_customer_of(self) -> models.QuerySet[Any]:
        """The opportunities without an organisation they are the main contact of: each needs a
        customer, so the person cannot be deleted while there are any."""
        return self.main_contact_for.filter(organisation__isnull=True)

    @property
    def language_name(self) -> str:
        return language_name(self.language)


class EmailAddress(models.Model):
    class Kind(models.TextChoices):
        WORK = "work", _("Work")
        PERSONAL = "personal", _("Personal")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, models.CASCADE, related_name="emails")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.WORK)
    address = models.EmailField(_("email address"))

    class Meta:
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "address"],
                name="email_unique_per_person",
                violation_error_message=_("This email address is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return self.address


phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{5,30}$",
    _("Enter a phone number using digits, spaces and + ( ) - . / only."),
)


class PhoneNumber(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        WORK = "work", _("Work")
        HOME = "home", _("Home")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, models.CASCADE, related_name="phones")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    number = models.CharField(_("phone number"), max_length=30, validators=[phone_validator])

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "number"],
                name="phone_unique_per_person",
                violation_error_message=_("This phone number is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return self.number
