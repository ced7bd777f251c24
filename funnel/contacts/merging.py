"""Merging two records of the same person, or of the same organisation, that imports from
several tools left behind.

Everything that points at the duplicate is pointed at the record kept, found generically
through the model's reverse relations (contacts sits below sales, follow-ups, quotes and fit,
so it cannot name their models): activities, follow-ups, opportunities, buying influences,
ratings, emails, phones, and whatever is added later. Where a unique constraint lets the kept
record have a row only once (the same email twice, the same role on the same opportunity, two
ratings of one criterion), the two rows are merged into the kept one the same way the records
are (`absorb`), so the merge never meets an IntegrityError. Unique rules must name their fields
for this to see them; tests/test_merge.py checks that every one does.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.accounts.models import team_ids
from funnel.contacts.models import Organisation, Person
from funnel.lib.refusals import Refused

Record = TypeVar("Record", Person, Organisation)
# An organisation's score and the share of its profile that is known follow from its details:
# they are scored again after a merge (funnel.fit.actions.refresh_fit), never copied across.
DERIVED = frozenset({"fit_score", "fit_known"})
# Enough candidates to find a duplicate by eye; the search narrows the rest.
CANDIDATES = 20


@transaction.atomic
def merge_people(*, user: User, keep: Person, other: Person) -> Person:
    """Merge `other` into `keep` and delete `other`; returns `keep` as saved."""
    return _merge(user, keep, other)


@transaction.atomic
def merge_organisations(*, user: User, keep: Organisation, other: Organisation) -> Organisation:
    """Merge `other` into `keep` (its people and opportunities move) and delete `other`.

    Returns `keep`, whose fit score is now out of date: fit sits above contacts, so the caller
    scores it again (funnel.fit.actions.refresh_fit), which also reweighs its opportunities,
    the moved ones included.
    """
    return _merge(user, keep, other)


def _merge(user: User, keep: Record, other: Record) -> Record:
    keep, other = _lock(user, keep, other)
    _move_relations(keep, other)
    absorb(keep, other)
    if keep.import_batch_id != other.import_batch_id:
        # Undoing keep's import deletes what the import created; keep now also holds what
        # came from elsewhere, so it is no longer the import's alone.
        keep.import_batch = None
    type(other)._default_manager.filter(pk=other.pk).delete()
    keep.save()
    return keep


def _lock(user: User, keep: Record, other: Record) -> tuple[Record, Record]:
    """Both records as they are now, locked; refused unless both are the user's team's and
    still there (a second click on "Merge" finds the duplicate gone)."""
    if keep.pk == other.pk:
        raise Refused(_("A record cannot be merged with itself."))
    teams = team_ids(user)
    if keep.team_id not in teams or other.team_id not in teams:
        raise Refused(_("Only your team's records can be merged."))
    if keep.team_id != other.team_id:
        raise Refused(_("Records of two different teams cannot be merged."))
    model = type(keep)
    found = model._default_manager.select_for_update().in_bulk([keep.pk, other.pk])
    if other.pk not in found:
        raise Refused(_("%(name)s has already been merged or deleted.") % {"name": other})
    if keep.pk not in found:
        raise Refused(_("%(name)s has been merged or deleted meanwhile.") % {"name": keep})
    return found[keep.pk], found[other.pk]


# Moving what points at the duplicate


def relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every relation pointing at this model, hidden ones (related_name="+") included.

    A many-to-many relation is reached through its through model, which has a foreign key
    here (and a unique pair, which the merge respects like any other).
    """
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, models.ForeignObjectRel) and not field.many_to_many
    ]


def _move_relations(keep: models.Model, other: models.Model) -> None:
    for relation in relations(type(keep)):
        _move(relation, keep, other)


def _move(relation: models.ForeignObjectRel, keep: models.Model, other: models.Model) -> None:
    """One relation: the rows keep may have only once are merged, the rest change hands in one
    UPDATE, however many there are."""
    model, name = relation.related_model, relation.field.name
    assert isinstance(model, type)  # a model class, not the "self" of a lazy reference
    for fields, condition in unique_keys(model, name):
        _merge_twins(model, name, fields, condition, keep, other)
    stamps = {field.name: timezone.now() for field in _auto_now_fields(model)}
    model._default_manager.filter(**{name: other}).update(**{name: keep}, **stamps)


def unique_keys(model: type[models.Model], name: str) -> list[tuple[list[str], Q | None]]:
    """The other fields of each unique rule that names this field, with its condition: rows of
    keep and of other alike in those fields cannot both belong to keep."""
    meta = model._meta
    rules: list[tuple[Sequence[str], Q | None]] = [
        (tuple(pair), None) for pair in meta.unique_together
    ]
    rules += [
        (constraint.fields, constraint.condition)
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    if _field(model, name).unique:  # a one-to-one relation
        rules.append(((name,), None))
    return [
        ([f for f in fields if f != name], condition)
        for fields, condition in rules
        if name in fields
    ]


def _merge_twins(
    model: type[models.Model],
    name: str,
    fields: list[str],
    condition: Q | None,
    keep: models.Model,
    other: models.Model,
) -> None:
    """Merge each row of other's into keep's row alike in `fields`, then delete it."""
    rows = model._default_manager.filter(**{f"{name}__in": [keep.pk, other.pk]})
    if condition is not None:
        rows = rows.filter(condition)
    attname = _field(model, name).attname
    keys = [_field(model, field).attname for field in fields]
    kept: dict[tuple[Any, ...], models.Model] = {}
    theirs: list[tuple[tuple[Any, ...], models.Model]] = []
    for row in rows:
        key = tuple(getattr(row, field) for field in keys)
        if getattr(row, attname) == keep.pk:
            kept[key] = row
        else:
            theirs.append((key, row))
    twins = [(kept[key], row) for key, row in theirs if key in kept]
    for first, second in twins:
        _move_relations(first, second)  # what points at the duplicate row moves too
        absorb(first, second)
    if not twins:
        return
    model._default_manager.filter(pk__in=[second.pk for _first, second in twins]).delete()
    editable = [field.name for field in model._meta.concrete_fields if _absorbs(field)]
    if editable:
        model._default_manager.bulk_update([first for first, _second in twins], editable)


def _auto_now_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The "updated" stamps an UPDATE does not set by itself: a row that changes hands has
    changed (the calendar feed, for one, is rebuilt when a follow-up's stamp moves)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and field.auto_now
    ]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # unique rules name concrete fields
    return field


# Merging the fields of two rows


def absorb(keep: models.Model, other: models.Model) -> None:
    """Fill keep's empty fields from other's, unsaved: keep's values win where it has one; a
    field still at its default counts as empty (a buying influence "not contacted yet" takes
    the other's "satisfied"); texts are joined, each kept once. The fields the user cannot
    edit (stamps, import batches, scores) are left alone."""
    for field in type(keep)._meta.concrete_fields:
        if not _absorbs(field):
            continue
        mine, theirs = getattr(keep, field.attname), getattr(other, field.attname)
        if isinstance(field, models.TextField):
            setattr(keep, field.attname, joined(mine, theirs))
        elif _is_empty(field, mine) and not _is_empty(field, theirs):
            setattr(keep, field.attname, theirs)


def _absorbs(field: models.Field[Any, Any]) -> bool:
    return (
        field.editable
        and not field.primary_key
        and field.name not in DERIVED
        and field.name != "team"
    )


def _is_empty(field: models.Field[Any, Any], value: Any) -> bool:
    return value in field.empty_values or (field.has_default() and value == field.get_default())


def joined(mine: str, theirs: str) -> str:
    """Both texts, each once: the other's is added after a blank line unless already there."""
    mine, theirs = mine.strip(), theirs.strip()
    if not theirs or theirs in mine:
        return mine
    if mine in theirs:
        return theirs
    return f"{mine}\n\n{theirs}"


# What the confirmation page shows


@dataclass(frozen=True)
class Moving:
    """How many rows of one kind point at the duplicate and will move."""

    what: str  # the kind, in the user's language ("activities")
    count: int


def what_moves(record: Person | Organisation) -> list[Moving]:
    """What points at the record, by kind, the kinds with nothing left out (a query each)."""
    moving = []
    for relation in relations(type(record)):
        if relation.hidden:
            continue
        model = relation.related_model
        assert isinstance(model, type)
        count = model._default_manager.filter(**{relation.field.name: record}).count()
        if count:
            moving.append(Moving(str(model._meta.verbose_name_plural), count))
    return moving


def merged_preview(keep: Record, other: Record) -> Record:
    """What keep will look like after the merge, unsaved, for the confirmation page: a copy,
    so the page's keep stays as it is."""
    fields = type(keep)._meta.concrete_fields
    preview = type(keep)(**{field.attname: getattr(keep, field.attname) for field in fields})
    absorb(preview, other)
    return preview


# Finding the duplicate


def people_like(person: Person) -> models.QuerySet[Person]:
    """The person's likely duplicates: the same name, an email or a phone number in common."""
    alike = Q(name__iexact=person.name)
    for address in person.emails.values_list("address", flat=True):
        alike |= Q(emails__address__iexact=address)
    numbers = list(person.phones.values_list("number", flat=True))
    if numbers:
        alike |= Q(phones__number__in=numbers)
    return _others(Person, person).filter(alike).distinct()


def organisations_like(organisation: Organisation) -> models.QuerySet[Organisation]:
    """The organisation's likely duplicates: a name that starts with the same word ("Ferretti"
    and "Ferretti S.r.l."), or the same website."""
    alike = Q(pk__in=[])
    word = organisation.name.split()[0] if organisation.name.split() else ""
    if len(word) >= 3:
        alike |= Q(name__istartswith=word)
    if organisation.website:
        alike |= Q(website__iexact=organisation.website)
    return _others(Organisation, organisation).filter(alike)


def search_people(person: Person, query: str) -> models.QuerySet[Person]:
    match = Q(name__icontains=query) | Q(emails__address__icontains=query)
    return _others(Person, person).filter(match).distinct()


def search_organisations(organisation: Organisation, query: str) -> models.QuerySet[Organisation]:
    return _others(Organisation, organisation).filter(name__icontains=query)


def _others(model: type[Record], record: Record) -> models.QuerySet[Record]:
    """The other records of the same team: a merge never crosses teams."""
    return model._default_manager.filter(team_id=record.team_id).exclude(pk=record.pk)
