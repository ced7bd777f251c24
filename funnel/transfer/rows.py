"""One row of a file and its column mapping → an `Incoming`: who, at which organisation, with
which deal, what Funnel keeps in the notes, and what is wrong with it.

A file may have a hundred thousand rows, so everything that depends only on the columns is
decided once, in `RowReader.__init__`: each column gets the one small function that reads its
cells, and `read` only walks the row's non-empty cells through them.
"""

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from funnel.lib.bounds import MAX_HEADCOUNT
from funnel.transfer import values
from funnel.transfer.records import (
    IGNORE,
    KEEP,
    DealIn,
    Incoming,
    OrganisationIn,
    PersonIn,
    Problem,
)
from funnel.transfer.tools import by_name
from funnel.transfer.values import DateColumn

# Funnel's field lengths (contacts.models, sales.models); notes and reasons have none.
LIMITS = {
    "person.name": 200,
    "person.first_name": 200,
    "person.middle_name": 200,
    "person.last_name": 200,
    "person.job_title": 200,
    "organisation.name": 200,
    "organisation.sector": 100,
    "organisation.city": 100,
    "deal.title": 200,
    "deal.stage": 200,
    "deal.source": 100,
    "deal.next_step": 200,
}
NOTES = {"person.notes", "organisation.notes", "deal.notes", "deal.reason"}
DATES = {"deal.close_on", "deal.created_on", "deal.stage_changed_on"}
# Where people write a month before the day (03/31/2026); elsewhere the day comes first.
MONTH_FIRST_REGIONS = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"}
# What Outlook writes for "no birthday": nothing to keep.
EMPTY_MARKERS = {"0/0/00", "0.0.00", "00.00.0000", "0000-00-00"}
# Several values in one cell: Google's " ::: ", or a list someone typed.
_SEVERAL_EMAILS = re.compile(r"\s*(?::::|;|,)\s*")
_SEVERAL_PHONES = re.compile(r"\s*(?::::|;)\s*")
MAX_VALUES = 20  # emails or phones in one cell
# "Jane Doe (jane@example.com)", "Jane Doe <jane@example.com>": a deal's contact, as CRMs
# write it.
_NAME_WITH_EMAIL = re.compile(r"(.*?)\s*[(<]\s*([^()<>\s]+@[^()<>\s]+)\s*[)>]")
_HEADCOUNT = re.compile(r"\d{1,3}(?:([ .,'\u2019])\d{3})?(?:\1\d{3})*|\d+")

# Google's and Outlook's labels of emails and phones, and Pipedrive's deal statuses, folded.
EMAIL_KINDS = by_name(
    {
        "work": "work business office lavoro ufficio werk zakelijk trabajo arbete jobb arbeit "
        "geschaftlich",
        "personal": "home personal private casa personale privato thuis prive privado hem privat",
        "other": "other",
    }
)
PHONE_KINDS = by_name(
    {
        "work": "work business office main company lavoro ufficio werk zakelijk trabajo arbete "
        "jobb arbeit geschaftlich",
        "home": "home private casa thuis hem privat",
        "mobile": "mobile cell cellular iphone cellulare mobiel movil celular mobil handy",
        "other": "other",
    }
)
STATUSES = by_name(
    {
        "open": "open",
        "won": "won gewonnen vinto vinta ganado ganada vunnen vunnet",
        "lost": "lost verloren perso persa perdido perdida forlorad forlorat",
    }
)


class _Row:
    """What the cells of one row said, on the way to an Incoming."""

    __slots__ = (
        "cells",
        "emails",
        "kept",
        "line",
        "phones",
        "problems",
        "sources",
        "spare",
        "unread_phones",
        "values",
    )

    def __init__(self, line: int, cells: list[str]) -> None:
        self.line = line
        self.cells = cells
        self.values: dict[str, Any] = {}  # target -> value: the first cell that gives one
        self.sources: dict[str, tuple[str, str]] = {}  # target -> (header, text) of that cell
        self.emails: list[tuple[str, str]] = []
        self.phones: list[tuple[str, str]] = []
        self.unread_phones: list[tuple[str, str, str]] = []  # (header, text, kind)
        self.kept: list[tuple[str, str]] = []
        self.problems: list[Problem] = []
        # (target, header, text) of the cells read for a person, an organisation or a deal,
        # to keep in the notes when the row turns out not to have one (a phone, no name).
        self.spare: list[tuple[str, str, str]] = []

    def set(self, target: str, header: str, value: Any, text: str) -> None:
        """The first value wins; a second, different one is kept in the notes."""
        if target in self.values:
            if self.values[target] != value:
                self.kept.append((header, text))
            return
        self.values[target] = value
        self.sources[target] = (header, text)
        self.spare.append((target, header, text))

    def problem(self, header: str, message: str) -> None:
        self.problems.append(Problem(self.line, header, message))

    def warn(self, header: str, text: str, message: str) -> None:
        """A value the row can do without: the row imports, the value goes to the notes."""
        self.problems.append(Problem(self.line, header, message, warning=True))
        self.kept.append((header, text))


Reader = Callable[[_Row, str, str], None]


class RowReader:
    def __init__(
        self,
        headers: list[str],
        columns: dict[str, str],
        *,
        region: str,
        day_first: bool | None,
        sample: Iterable[list[str]] = (),
    ) -> None:
        self._width = len(headers)
        self._region = region.upper()
        self._names = [
            header.strip() or _("column %(number)s") % {"number": index + 1}
            for index, header in enumerate(headers)
        ]
        fallback = self._region not in MONTH_FIRST_REGIONS
        self._dates: dict[int, DateColumn] = {}
        # One (reader, header) per column, in order, so `read` can zip them with the cells.
        self._readers: list[tuple[Reader, str]] = []
        targets = [columns.get(header, KEEP) for header in headers]
        for index, target in enumerate(targets):
            if target in DATES:
                self._dates[index] = DateColumn(day_first=day_first, fallback=fallback)
            reader = _skip if target == IGNORE else self._reader(index, target, targets)
            self._readers.append((reader, self._names[index]))
        for cells in sample:
            for index, column in self._dates.items():
                if index < len(cells):
                    column.observe(cells[index])

    # -- reading a row ------------------------------------------------------------------------

    def read(self, line: int, cells: list[str]) -> Incoming:
        row = _Row(line, cells)
        for text, (reader, header) in zip(cells, self._readers, strict=False):
            if text:
                text = text.strip()
                if not text:
                    continue
                if "\x00" in text:
                    if reader is not _skip:
                        row.problem(header, _("This value holds a NUL character: not kept."))
                    continue
                reader(row, header, text)
        if len(cells) > self._width:
            self._extra_cells(row, cells)
        return self._incoming(row)

    def _extra_cells(self, row: _Row, cells: list[str]) -> None:
        row.problem(
            "",
            _("This line has %(cells)s cells but the file has %(columns)s columns.")
            % {"cells": len(cells), "columns": self._width},
        )
        for index in range(self._width, len(cells)):
            if cells[index].strip():
                name = _("column %(number)s") % {"number": index + 1}
                row.kept.append((name, cells[index].strip().replace("\x00", "")))

    # -- one reader per column ----------------------------------------------------------------

    def _reader(self, index: int, target: str, targets: list[str]) -> Reader:
        family, _dot, kind = target.rpartition(".")
        if family in ("person.email", "person.phone"):
            if kind == "kind":
                return self._label_reader(index, family, targets)
            label = self._label_of(index, family, targets)
            if family == "person.email":
                return self._email_reader(kind, label)
            return self._phone_reader(kind, label)
        if index in self._dates:
            return self._date_reader(target, self._dates[index])
        if target in NOTES:
            return _notes_reader(target)
        special = {
            "person.name": _person_name,
            "person.language": _language,
            "organisation.website": _website,
            "organisation.size": _headcount,
            "organisation.country": _country,
            "deal.value": _money,
            "deal.currency": _currency,
            "deal.status": _status,
            "deal.owner_email": _owner_email,
        }
        if target in special:
            return special[target]
        if target in LIMITS:
            return _text_reader(target, LIMITS[target])
        return _keep

    def _label_of(self, index: int, family: str, targets: list[str]) -> int | None:
        """The label column just before a value column (Google's "E-mail 1 - Label")."""
        before = index - 1
        return before if before >= 0 and targets[before] == f"{family}.kind" else None

    def _label_reader(self, index: int, family: str, targets: list[str]) -> Reader:
        after = index + 1
        paired = (
            after < len(targets)
            and targets[after].startswith(f"{family}.")
            and (targets[after] != f"{family}.kind")
        )
        # A paired label is read with its value; one on its own is kept.
        return _skip if paired else _keep  # a paired label is read with its value

    def _email_reader(self, default: str, label: int | None) -> Reader:
        def read(row: _Row, header: str, text: str) -> None:
            several = ":::" in text or ";" in text or "," in text
            labels = _label_cell(row, label)
            parts = _several(row, header, _SEVERAL_EMAILS, text) if several else [text]
            for number, part in enumerate(parts):
                if not part:
                    continue
                try:
                    address = values.clean_email(part)
                except ValueError as error:
                    row.warn(header, text, str(error))
                    return  # one problem a cell is enough to fix it
                kind = _kind("email", _nth(labels, number)) if labels else ""
                folded = address.casefold()
                if not any(a.casefold() == folded for _k, a in row.emails):
                    row.emails.append((kind or default, address))
                    row.spare.append(("person.email", header, part))

        return read

    def _phone_reader(self, default: str, label: int | None) -> Reader:
        def read(row: _Row, header: str, text: str) -> None:
            several = ":::" in text or ";" in text
            labels = _label_cell(row, label)
            parts = _several(row, header, _SEVERAL_PHONES, text) if several else [text]
            for number, part in enumerate(parts):
                if part:
                    kind = _kind("phone", _nth(labels, number)) if labels else ""
                    row.unread_phones.append((header, part, kind or default))

        return read

    def _read_phones(self, row: _Row) -> None:
        """Numbers without a country code are from the row's country when it has one (a
        contact in Amsterdam), else from the user's."""
        region = row.values.get("organisation.country") or self._region
        for header, part, kind in row.unread_phones:
            try:
                shown, _key, extension = values.read_phone(part, region)
            except ValueError as error:
                if not any(p.column == header for p in row.problems):  # one a cell is enough
                    row.warn(header, part, str(error))
                continue
            if extension:  # Funnel keeps numbers without extensions: keep it whole too
                row.kept.append((header, part))
            if all(n != shown for _k, n in row.phones):
                row.phones.append((kind, shown))
                row.spare.append(("person.phone", header, part))

    def _date_reader(self, target: str, column: DateColumn) -> Reader:
        latest = target == "deal.stage_changed_on"

        def read(row: _Row, header: str, text: str) -> None:
            try:
                day = column.parse(text)
            except ValueError as error:
                row.problem(header, str(error))
                return
            if latest and target in row.values and day and day > row.values[target]:
                # Pipedrive's last stage change, then its won time: the deal's latest move.
                row.kept.append(row.sources[target])
                del row.values[target]
            row.set(target, header, day, text)

        return read

    # -- the row, put together ----------------------------------------------------------------

    def _incoming(self, row: _Row) -> Incoming:
        if row.unread_phones:
            self._read_phones(row)
        person = _person(row)
        organisation = _organisation(row)
        deal = _deal(row)
        if row.spare and not (person and organisation and deal):
            missing = tuple(
                f"{part}."
                for part, record in (
                    ("person", person),
                    ("organisation", organisation),
                    ("deal", deal),
                )
                if record is None
            )
            row.kept.extend(
                (h, text) for target, h, text in row.spare if target.startswith(missing)
            )
        if (
            not (person or organisation or deal)
            and all(problem.warning for problem in row.problems)
            and any(cell.strip() for cell in row.cells)
        ):
            row.problem(
                "",
                _("Nothing to import on this line: no name, email, organisation or deal."),
            )
        return Incoming(
            line=row.line,
            person=person,
            organisation=organisation,
            deal=deal,
            kept=row.kept,
            problems=row.problems,
        )


# -- readers that need nothing but the cell -------------------------------------------------


def _keep(row: _Row, header: str, text: str) -> None:
    if text not in EMPTY_MARKERS:
        row.kept.append((header, text))


def _skip(row: _Row, header: str, text: str) -> None:
    """A label read with the value column it names."""


def _too_long(row: _Row, header: str, text: str, limit: int) -> bool:
    if len(text) <= limit:
        return False
    row.problem(
        header,
        _("This is %(length)s characters long; Funnel keeps at most %(limit)s here.")
        % {"length": len(text), "limit": limit},
    )
    return True


def _text_reader(target: str, limit: int) -> Reader:
    def read(row: _Row, header: str, text: str) -> None:
        line = " ".join(text.split())  # one line: names and titles have no line breaks
        if len(line) > limit:
            _too_long(row, header, line, limit)
        elif target not in row.values:
            row.values[target] = line
            row.sources[target] = (header, text)
            row.spare.append((target, header, text))
        elif row.values[target] != line:
            row.kept.append((header, text))

    return read


def _notes_reader(target: str) -> Reader:
    """Notes add up: every notes column of the row is in the record's notes."""
    key = f"{target}+"

    def read(row: _Row, header: str, text: str) -> None:
        row.values.setdefault(key, []).append(text)
        row.spare.append((target, header, text))

    return read


_name_text = _text_reader("person.name", LIMITS["person.name"])


def _person_name(row: _Row, header: str, text: str) -> None:
    match = _NAME_WITH_EMAIL.fullmatch(text)
    if match:
        try:
            address = values.clean_email(match[2])
        except ValueError:
            pass
        else:
            if match[1]:
                _name_text(row, header, match[1])
            if not any(a.casefold() == address.casefold() for _k, a in row.emails):
                row.emails.append(("work", address))
            return
    _name_text(row, header, text)


def _language(row: _Row, header: str, text: str) -> None:
    code = values.language_code(text)
    if code:
        row.set("person.language", header, code, text)
    else:
        row.kept.append((header, text))


def _website(row: _Row, header: str, text: str) -> None:
    if _too_long(row, header, text, values.MAX_URL):
        return
    try:
        row.set("organisation.website", header, values.website_url(text), text)
    except ValueError:
        row.kept.append((header, text))


def _headcount(row: _Row, header: str, text: str) -> None:
    """'1,200' or '1.200' people; a range ('51-200') or a word is kept as written."""
    if not _HEADCOUNT.fullmatch(text):
        row.kept.append((header, text))
        return
    digits = re.sub(r"\D", "", text)
    if len(digits) > len(str(MAX_HEADCOUNT)) or int(digits) > MAX_HEADCOUNT:
        row.problem(
            header,
            _("%(value)s people: more than any organisation employs.") % {"value": text},
        )
    elif int(digits):
        row.set("organisation.size", header, int(digits), text)
    else:
        row.kept.append((header, text))


def _country(row: _Row, header: str, text: str) -> None:
    code = values.country_code(text)
    if code:
        row.set("organisation.country", header, code, text)
    else:
        row.kept.append((header, text))


def _money(row: _Row, header: str, text: str) -> None:
    try:
        amount, currency = values.parse_money(text)
    except ValueError as error:
        row.problem(header, str(error))
        return
    row.set("deal.value", header, amount, text)
    if currency:
        row.values.setdefault("deal.value_currency", currency)


def _currency(row: _Row, header: str, text: str) -> None:
    code = values.currency_code(text)
    if not code and text.upper().replace(" ", "") not in values.CURRENCY_SIGNS:
        row.problem(
            header,
            _("“%(value)s” is not a currency Funnel knows: write a code like EUR or USD.")
            % {"value": text},
        )
        return
    row.set("deal.currency", header, code, text)


def _status(row: _Row, header: str, text: str) -> None:
    status = STATUSES.get(values.fold(text))
    if status:
        row.set("deal.status", header, status, text)
    else:
        row.kept.append((header, text))


def _owner_email(row: _Row, header: str, text: str) -> None:
    """An owner's email finds the teammate; an owner's name is only kept in the notes."""
    if "@" not in text:
        row.kept.append((header, text))
        return
    try:
        row.set("deal.owner_email", header, values.clean_email(text), text)
    except ValueError as error:
        row.problem(header, str(error))


def _several(row: _Row, header: str, separators: re.Pattern[str], text: str) -> list[str]:
    """The values of a cell that lists several; a list longer than anyone's is a problem."""
    parts = separators.split(text, maxsplit=MAX_VALUES)
    if len(parts) > MAX_VALUES:
        row.problem(
            header,
            _("This cell lists more than %(count)s values: is it the right column?")
            % {"count": MAX_VALUES},
        )
        return []
    return parts


def _label_cell(row: _Row, label: int | None) -> str:
    """The label column's cell ("* Work", or "Home ::: Other" for several values)."""
    if label is None or label >= len(row.cells):
        return ""
    return row.cells[label]


def _nth(labels: str, number: int) -> str:
    """The label of the number-th value of a cell; one label for all when there is one."""
    if ":::" not in labels:
        return labels
    each = labels.split(":::")
    return each[number] if number < len(each) else each[0]


@functools.lru_cache(maxsize=1024)
def _kind(family: str, label: str) -> str:
    """'* Work' → 'work' (the star marks Google's primary value); '' without a label, and
    'other' for a label Funnel has no kind for (Fax, a custom one)."""
    word = values.fold(label.replace("*", ""))
    if not word:
        return ""
    kinds = EMAIL_KINDS if family == "email" else PHONE_KINDS
    return kinds.get(word, "other")


# -- the records ------------------------------------------------------------------------------


def _notes(row: _Row, target: str) -> str:
    return "\n\n".join(row.values.get(f"{target}+", ()))


def _person(row: _Row) -> PersonIn | None:
    v = row.values
    name = v.get("person.name") or " ".join(
        v[part]
        for part in ("person.first_name", "person.middle_name", "person.last_name")
        if part in v
    )
    if len(name) > LIMITS["person.name"]:
        header = (row.sources.get("person.last_name") or row.sources["person.first_name"])[0]
        _too_long(row, header, name, LIMITS["person.name"])
        name = ""
    if not name and row.emails:
        name = row.emails[0][1]
    if not name:
        return None
    return PersonIn(
        name=name,
        job_title=v.get("person.job_title", ""),
        emails=row.emails,
        phones=row.phones,
        language=v.get("person.language", ""),
        notes=_notes(row, "person.notes"),
    )


def _organisation(row: _Row) -> OrganisationIn | None:
    v = row.values
    if "organisation.name" not in v and "organisation.website" not in v:
        return None
    return OrganisationIn(
        name=v.get("organisation.name", ""),
        website=v.get("organisation.website", ""),
        sector=v.get("organisation.sector", ""),
        size=v.get("organisation.size"),
        city=v.get("organisation.city", ""),
        country=v.get("organisation.country", ""),
        notes=_notes(row, "organisation.notes"),
    )


def _deal(row: _Row) -> DealIn | None:
    v = row.values
    if not ("deal.title" in v or "deal.value" in v or "deal.stage" in v or "deal.status" in v):
        return None
    stage = v.get("deal.stage", "")
    status = v.get("deal.status", "")
    if status in ("won", "lost"):
        if stage and stage != status:  # the stage it was at when won or lost
            row.kept.append(row.sources["deal.stage"])
        stage = status
    return DealIn(
        title=v.get("deal.title", ""),
        value=v.get("deal.value"),
        currency=v.get("deal.value_currency") or v.get("deal.currency", ""),
        stage=stage,
        close_on=v.get("deal.close_on"),
        owner_email=v.get("deal.owner_email", ""),
        created_on=v.get("deal.created_on"),
        stage_changed_on=v.get("deal.stage_changed_on"),
        reason=_notes(row, "deal.reason"),
        source=v.get("deal.source", ""),
        next_step=v.get("deal.next_step", ""),
        notes=_notes(row, "deal.notes"),
    )
