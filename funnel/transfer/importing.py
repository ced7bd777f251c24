"""Matching imported rows against what the team has, and writing them: one code path for the
preview (nothing written) and the import itself (funnel.transfer.actions.run_import).

Rows go a chunk at a time: the chunk's keys are looked up at once (keys.KeyIndex), each row is
resolved in order (an earlier row of the same chunk counts too), then the chunk is written with
one INSERT per table (bulk.insert_rows). New records get their ids as they are made
(bulk.IdPool), so every reference is an id: positive for a record in the database, negative for
one a preview made up. A row with a problem is left out whole; the others never depend on it.

Matching (docs/transfer.md): a person by email, then phone, then name and organisation; an
organisation by web domain, then name; a deal by title and customer. A match is filled in
(empty fields, new emails and phones), never overwritten.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.lib.bounds import validate_in_range
from funnel.lib.money import CURRENCIES
from funnel.sales.models import LEVELS_NEEDING_REASON, Level, LevelChange, Opportunity
from funnel.sales.ranking import ranking_weight
from funnel.transfer import keys
from funnel.transfer.bulk import IdPool, insert_rows
from funnel.transfer.filling import add_notes, fill_organisation, fill_person, notes_with_kept
from funnel.transfer.keys import KeyIndex, RowKeys, keys_of
from funnel.transfer.records import DealIn, Incoming, OrganisationIn, PersonIn, Problem
from funnel.transfer.stages import suggested_stage_levels
from funnel.transfer.summary import RowResult, Status, Summary
from funnel.transfer.values import fold, phone_key, web_domain

CHUNK = 2000
# A record's id: in the database (or written earlier in this import) when positive, made up by
# a preview when negative.
Ref = int
Row = dict[str, Any]  # a new record's columns (attnames) and values


@dataclass
class Options:
    tool: str
    stage_levels: dict[str, str]  # the source's stage -> Level; "" for rows without a stage
    region: str  # where phone numbers without a country code are from (ISO 3166)
    write: bool


@dataclass
class Pending:
    """What a chunk will write: new records by id, and the changes to records that exist."""

    organisations: dict[int, Row] = field(default_factory=dict)
    people: dict[int, Row] = field(default_factory=dict)
    emails: list[Row] = field(default_factory=list)
    phones: list[Row] = field(default_factory=list)
    opportunities: list[Row] = field(default_factory=list)
    changed_people: dict[int, set[str]] = field(default_factory=dict)
    changed_organisations: dict[int, set[str]] = field(default_factory=dict)
    # The keys claimed in this chunk, remembered for the chunks after it.
    new_keys: list[tuple[keys.Kind, str, int]] = field(default_factory=list)


def chunks(rows: Iterable[Incoming], size: int = CHUNK) -> Iterator[list[Incoming]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Importer:
    """Reads rows into a team: `feed` as often as there are rows, then `summary`."""

    def __init__(self, *, user: User, options: Options, batch: ImportBatch | None = None) -> None:
        self.user = user
        self.team = user.profile.team
        self.currency = user.profile.currency
        self.options = options
        self.batch_id = batch.pk if batch else None
        self.summary = Summary()
        self.index = KeyIndex()
        self.ids = {
            model: IdPool(model, write=options.write)
            for model in (Organisation, Person, Opportunity)
        }
        self.owners = {
            member.email.casefold(): member
            for member in User.objects.filter(memberships__team=self.team).exclude(email="")
        }
        self._remember_what_the_team_has()

    def close(self) -> None:
        self.index.close()

    def _remember_what_the_team_has(self) -> None:
        """Every key of the team's records, streamed: a team of a million people would not
        fit in memory as rows."""
        team = self.team
        people = Person.objects.filter(team=team)
        organisations = Organisation.objects.filter(team=team)
        emails = EmailAddress.objects.filter(person__team=team).values_list("address", "person")
        self.index.add("email", ((address.casefold(), pk) for address, pk in stream(emails)))
        phones = PhoneNumber.objects.filter(person__team=team).values_list("number", "person")
        region = self.options.region
        self.index.add(
            "phone", ((phone_key(number, region) or number, pk) for number, pk in stream(phones))
        )
        names = people.values_list("pk", "name", "organisation__name")
        self.index.add(
            "person", ((keys.person_key(name, org or ""), pk) for pk, name, org in stream(names))
        )
        websites = organisations.exclude(website="").values_list("pk", "website")
        self.index.add("domain", ((web_domain(site), pk) for pk, site in stream(websites)))
        organisation_names = organisations.values_list("pk", "name")
        self.index.add(
            "organisation", ((fold(name), pk) for pk, name in stream(organisation_names))
        )
        deals = Opportunity.objects.filter(team=team).values_list(
            "pk", "title", "organisation__name", "main_contact__name"
        )
        self.index.add(
            "deal",
            (
                (keys.deal_key(title, keys.customer_key(org, person)), pk)
                for pk, title, org, person in stream(deals)
            ),
        )

    def feed(
        self, rows: Iterable[Incoming], progress: Callable[[int], object] | None = None
    ) -> Summary:
        for chunk in chunks(rows):
            ChunkImport(self, chunk).run()
            if progress:
                progress(len(chunk))
        return self.summary


def stream(rows: "QuerySet[Any, tuple[Any, ...]]") -> Iterator[tuple[Any, ...]]:
    """The rows a few thousand at a time, none kept once read."""
    return rows.iterator(chunk_size=5000)


class ChunkImport:
    def __init__(self, importer: Importer, rows: list[Incoming]) -> None:
        self.importer = importer
        self.options = importer.options
        self.rows = rows
        self.pending = Pending()
        self.local: dict[keys.Kind, dict[str, Ref]] = {kind: {} for kind in KINDS}
        self.found: dict[keys.Kind, dict[str, int]] = {}
        # The matched records that are in the database, to fill in.
        self.people: dict[int, Row] = {}
        self.organisations: dict[int, Row] = {}
        self.kept_heading = _("Also in the file from %(tool)s:") % {"tool": self.options.tool}

    def run(self) -> None:
        self._look_up()
        for row in self.rows:
            self._resolve(row)
        if self.options.write:
            self._write()
        self._remember_new_keys()

    # -- looking up ---------------------------------------------------------------------------

    def _look_up(self) -> None:
        wanted: dict[keys.Kind, list[str]] = {kind: [] for kind in KINDS}
        region = self.options.region
        for row in self.rows:
            if any(not problem.warning for problem in row.problems):
                continue
            if row.match_keys is None:
                row.match_keys = keys_of(row, region)
            found: RowKeys = row.match_keys
            if row.organisation:
                wanted["domain"].append(found.domain)
                wanted["organisation"].append(found.organisation)
            wanted["email"].extend(found.emails)
            wanted["phone"].extend(found.phones)
            if row.person:
                wanted["person"].append(found.person)
            if row.deal:
                wanted["deal"].append(found.deal)
        self.found = {kind: self.importer.index.find(kind, wanted[kind]) for kind in KINDS}
        person_ids = {pk for kind in PERSON_KINDS for pk in self.found[kind].values() if pk > 0}
        organisation_ids = {
            pk for kind in ORGANISATION_KINDS for pk in self.found[kind].values() if pk > 0
        }
        # Only the columns a row can fill: reading whole model instances cost more than the
        # rest of a re-import.
        self.people = {
            row["id"]: row
            for row in Person.objects.filter(pk__in=person_ids).values(*PERSON_COLUMNS)
        }
        self.organisations = {
            row["id"]: row
            for row in Organisation.objects.filter(pk__in=organisation_ids).values(
                *ORGANISATION_COLUMNS
            )
        }

    def _match(self, kind: keys.Kind, key: str) -> Ref | None:
        if not key:
            return None
        found = self.local[kind].get(key)
        return self.found[kind].get(key) if found is None else found

    def _claim(self, kind: keys.Kind, key: str, record: Ref) -> None:
        """This key now belongs to this record (for later rows, and later chunks)."""
        if key and key not in self.local[kind] and key not in self.found[kind]:
            self.local[kind][key] = record
            self.pending.new_keys.append((kind, key, record))

    # -- resolving one row --------------------------------------------------------------------

    def _resolve(self, row: Incoming) -> None:
        summary = self.importer.summary
        result = RowResult(
            line=row.line,
            status="error",
            person=row.person.name if row.person else "",
            organisation=row.organisation.name if row.organisation else "",
            deal=row.deal.title if row.deal else "",
        )
        problems = [*row.problems, *self._check(row)] if row.deal else row.problems
        if any(not problem.warning for problem in problems):
            summary.count_row(result, problems)
            return
        outcomes: list[Status] = []
        organisation = None
        if row.organisation:
            organisation, outcome = self._organisation(row.organisation, row)
            outcomes.append(outcome)
        person = None
        if row.person:
            person, outcome = self._person(row.person, organisation, row)
            outcomes.append(outcome)
        if row.deal:
            outcomes.append(self._deal(row.deal, organisation, person, row))
        result.status = (
            "new" if "new" in outcomes else "update" if "update" in outcomes else "duplicate"
        )
        summary.count_row(result, problems)

    def _check(self, row: Incoming) -> list[Problem]:
        """What the database would refuse of a deal, said before anything is written."""
        problems = []
        deal = row.deal
        assert deal is not None
        if not (row.organisation and row.organisation.name) and not (
            row.person and row.person.name
        ):
            problems.append(
                Problem(row.line, "", _("A deal needs an organisation or a contact person."))
            )
        if deal.currency and deal.currency not in CURRENCIES:
            problems.append(
                Problem(
                    row.line,
                    _("currency"),
                    _("%(code)s is not a currency Funnel knows (use a code like EUR or USD).")
                    % {"code": deal.currency},
                )
            )
        for label, day in [
            (_("close date"), deal.close_on),
            (_("created"), deal.created_on),
            (_("stage date"), deal.stage_changed_on),
        ]:
            if day is not None:
                try:
                    validate_in_range(day)
                except ValidationError as exc:
                    problems.append(Problem(row.line, label, " ".join(exc.messages)))
        return problems

    def _organisation(self, incoming: OrganisationIn, row: Incoming) -> tuple[Ref, Status]:
        row_keys: RowKeys = row.match_keys
        domain = row_keys.domain
        name = incoming.name.strip() or domain
        found = first(
            self._match("domain", domain), self._match("organisation", row_keys.organisation)
        )
        status: Status
        if found is None:
            found = self.importer.ids[Organisation].take()
            values: Row = {
                "id": found,
                "team_id": self.importer.team.pk,
                "name": name,
                "import_batch_id": self.importer.batch_id,
            }
            fill_organisation(values, incoming, row)
            add_notes(values, self._organisation_notes(incoming, row))
            self.pending.organisations[found] = values
            self.importer.summary.created["organisations"] += 1
            status = "new"
        elif found in self.organisations:
            existing = self.organisations[found]
            changed = fill_organisation(existing, incoming, row, only_empty=True)
            if add_notes(existing, self._organisation_notes(incoming, row)):
                changed.add("notes")
            if changed:
                self.pending.changed_organisations.setdefault(found, set()).update(changed)
                self.importer.summary.updated["organisations"] += 1
            status = "update" if changed else "duplicate"
        else:  # made by an earlier row of this file
            status = "duplicate"
        self._claim("domain", domain, found)
        self._claim("organisation", row_keys.organisation, found)
        return found, status

    def _organisation_notes(self, incoming: OrganisationIn, row: Incoming) -> str:
        return notes_with_kept(incoming.notes, row, self.kept_heading, owner="organisation")

    def _person(
        self, incoming: PersonIn, organisation: Ref | None, row: Incoming
    ) -> tuple[Ref, Status]:
        row_keys: RowKeys = row.match_keys
        emails = [
            (kind, address, key)
            for (kind, address), key in zip(incoming.emails, row_keys.emails, strict=True)
        ]
        phones = [
            (kind, number, key)
            for (kind, number), key in zip(incoming.phones, row_keys.phones, strict=True)
        ]
        name_key = row_keys.person
        found = first(
            *(self._match("email", key) for _kind, _address, key in emails),
            *(self._match("phone", key) for _kind, _number, key in phones),
            self._match("person", name_key),
        )
        notes = notes_with_kept(incoming.notes, row, self.kept_heading, owner="person")
        status: Status
        if found is None:
            found = self.importer.ids[Person].take()
            self.pending.people[found] = {
                "id": found,
                "team_id": self.importer.team.pk,
                "name": incoming.name,
                "job_title": incoming.job_title,
                "language": incoming.language,
                "notes": notes,
                "organisation_id": organisation,
                "import_batch_id": self.importer.batch_id,
            }
            self.importer.summary.created["people"] += 1
            self._add_contacts(found, emails, phones)
            status = "new"
        else:
            if found in self.pending.people:
                changed = fill_person(self.pending.people[found], incoming, organisation, notes)
            elif found in self.people:
                changed = fill_person(self.people[found], incoming, organisation, notes)
                if changed:
                    self.pending.changed_people.setdefault(found, set()).update(changed)
            else:  # made by an earlier row of a file being previewed
                changed = set()
            added = self._add_contacts(found, emails, phones)
            if (changed or added) and found in self.people:
                self.importer.summary.updated["people"] += 1
            status = "update" if changed or added else "duplicate"
        for _kind, _address, key in emails:
            self._claim("email", key, found)
        for _kind, _number, key in phones:
            self._claim("phone", key, found)
        self._claim("person", name_key, found)
        return found, status

    def _add_contacts(
        self,
        person: Ref,
        emails: list[tuple[str, str, str]],
        phones: list[tuple[str, str, str]],
    ) -> int:
        """The emails and phones no one has yet go to this person; how many."""
        added = 0
        for kind, address, key in emails:
            if self._match("email", key) is None:
                self.pending.emails.append({"person_id": person, "kind": kind, "address": address})
                self._claim("email", key, person)
                added += 1
        for kind, number, key in phones:
            if self._match("phone", key) is None:
                self.pending.phones.append({"person_id": person, "kind": kind, "number": number})
                self._claim("phone", key, person)
                added += 1
        return added

    def _deal(
        self, incoming: DealIn, organisation: Ref | None, person: Ref | None, row: Incoming
    ) -> Status:
        key = row.match_keys.deal
        summary = self.importer.summary
        summary.count_stage(incoming.stage)
        level = self._level(incoming.stage)  # every stage met gets its level, for the receipt
        if self._match("deal", key) is not None:
            return "duplicate"
        opportunity = self._new_opportunity(incoming, level, organisation, person, row)
        self.pending.opportunities.append(opportunity)
        summary.created["opportunities"] += 1
        self._claim("deal", key, opportunity["id"])
        return "new"

    def _level(self, stage: str) -> str:
        """The level the user chose for the stage, else the suggested one: a one-pass import
        meets its stages as it goes."""
        levels = self.options.stage_levels
        if stage not in levels:
            levels[stage] = suggested_stage_levels([stage]).get(stage) or Level.IN
        return levels[stage]

    def _new_opportunity(
        self,
        incoming: DealIn,
        level: str,
        organisation: Ref | None,
        person: Ref | None,
        row: Incoming,
    ) -> Row:
        importer = self.importer
        owner = importer.user
        if incoming.owner_email:
            owner = importer.owners.get(incoming.owner_email.casefold(), importer.user)
            if owner == importer.user and incoming.owner_email.casefold() != (
                importer.user.email.casefold()
            ):
                importer.summary.unknown_owner(incoming.owner_email.casefold())
        now = timezone.now()
        moved = noon(incoming.stage_changed_on or incoming.created_on) or now
        reason = incoming.reason
        if level in LEVELS_NEEDING_REASON and not reason:
            reason = _("Closed as lost in %(tool)s.") % {"tool": self.options.tool}
        customer_name = (row.organisation.name if row.organisation else "") or (
            row.person.name if row.person else ""
        )
        value = incoming.value or Decimal(0)
        fit = None
        if organisation is not None and organisation in self.organisations:
            fit = self.organisations[organisation]["fit_score"]
        return {
            "id": importer.ids[Opportunity].take(),
            "team_id": importer.team.pk,
            "owner_id": owner.pk,
            "title": incoming.title or customer_name,
            "organisation_id": organisation,
            "main_contact_id": person,
            "value": value,
            "currency": incoming.currency or importer.currency,
            "level": level,
            "level_changed": moved,
            "first_contact_on": incoming.created_on or timezone.localdate(now),
            "expected_close_on": incoming.close_on,
            "source": incoming.source,
            "next_step": incoming.next_step,
            "reason": reason,
            "notes": notes_with_kept(incoming.notes, row, self.kept_heading, owner="deal"),
            "progress_at": now,
            "weight": ranking_weight(value, fit),
            "import_batch_id": importer.batch_id,
        }

    # -- writing ------------------------------------------------------------------------------

    def _write(self) -> None:
        pending = self.pending
        insert_rows(Organisation, list(pending.organisations.values()))
        insert_rows(Person, list(pending.people.values()))
        insert_rows(EmailAddress, pending.emails)
        insert_rows(PhoneNumber, pending.phones)
        insert_rows(Opportunity, pending.opportunities)
        insert_rows(
            LevelChange,
            [
                {
                    "opportunity_id": opportunity["id"],
                    "at": opportunity["level_changed"],
                    "by_id": self.importer.user.pk,
                    "to_level": opportunity["level"],
                    "reason": opportunity["reason"],
                }
                for opportunity in pending.opportunities
            ],
        )
        now = timezone.now()
        for pk, names in pending.changed_people.items():
            person = self.people[pk]
            Person.objects.filter(pk=pk).update(**{n: person[n] for n in names}, updated=now)
        for pk, names in pending.changed_organisations.items():
            organisation = self.organisations[pk]
            Organisation.objects.filter(pk=pk).update(
                **{n: organisation[n] for n in names}, updated=now
            )

    def _remember_new_keys(self) -> None:
        for kind in KINDS:
            self.importer.index.add(
                kind,
                ((key, ref) for key_kind, key, ref in self.pending.new_keys if key_kind == kind),
            )


PERSON_COLUMNS = ["id", "job_title", "language", "notes", "organisation_id"]
ORGANISATION_COLUMNS = ["id", "website", "sector", "size", "city", "country", "notes", "fit_score"]
KINDS: list[keys.Kind] = ["email", "phone", "person", "domain", "organisation", "deal"]
PERSON_KINDS: list[keys.Kind] = ["email", "phone", "person"]
ORGANISATION_KINDS: list[keys.Kind] = ["domain", "organisation"]


def first(*refs: Ref | None) -> Ref | None:
    return next((ref for ref in refs if ref is not None), None)


def noon(day: datetime.date | None) -> datetime.datetime | None:
    """A day from the file as a moment: midday, so no time zone moves it to another day."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
