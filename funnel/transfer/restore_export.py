"""Importing a Funnel export (the zip `funnel export` writes) into an empty Funnel: every record
recreated with new ids and its links remapped, its timestamps as they were, in one transaction.

Who is who: each user the export names becomes the member of the importing user's team with
the same username, else the same email address, else the importing user. Only members are
matched, so an export can't hand a team's records to a stranger on this server.

Personal settings (the profile's preferences, goals and steps after a sale) are restored for the
importing user only, from the exported user who becomes them (by username or email, else the
one who exported): a teammate's own settings are theirs to keep.

What a new user starts with (the starting ideal customer, the default steps after a sale) is
replaced by the export's; any other record in the team means the Funnel is not empty, and the
import is refused before anything is written.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import DataError, IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from funnel.accounts.models import Profile, Team
from funnel.contacts.models import ImportBatch, Organisation, Person
from funnel.fit.models import FitCriterion
from funnel.followup.models import FollowUp, PostSaleStep
from funnel.goals.models import Goal
from funnel.prospecting.models import Block
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, Opportunity
from funnel.transfer.errors import TransferError
from funnel.transfer.export_kinds import KINDS, USERS, Kind
from funnel.transfer.restore_values import check_columns, field_value, read_export, record_id

BATCH = 1000
# Records only an earlier use of Funnel makes: any of these in the team, and it is not empty.
TEAM_RECORDS: list[type[models.Model]] = [
    Organisation,
    Person,
    Opportunity,
    Activity,
    FollowUp,
    Quote,
    Block,
    ImportBatch,
]


def import_export_zip(path: Path, user: User) -> dict[str, int]:
    """Recreate the export at `path` in the user's team, which must be empty; return how many
    records of each kind were created (profiles: updated)."""
    content = read_export(path)
    try:
        with transaction.atomic():
            return Restore(content, user).run()
    except (IntegrityError, DataError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TransferError(
            _("The export contradicts itself (%(detail)s): nothing was imported.")
            % {"detail": detail}
        ) from exc


class Restore:
    def __init__(self, content: dict[str, Any], user: User) -> None:
        self.records: dict[str, list[dict[str, Any]]] = content["records"]
        self.exported_by = content.get("exported_by")
        self.user = user
        self.team: Team = user.profile.team
        # Old id -> new id, by kind.
        self.ids: dict[str, dict[int, int]] = {kind.name: {} for kind in KINDS}
        self.counts: dict[str, int] = {}
        self.personal_owner: int | None = None  # the exported user whose settings we take

    def run(self) -> dict[str, int]:
        refuse_unless_empty(self.team, self.user)
        self.match_users()
        FitCriterion.objects.filter(team=self.team).delete()
        PostSaleStep.objects.filter(owner=self.user).delete()
        for kind in KINDS:
            rows = self.records.get(kind.name, [])
            if kind.name == "team":
                self.restore_team(kind, rows)
            elif kind.name == "profiles":
                self.restore_profile(kind, rows)
            elif kind.name != USERS:
                self.counts[kind.name] = self.create(kind, rows)
        return self.counts

    def match_users(self) -> None:
        kind = next(kind for kind in KINDS if kind.name == USERS)
        members = list(get_user_model().objects.filter(memberships__team=self.team))
        by_name = {member.username: member.pk for member in members}
        by_email: dict[str, int] = {}
        for member in members:
            if member.email:
                by_email.setdefault(member.email.casefold(), member.pk)
        matched_importer = None
        for record in self.records.get(USERS, []):
            old = record_id(kind, record)
            username, email = record.get("username"), record.get("email")
            new = by_name.get(username) if isinstance(username, str) else None
            if new is None and isinstance(email, str) and email:
                new = by_email.get(email.casefold())
            if new == self.user.pk:
                matched_importer = old
            self.ids[USERS][old] = new or self.user.pk
        known = self.exported_by if self.exported_by in self.ids[USERS] else None
        self.personal_owner = matched_importer or known

    def restore_team(self, kind: Kind, rows: list[dict[str, Any]]) -> None:
        if len(rows) > 1:
            raise TransferError(_("This Funnel export holds more than one team."))
        for record in rows:
            check_columns(kind, record)
            self.ids[kind.name][record_id(kind, record)] = self.team.pk
            Team.objects.filter(pk=self.team.pk).update(
                name=field_value(kind, record, "name"),
                poor_fit_below=field_value(kind, record, "poor_fit_below"),
            )

    def restore_profile(self, kind: Kind, rows: list[dict[str, Any]]) -> None:
        self.counts[kind.name] = 0
        for record in rows:
            check_columns(kind, record)
            if record["user"] != self.personal_owner:
                continue
            settings = {
                column: field_value(kind, record, column)
                for column in kind.columns
                if column not in ("id", "user") and column in record
            }
            Profile.objects.filter(user=self.user).update(**settings)
            self.counts[kind.name] = 1

    def create(self, kind: Kind, rows: list[dict[str, Any]]) -> int:
        """Create the kind's records in batches; return how many."""
        stamps = [
            field
            for field in kind.model._meta.concrete_fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]
        owned = any(field.name == "team" for field in kind.model._meta.concrete_fields)
        later: list[tuple[int, str, Any]] = []  # links to records created after
        created = 0
        for batch in batches(self.wanted(kind, rows)):
            objects, olds, values = [], [], []
            for record in batch:
                old, fields = self.values(kind, record, later_links=later)
                olds.append(old)
                values.append(fields)
                objects.append(kind.model(**fields, **({"team": self.team} if owned else {})))
            kind.model._default_manager.bulk_create(objects)
            for old, made in zip(olds, objects, strict=True):
                self.ids[kind.name][old] = made.pk
            if stamps:
                put_back(kind.model, stamps, objects, values)
            created += len(objects)
        self.link_later(kind, later)
        return created

    def wanted(self, kind: Kind, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The kind's records to create: a personal kind's only for the importing user."""
        seen: set[int] = set()
        for record in rows:
            check_columns(kind, record)
            old = record_id(kind, record)
            if old in seen:
                raise TransferError(
                    _("%(kind)s %(id)s appears twice.") % {"kind": kind.name, "id": old}
                )
            seen.add(old)
            if kind.personal and record["owner"] != self.personal_owner:
                continue
            yield record

    def values(
        self, kind: Kind, record: dict[str, Any], *, later_links: list[tuple[int, str, Any]]
    ) -> tuple[int, dict[str, Any]]:
        """(old id, the model's field values with links remapped)."""
        old = record["id"]
        fields: dict[str, Any] = {}
        for column, attname in zip(kind.columns, kind.attnames(), strict=True):
            if column == "id":
                continue
            target = kind.links.get(column)
            if target is None:
                fields[attname] = field_value(kind, record, column)
            elif target == kind.name:  # a quote superseded by a later one
                if record[column] is not None:
                    later_links.append((old, attname, record[column]))
                fields[attname] = None
            else:
                fields[attname] = self.link(kind, record, column, target)
        return old, fields

    def link(self, kind: Kind, record: dict[str, Any], column: str, target: str) -> int | None:
        raw = record[column]
        if raw is None:
            field_value(kind, record, column)  # refused when the link is required
            return None
        new = self.ids[target].get(raw) if type(raw) is int else None
        if new is None:
            raise TransferError(
                _("%(kind)s %(id)s, %(column)s: %(value)r is not among the %(target)s.")
                % {
                    "kind": kind.name,
                    "id": record["id"],
                    "column": column,
                    "value": raw,
                    "target": target,
                }
            )
        return new

    def link_later(self, kind: Kind, later: list[tuple[int, str, Any]]) -> None:
        """The links of a kind to its own records, once they all exist."""
        ids = self.ids[kind.name]
        objects = []
        for old, attname, target in later:
            if type(target) is not int or target not in ids:
                raise TransferError(
                    _("%(kind)s %(id)s: %(value)r is not among the %(target)s.")
                    % {"kind": kind.name, "id": old, "value": target, "target": kind.name}
                )
            made = kind.model(pk=ids[old])
            setattr(made, attname, ids[target])
            objects.append(made)
        if objects:
            attnames = sorted({attname for _old, attname, _target in later})
            kind.model._default_manager.bulk_update(objects, attnames)


def put_back(
    model: type[models.Model],
    stamps: list[models.Field[Any, Any]],
    objects: list[models.Model],
    values: list[dict[str, Any]],
) -> None:
    """bulk_create stamped the new rows with now (auto_now, auto_now_add): put back when they
    really happened. One prepared UPDATE run for every row: bulk_update's CASE expressions
    take a minute of Python for 100,000 activities, this a second."""
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column_of(field))} = %s" for field in stamps)
    key = model._meta.pk
    assert key is not None
    table = quote(model._meta.db_table)
    rows = [
        [field.get_db_prep_value(fields[field.attname], connection) for field in stamps] + [made.pk]
        for made, fields in zip(objects, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {quote(column_of(key))} = %s", rows
        )


def column_of(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # a concrete field has its column
    return field.column


def batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def refuse_unless_empty(team: Team, user: User) -> None:
    """Nothing but what a new user starts with, or the import would mix two Funnels."""
    used = any(model._default_manager.filter(team=team).exists() for model in TEAM_RECORDS)
    if used or Goal.objects.filter(owner=user).exists():
        raise TransferError(
            _(
                "Your Funnel already has records: a Funnel export can only be imported into an "
                "empty Funnel. Create a new user (funnel createuser) and import it as them."
            )
        )
