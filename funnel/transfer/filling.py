"""What a row puts into a record's fields: only where they are empty when the record was there
before, whatever doesn't fit kept in the notes rather than dropped."""

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from funnel.lib.bounds import MAX_HEADCOUNT
from funnel.transfer.records import Incoming, OrganisationIn, PersonIn


def fill_person(
    person: dict[str, Any], incoming: PersonIn, organisation: int | None, notes: str
) -> set[str]:
    """Fill what the person (their columns) lacks from the row; the columns filled."""
    changed = set()
    for name in ("job_title", "language"):
        if not person[name] and getattr(incoming, name):
            person[name] = getattr(incoming, name)
            changed.add(name)
    if person["organisation_id"] is None and organisation is not None:
        person["organisation_id"] = organisation
        changed.add("organisation_id")
    if add_notes(person, notes):
        changed.add("notes")
    return changed


def add_notes(record: dict[str, Any], notes: str) -> bool:
    """Add the notes to the record's, unless they are there already."""
    current = record.get("notes") or ""
    if not notes or notes in current:
        return False
    record["notes"] = f"{current}\n\n{notes}".strip()
    return True


URL = URLValidator()


def fill_organisation(
    organisation: dict[str, Any],
    incoming: OrganisationIn,
    row: Incoming,
    *,
    only_empty: bool = False,
) -> set[str]:
    """Take the row's fields that fit the organisation's columns; what doesn't fit goes to the
    row's kept columns."""
    changed = set()
    website = incoming.website.strip()
    if website and "://" not in website:
        website = "https://" + website
    values: dict[str, Any] = {
        "website": website,
        "sector": incoming.sector,
        "size": incoming.size,
        "city": incoming.city,
        "country": incoming.country.upper(),
    }
    if values["website"]:
        try:
            URL(values["website"])
            if len(values["website"]) > 200 or not urlsplit(values["website"]).hostname:
                raise ValidationError("too long")
        except ValidationError:
            row.kept.append((_("website"), incoming.website))
            values["website"] = ""
    if values["size"] is not None and not 1 <= values["size"] <= MAX_HEADCOUNT:
        row.kept.append((_("size"), str(values["size"])))
        values["size"] = None
    if values["country"] and (len(values["country"]) != 2 or not values["country"].isalpha()):
        row.kept.append((_("country"), incoming.country))
        values["country"] = ""
    for name, value in values.items():
        if value in ("", None):
            continue
        if only_empty and organisation.get(name) not in ("", None):
            continue
        organisation[name] = value
        changed.add(name)
    return changed


def notes_with_kept(notes: str, row: Incoming, heading: str, *, owner: str) -> str:
    """The notes, then the columns Funnel has no field for, so nothing is dropped.

    They go to the row's deal; without one, to its person; without one, to its organisation.
    """
    keeper = "deal" if row.deal else "person" if row.person else "organisation"
    if not row.kept or owner != keeper:
        return notes
    lines = [heading]
    lines.extend(f"{header}: {value}" for header, value in row.kept)
    return "\n".join(part for part in [notes, "\n".join(lines)] if part)
