"""vCard files (.vcf) as `Incoming` rows, one per card, streamed.

FN (or, without it, N) names the person, ORG's first part the organisation; TITLE, NOTE, LANG,
and every EMAIL and TEL with its type mapped to Funnel's kinds. What Funnel has no field for
(addresses, websites, birthdays...) is kept for the notes; photos are skipped. A card Funnel
can't read whole carries a Problem naming its line, and the cards after it are read as usual.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funnel.contacts.models import EmailAddress, PhoneNumber
from funnel.transfer import values
from funnel.transfer.errors import TransferError
from funnel.transfer.reading import FileKind, file_kind
from funnel.transfer.reading_encoding import display_name
from funnel.transfer.reading_vcard_lines import (
    VALUE_LIMIT,
    Property,
    Unreadable,
    components,
    logical_lines,
    parse,
)
from funnel.transfer.records import Incoming, OrganisationIn, PersonIn, Problem

MAX_PHONE = PhoneNumber._meta.get_field("number").max_length or 30
MAX_NAME = 200  # a name, a job title, an organisation's name (contacts.models)
MIN_DIGITS = 5


def read_cards(path: Path) -> Iterator[Incoming]:
    """One Incoming per card, in the file's order; line numbers are the cards' BEGIN lines."""
    if file_kind(path) is not FileKind.VCARD:
        raise TransferError(_("This is not a vCard file."))
    charset, lines = logical_lines(path)
    card: _Card | None = None
    outside = False  # inside a run of lines that belong to no card
    for line, data in lines:
        marker = data.strip().upper() if data is not None else b""
        if marker == b"BEGIN:VCARD":
            if card is not None:
                yield card.broken(_("The card has no END:VCARD."))
            card, outside = _Card(line), False
        elif marker == b"END:VCARD" and card is not None:
            yield card.incoming()
            card = None
        elif card is not None:
            card.add(line, data, charset)
        elif data is None or marker:
            if not outside:
                yield _outside(line)
            outside = True
    if card is not None:
        yield card.broken(_("The card has no END:VCARD: the file may be cut short."))


def _line(line: int) -> str:
    return number_format(line, force_grouping=True)


def _outside(line: int) -> Incoming:
    message = _("Line %(line)s is not inside a card (BEGIN:VCARD … END:VCARD).")
    return Incoming(line=line, problems=[Problem(line, "", message % {"line": _line(line)})])


@dataclass
class _Card:
    begin: int
    properties: list[Property] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, data: bytes | None, charset: str) -> None:
        if data is None:
            self._problem(line, "long")
        elif data.strip():
            try:
                self.properties.append(parse(line, data, charset))
            except Unreadable as unreadable:
                self._problem(line, unreadable.kind, unreadable.encoding)

    def _problem(self, line: int, kind: str, encoding: str = "") -> None:
        values = {
            "line": _line(line),
            "encoding": display_name(encoding),
            "limit": _line(VALUE_LIMIT),
        }
        messages = {
            "long": _("Line %(line)s is longer than %(limit)s characters; it was skipped."),
            "nul": _("Line %(line)s contains a zero byte (NUL); it was skipped."),
            "encoding": _(
                "Line %(line)s is not in its text encoding (%(encoding)s); it was skipped."
            ),
            "garbage": _("Line %(line)s is not a vCard property; it was skipped."),
        }
        self.problems.append(Problem(line, "", messages[kind] % values))

    def broken(self, message: str) -> Incoming:
        incoming = self.incoming()
        incoming.problems.append(Problem(self.begin, "", message))
        return incoming

    def incoming(self) -> Incoming:
        found = _Found()
        labels = {p.group: _label(p.text) for p in self.properties if p.name == "X-ABLABEL"}
        for prop in self.properties:
            reader = _READERS.get(prop.name)
            if reader:
                reader(found, prop, labels.get(prop.group, "") if prop.group else "")
            elif prop.name.startswith("X-") and prop.name not in _NOISE and prop.text:
                found.kept.append((prop.name[2:].replace("-", " ").title(), prop.text))
        return found.incoming(self.begin, self.problems)


@dataclass
class _Found:
    """What a card's properties said, gathered before deciding who the card is about."""

    formatted_name: str = ""
    name_parts: list[str] = field(default_factory=list)
    organisation: str = ""
    is_organisation: bool = False
    person: PersonIn = field(default_factory=PersonIn)
    notes: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    preferred: set[str] = field(default_factory=set)
    kept: list[tuple[str, str]] = field(default_factory=list)

    def incoming(self, line: int, problems: list[Problem]) -> Incoming:
        person = self.person
        person.name = self.formatted_name or _name_from(self.name_parts)
        person.notes = "\n\n".join(self.notes)
        person.emails.sort(key=lambda pair: pair[1] not in self.preferred)
        person.phones.sort(key=lambda pair: pair[1] not in self.preferred)
        # Phones list a company as a contact whose name is the company's (no N, FN = ORG).
        named_after_it = self.organisation and person.name == self.organisation
        if self.is_organisation or (named_after_it and not any(self.name_parts)):
            return self._organisation_card(line, problems)
        problems = problems + self._check_contacts(line)
        kept = [(_("Website"), url) for url in self.urls] + self.kept
        organisation = OrganisationIn(name=self.organisation) if self.organisation else None
        if not (person.name or person.emails or person.phones or person.job_title):
            return Incoming(line, None, organisation, kept=kept, problems=problems)
        return Incoming(line, person, organisation, kept=kept, problems=problems)

    def _check_contacts(self, line: int) -> list[Problem]:
        """Emails are checked as a spreadsheet's are (funnel.transfer.values); phones are kept
        as the card writes them, extension and all, when they fit and hold a number. What isn't
        one is kept in the notes, with a warning, and the card still imports; a name longer
        than Funnel keeps leaves the card out, as it does a spreadsheet's row."""
        person, warnings = self.person, []
        emails, phones = [], []
        for kind, address in person.emails:
            try:
                emails.append((kind, values.clean_email(address)))
            except ValueError as error:
                warnings.append(Problem(line, _("Email"), str(error), warning=True))
                self.kept.append((_("Email"), address))
        for kind, number in person.phones:
            if len(number) <= MAX_PHONE and sum(c.isdigit() for c in number) >= MIN_DIGITS:
                phones.append((kind, number))
            else:
                message = _("“%(value)s” is not a phone number.") % {"value": number}
                warnings.append(Problem(line, _("Phone"), message, warning=True))
                self.kept.append((_("Phone"), number))
        person.emails, person.phones = emails, phones
        too_long = [
            (label, text)
            for label, text in [
                (_("Name"), person.name),
                (_("Job title"), person.job_title),
                (_("Organisation"), self.organisation),
            ]
            if len(text) > MAX_NAME
        ]
        return warnings + [
            Problem(
                line,
                label,
                _("This is %(length)s characters long; Funnel keeps at most %(limit)s here.")
                % {"length": len(text), "limit": MAX_NAME},
            )
            for label, text in too_long
        ]

    def _organisation_card(self, line: int, problems: list[Problem]) -> Incoming:
        person = self.person
        organisation = OrganisationIn(
            name=self.organisation or person.name,
            website=self.urls[0] if self.urls else "",
            notes=person.notes,
        )
        kept = [(_("Website"), url) for url in self.urls[1:]]
        kept += [(_("Email"), address) for _kind, address in person.emails]
        kept += [(_("Phone"), number) for _kind, number in person.phones]
        return Incoming(line, None, organisation, kept=kept + self.kept, problems=problems)


def _name_from(parts: list[str]) -> str:
    """FN's stand-in, from N: family; given; additional; prefixes; suffixes."""
    family, given, additional, prefix, suffix = (parts + [""] * 5)[:5]
    words = [prefix, given, additional, family, suffix]
    return " ".join(" ".join(word.split()) for word in words if word.strip())


def _label(text: str) -> str:
    """Apple's label, "_$!<Work>!$_" or one the user typed, in lower case."""
    return text.removeprefix("_$!<").removesuffix(">!$_").strip().lower()


def _read_fn(found: _Found, prop: Property, label: str) -> None:
    found.formatted_name = found.formatted_name or " ".join(prop.text.split())


def _read_n(found: _Found, prop: Property, label: str) -> None:
    found.name_parts = found.name_parts or components(prop.value, lists=True)


def _read_org(found: _Found, prop: Property, label: str) -> None:
    name, *units = components(prop.value)
    if name and not found.organisation:
        found.organisation = name
    found.kept += [(_("Department"), unit) for unit in units if unit]


def _read_title(found: _Found, prop: Property, label: str) -> None:
    found.person.job_title = found.person.job_title or prop.text


def _read_note(found: _Found, prop: Property, label: str) -> None:
    note = prop.text.replace("\r\n", "\n").replace("\r", "\n")
    if note:
        found.notes.append(note)


def _read_lang(found: _Found, prop: Property, label: str) -> None:
    code = values.language_code(prop.text)  # as a spreadsheet's Language column
    if not code:
        found.kept.append((_("Language"), prop.text))
    found.person.language = found.person.language or code


def _read_kind(found: _Found, prop: Property, label: str) -> None:
    # vCard 4.0's KIND:org, and Apple's way of saying the same.
    found.is_organisation = prop.text.lower() in ("org", "organization", "company")


def _read_email(found: _Found, prop: Property, label: str) -> None:
    address = prop.text.removeprefix("mailto:").strip().strip("<>")
    if not address:
        return
    words = prop.types | set(label.split())
    if "work" in words:
        kind = EmailAddress.Kind.WORK
    elif words & {"home", "personal", "private", "privat"}:
        kind = EmailAddress.Kind.PERSONAL
    else:
        kind = EmailAddress.Kind.OTHER
    found.person.emails.append((kind.value, address))
    if _preferred(prop):
        found.preferred.add(address)


def _read_tel(found: _Found, prop: Property, label: str) -> None:
    number = prop.text.removeprefix("tel:").replace(";ext=", " ext. ").strip()
    if not number:
        return
    words = prop.types | set(label.split())
    if words & {"fax", "pager"}:
        kind = PhoneNumber.Kind.OTHER
    elif words & {"cell", "mobile", "iphone"}:
        kind = PhoneNumber.Kind.MOBILE
    elif "work" in words:
        kind = PhoneNumber.Kind.WORK
    elif words & {"home", "personal", "private", "privat"}:
        kind = PhoneNumber.Kind.HOME
    else:
        kind = PhoneNumber.Kind.OTHER
    found.person.phones.append((kind.value, number))
    if _preferred(prop):
        found.preferred.add(number)


def _preferred(prop: Property) -> bool:
    return "pref" in prop.types or bool(prop.params.get("PREF"))


def _read_adr(found: _Found, prop: Property, label: str) -> None:
    parts = (components(prop.value) + [""] * 7)[:7]
    po_box, extended, street, city, region, code, country = parts
    place = " ".join(part for part in (code, city) if part)
    lines = [street, extended, place, region, country, po_box]
    address = ", ".join(" ".join(line.split()) for line in lines if line.strip())
    if not address:
        return
    words = prop.types | set(label.split())
    if "work" in words:
        heading = _("Work address")
    elif "home" in words:
        heading = _("Home address")
    else:
        heading = _("Address")
    found.kept.append((heading, address))


def _read_url(found: _Found, prop: Property, label: str) -> None:
    if prop.text:
        found.urls.append(prop.text)


def _keep_as(heading: Callable[[], str]) -> Callable[[_Found, Property, str], None]:
    def keep(found: _Found, prop: Property, label: str) -> None:
        if prop.text:
            found.kept.append((heading(), prop.text))

    return keep


_READERS: dict[str, Callable[[_Found, Property, str], None]] = {
    "FN": _read_fn,
    "N": _read_n,
    "ORG": _read_org,
    "TITLE": _read_title,
    "NOTE": _read_note,
    "LANG": _read_lang,
    "KIND": _read_kind,
    "X-ABSHOWAS": _read_kind,
    "EMAIL": _read_email,
    "TEL": _read_tel,
    "ADR": _read_adr,
    "URL": _read_url,
    "ROLE": _keep_as(lambda: _("Role")),
    "BDAY": _keep_as(lambda: _("Birthday")),
    "ANNIVERSARY": _keep_as(lambda: _("Anniversary")),
    "NICKNAME": _keep_as(lambda: _("Nickname")),
    "CATEGORIES": _keep_as(lambda: _("Categories")),
    "IMPP": _keep_as(lambda: _("Instant messaging")),
    "X-SOCIALPROFILE": _keep_as(lambda: _("Social profile")),
}
# X- properties that are bookkeeping, not something a user wrote about the contact.
_NOISE = {
    "X-ABLABEL",
    "X-ABUID",
    "X-ABADR",
    "X-ABDATE",
    "X-ABRELATEDNAMES",
    "X-IMAGETYPE",
    "X-IMAGEHASH",
    "X-SHAREDPHOTODISPLAYPREF",
    "X-ANDROID-CUSTOM",
    "X-PHONETIC-FIRST-NAME",
    "X-PHONETIC-MIDDLE-NAME",
    "X-PHONETIC-LAST-NAME",
    "X-PHONETIC-ORG",
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS",
    "X-MS-OL-DESIGN",
    "X-MS-CARDPICTURE",
    "X-MS-TEL",
    "X-EVOLUTION-FILE-AS",
    "X-MOZILLA-HTML",
}
