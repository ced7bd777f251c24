"""What one row of an imported file says, whatever tool wrote it.

Readers (`reading`, `vcards`) turn a file into rows; `rows.RowReader.read` turns a row and its
column mapping into an `Incoming`; `importing` matches it against what the team already has;
`actions` writes it. Every stage speaks these types, so a new tool or format touches one stage.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Problem:
    """Why a row, or one of its cells, can't be imported as it is."""

    line: int  # the line in the file (1 = the first line), or the card's first line
    column: str  # the header of the column, or "" for the whole row
    message: str
    # A value the row can do without (an email that isn't one): the row is imported and the
    # value kept in its notes. Any other problem leaves the row out.
    warning: bool = False


@dataclass
class PersonIn:
    name: str = ""
    job_title: str = ""
    # (kind, value) with kinds from contacts.models.EmailAddress.Kind / PhoneNumber.Kind.
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    language: str = ""
    notes: str = ""


@dataclass
class OrganisationIn:
    name: str = ""
    website: str = ""
    sector: str = ""
    size: int | None = None
    city: str = ""
    country: str = ""  # ISO 3166 alpha-2, upper case
    notes: str = ""


@dataclass
class DealIn:
    title: str = ""
    value: Decimal | None = None
    currency: str = ""  # ISO 4217, upper case; "" = the importing user's currency
    stage: str = ""  # as the source tool names it; mapped to a level by the user's choice
    close_on: datetime.date | None = None
    owner_email: str = ""
    created_on: datetime.date | None = None
    stage_changed_on: datetime.date | None = None
    reason: str = ""  # why it was lost
    source: str = ""
    next_step: str = ""
    notes: str = ""


@dataclass
class Incoming:
    """One row: who, at which organisation, with which deal; each part may be missing."""

    line: int
    person: PersonIn | None = None
    organisation: OrganisationIn | None = None
    deal: DealIn | None = None
    # Columns Funnel has no field for, (header, value): written into the notes, never dropped.
    kept: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What the row is matched by (keys.RowKeys), when worked out ahead of the matching.
    match_keys: Any = None


# The targets a column can be mapped to, with what the import page calls them. A column mapped
# to nothing Funnel has is kept in the notes (KEEP); IGNORE is the user's explicit choice to
# leave a column out. "person.email.kind" and "person.phone.kind" name the kind of the email or
# phone column that follows ("* Work" in Google's "E-mail 1 - Label" before "E-mail 1 - Value");
# "deal.status" is open, won or lost (Pipedrive): a won or lost deal's stage is "won" or "lost".
IGNORE = "ignore"
KEEP = "keep"
TARGET_LABELS: dict[str, StrPromise] = {
    "person.name": _("Person: full name"),
    "person.first_name": _("Person: first name"),
    "person.middle_name": _("Person: middle name"),
    "person.last_name": _("Person: last name"),
    "person.job_title": _("Person: job title"),
    "person.email.work": _("Person: work email"),
    "person.email.personal": _("Person: personal email"),
    "person.email.other": _("Person: other email"),
    "person.phone.mobile": _("Person: mobile phone"),
    "person.phone.work": _("Person: work phone"),
    "person.phone.home": _("Person: home phone"),
    "person.phone.other": _("Person: other phone"),
    "person.email.kind": _("Person: type of the next email"),
    "person.phone.kind": _("Person: type of the next phone"),
    "person.language": _("Person: language"),
    "person.notes": _("Person: notes"),
    "organisation.name": _("Organisation: name"),
    "organisation.website": _("Organisation: website"),
    "organisation.sector": _("Organisation: sector"),
    "organisation.size": _("Organisation: size"),
    "organisation.city": _("Organisation: city"),
    "organisation.country": _("Organisation: country"),
    "organisation.notes": _("Organisation: notes"),
    "deal.title": _("Deal: title"),
    "deal.value": _("Deal: value"),
    "deal.currency": _("Deal: currency"),
    "deal.stage": _("Deal: stage"),
    "deal.status": _("Deal: open, won or lost"),
    "deal.close_on": _("Deal: expected close"),
    "deal.owner_email": _("Deal: owner's email"),
    "deal.created_on": _("Deal: created"),
    "deal.stage_changed_on": _("Deal: date of its stage"),
    "deal.reason": _("Deal: why it was lost"),
    "deal.source": _("Deal: source"),
    "deal.next_step": _("Deal: next step"),
    "deal.notes": _("Deal: notes"),
    KEEP: _("Keep in the notes"),
    IGNORE: _("Leave out"),
}
TARGETS = list(TARGET_LABELS)
