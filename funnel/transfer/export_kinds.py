"""The kinds of record a Funnel export holds: one CSV file and one key of `funnel.json` each, in
the order a restore creates them (a record only points at kinds listed before it, except a
quote at the quote that superseded it). The columns are documented in docs/export.md.

Each column is a model field's name; a foreign key's column holds the other record's id (its
`id` column in that kind's file), a user's id for the `users` kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from funnel.accounts.models import Membership, Profile, Team
from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.fit.models import FitCriterion, Rating
from funnel.followup.models import FollowUp, PostSaleStep
from funnel.goals.models import Goal
from funnel.prospecting.models import Block, BlockOutcome
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, BuyingInfluence, LevelChange, Opportunity

USERS = "users"


@dataclass(frozen=True)
class Kind:
    name: str  # the file's name without ".csv", and the key in funnel.json
    model: type[models.Model]
    columns: tuple[str, ...]
    rows: Callable[[Team], QuerySet[Any]]
    # The kind each foreign key column points at.
    links: dict[str, str] = field(default_factory=dict)
    # Records of one team member rather than of the team: restored only for the member they
    # belong to (restore_export explains).
    personal: bool = False

    def attnames(self) -> list[str]:
        """What to read from the database for the columns: `person_id` for `person`."""
        names = []
        for column in self.columns:
            if column in self.links:
                field = self.model._meta.get_field(column)
                assert isinstance(field, models.ForeignKey)
                column = field.attname
            names.append(column)
        return names


def members(team: Team) -> QuerySet[Any]:
    return Membership.objects.filter(team=team).values("user")


def users_of(team: Team) -> QuerySet[Any]:
    """The team's members, and anyone else a record of the team names (a colleague who left)."""
    named = (
        Q(pk__in=members(team))
        | Q(pk__in=Opportunity.objects.filter(team=team).values("owner"))
        | Q(pk__in=LevelChange.objects.filter(opportunity__team=team).values("by"))
        | Q(pk__in=Activity.objects.filter(team=team).values("by"))
        | Q(pk__in=FollowUp.objects.filter(team=team).values("assigned_to"))
        | Q(pk__in=Block.objects.filter(team=team).values("owner"))
        | Q(pk__in=ImportBatch.objects.filter(team=team).values("user"))
    )
    role = Membership.objects.filter(team=team, user=OuterRef("pk")).values("role")[:1]
    return get_user_model().objects.filter(named).annotate(role=Subquery(role))


# The email settings came after the first export format: an export made before them has
# none, and its profile is restored with the defaults (restore_values.ADDED_LATER).
EMAIL_SETTINGS = (
    "email_digest",
    "email_hour",
    "email_when_empty",
    "email_reminder_minutes",
    "email_nudges",
    "email_weekly",
)
# The income target of the forecast's dry-spell alert came later still, restored the same way.
INCOME_TARGET = ("income_target", "income_tolerance")
KINDS: list[Kind] = [
    Kind(
        "team",
        Team,
        ("id", "name", "poor_fit_below", "created"),
        lambda team: Team.objects.filter(pk=team.pk),
    ),
    Kind(
        USERS,
        get_user_model(),
        ("id", "username", "email", "first_name", "last_name", "role"),
        users_of,
    ),
    Kind(
        "profiles",
        Profile,
        (
            "id",
            "user",
            "time_zone",
            "language",
            "currency",
            "sales_cycle_days",
            "follow_up_every_days",
            "follow_up_channel",
            "stop_after_attempts",
            "stop_after_days",
            "stop_automatically",
            "nurture_every_days",
            "respond_within_hours",
            "contacts_per_week",
            "reminder_minutes",
            "working_day_starts",
            "working_day_ends",
            "working_days",
            "quote_valid_days",
            "time_above_percent",
            "time_in_percent",
            "time_best_few_percent",
            *EMAIL_SETTINGS,
            *INCOME_TARGET,
        ),
        lambda team: Profile.objects.filter(user__in=members(team)),
        {"user": USERS},
        personal=True,
    ),
    Kind(
        "imports",
        ImportBatch,
        ("id", "user", "file_name", "source", "counts", "created", "finished", "undone"),
        lambda team: ImportBatch.objects.filter(team=team),
        {"user": USERS},
    ),
    Kind(
        "organisations",
        Organisation,
        (
            "id",
            "name",
            "sector",
            "size",
            "country",
            "city",
            "website",
            "notes",
            "fit_score",
            "fit_known",
            "import_batch",
            "created",
            "updated",
        ),
        lambda team: Organisation.objects.filter(team=team),
        {"import_batch": "imports"},
    ),
    Kind(
        "people",
        Person,
        (
            "id",
            "name",
            "job_title",
            "organisation",
            "preferred_channel",
            "language",
            "notes",
            "import_batch",
            "created",
            "updated",
        ),
        lambda team: Person.objects.filter(team=team),
        {"organisation": "organisations", "import_batch": "imports"},
    ),
    Kind(
        "emails",
        EmailAddress,
        ("id", "person", "kind", "address"),
        lambda team: EmailAddress.objects.filter(person__team=team),
        {"person": "people"},
    ),
    Kind(
        "phones",
        PhoneNumber,
        ("id", "person", "kind", "number"),
        lambda team: PhoneNumber.objects.filter(person__team=team),
        {"person": "people"},
    ),
    Kind(
        "fit_criteria",
        FitCriterion,
        ("id", "kind", "name", "weight", "attribute", "accepted", "minimum", "maximum", "position"),
        lambda team: FitCriterion.objects.filter(team=team),
    ),
    Kind(
        "fit_ratings",
        Rating,
        ("id", "organisation", "criterion", "value"),
        lambda team: Rating.objects.filter(organisation__team=team, criterion__team=team),
        {"organisation": "organisations", "criterion": "fit_criteria"},
    ),
    Kind(
        "opportunities",
        Opportunity,
        (
            "id",
            "owner",
            "title",
            "organisation",
            "main_contact",
            "value",
            "currency",
            "level",
            "level_changed",
            "first_contact_on",
            "expected_close_on",
            "source",
            "next_step",
            "next_step_at",
            "follow_up_every_days",
            "follow_up_channel",
            "follow_up_agreed",
            "stop_after_attempts",
            "stop_after_days",
            "attempts_without_answer",
            "progress_at",
            "delivery_on",
            "weight",
            "reason",
            "notes",
            "import_batch",
            "created",
            "updated",
        ),
        lambda team: Opportunity.objects.filter(team=team),
        {
            "owner": USERS,
            "organisation": "organisations",
            "main_contact": "people",
            "import_batch": "imports",
        },
    ),
    Kind(
        "buying_influences",
        BuyingInfluence,
        ("id", "opportunity", "person", "role", "status", "fit_confirmed", "notes"),
        lambda team: BuyingInfluence.objects.filter(opportunity__team=team),
        {"opportunity": "opportunities", "person": "people"},
    ),
    Kind(
        "level_changes",
        LevelChange,
        ("id", "opportunity", "at", "by", "from_level", "to_level", "reason", "override_reason"),
        lambda team: LevelChange.objects.filter(opportunity__team=team),
        {"opportunity": "opportunities", "by": USERS},
    ),
    Kind(
        "activities",
        Activity,
        (
            "id",
            "opportunity",
            "person",
            "by",
            "kind",
            "occurred",
            "channel",
            "outcome",
            "minutes",
            "notes",
            "created",
        ),
        lambda team: Activity.objects.filter(team=team),
        {"opportunity": "opportunities", "person": "people", "by": USERS},
    ),
    Kind(
        "follow_ups",
        FollowUp,
        (
            "id",
            "opportunity",
            "person",
            "assigned_to",
            "kind",
            "due_at",
            "minutes",
            "channel",
            "purpose",
            "value_to_bring",
            "status",
            "outcome",
            "activity",
            "after_delivery_days",
            "sequence",
            "created",
            "updated",
        ),
        lambda team: FollowUp.objects.filter(team=team),
        {
            "opportunity": "opportunities",
            "person": "people",
            "assigned_to": USERS,
            "activity": "activities",
        },
    ),
    Kind(
        "post_sale_steps",
        PostSaleStep,
        ("id", "owner", "position", "purpose", "channel", "anchor", "days_after"),
        lambda team: PostSaleStep.objects.filter(owner__in=members(team)),
        {"owner": USERS},
        personal=True,
    ),
    Kind(
        "quotes",
        Quote,
        (
            "id",
            "opportunity",
            "number",
            "amount",
            "currency",
            "sent_on",
            "valid_until",
            "status",
            "superseded_by",
            "created",
            "updated",
        ),
        lambda team: Quote.objects.filter(team=team),
        {"opportunity": "opportunities", "superseded_by": "quotes"},
    ),
    Kind(
        "goals",
        Goal,
        ("id", "owner", "metric", "period", "target", "reward", "starts_on", "created"),
        lambda team: Goal.objects.filter(owner__in=members(team)),
        {"owner": USERS},
        personal=True,
    ),
    Kind(
        "prospecting_blocks",
        Block,
        (
            "id",
            "owner",
            "title",
            "starts_on",
            "start_time",
            "minutes",
            "rule",
            "created",
            "updated",
        ),
        lambda team: Block.objects.filter(team=team),
        {"owner": USERS},
    ),
    Kind(
        "block_outcomes",
        BlockOutcome,
        (
            "id",
            "block",
            "original_start",
            "outcome",
            "moved_start",
            "moved_end",
            "moved_outcome",
            "updated",
        ),
        lambda team: BlockOutcome.objects.filter(block__team=team),
        {"block": "prospecting_blocks"},
    ),
]
BY_NAME = {kind.name: kind for kind in KINDS}

# Fields left out on purpose, by model, besides every record's team (the export is one
# team's): secrets and form machinery. tests/test_export.py checks every other has a column.
LEFT_OUT = {
    Profile: {"team", "calendar_token"},  # the team new records go to; a secret address
    Activity: {"team", "submission"},  # the token that stops a form logging twice
}
