"""A team's people as vCards: 4.0 (RFC 6350) and 3.0 (RFC 2426) for older address books such
as Apple Contacts and Outlook. Written by hand: every value escaped, every line folded at 75
octets without splitting a character, CRLF line ends, UTF-8.

People, their emails and their phones are read as three streams in the order of the person's
id and merged, so the cards cost three queries however many people there are.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from funnel.accounts.models import Team
from funnel.contacts.models import EmailAddress, Person, PhoneNumber

CHUNK = 2000
# Stable UIDs: the same person keeps the same UID from one export to the next.
UID_NAMESPACE = uuid.UUID("5c1c8a55-0b1e-4c0e-9d53-6f1e4a0d2b7e")

EMAIL_TYPES = {
    "4.0": {"work": "work", "personal": "home", "other": ""},
    "3.0": {"work": "INTERNET,WORK", "personal": "INTERNET,HOME", "other": "INTERNET"},
}
PHONE_TYPES = {
    "4.0": {"mobile": "cell", "work": "work,voice", "home": "home,voice", "other": "voice"},
    "3.0": {"mobile": "CELL", "work": "WORK,VOICE", "home": "HOME,VOICE", "other": "VOICE"},
}


def escape(value: str) -> str:
    """A text value: backslash, comma, semicolon and line ends escaped (RFC 6350 §3.4)."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """The line in pieces of at most 75 octets, each after the first starting with a space."""
    if len(line) * 4 <= 75 or len(line.encode()) <= 75:  # most are short: no need to look
        return line + "\r\n"
    pieces: list[bytes] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current)
            current = b""
            limit = 74  # the leading space of a continuation line counts
        current += encoded
    pieces.append(current)
    return "\r\n ".join(piece.decode() for piece in pieces) + "\r\n"


def split_name(name: str) -> tuple[str, str]:
    """(family, given) for the N property, which older address books require: Funnel keeps
    one name, so the last word is taken as the family name; FN keeps the name as written."""
    given, _space, family = name.strip().rpartition(" ")
    return family, given


def card(
    version: str,
    person: tuple[Any, ...],
    emails: list[tuple[str, str]],
    phones: list[tuple[str, str]],
) -> str:
    pk, name, job_title, organisation, language, notes, updated = person
    family, given = split_name(name)
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if version == "4.0":
        lines.append("KIND:individual")
    lines += [f"FN:{escape(name)}", f"N:{escape(family)};{escape(given)};;;"]
    if organisation:
        lines.append(f"ORG:{escape(organisation)}")
    if job_title:
        lines.append(f"TITLE:{escape(job_title)}")
    for kind, address in emails:
        lines.append(with_type(version, "EMAIL", EMAIL_TYPES[version][kind], escape(address)))
    # 4.0 takes a telephone number as a URI unless told it is text, as Funnel keeps it.
    tel = "TEL;VALUE=text" if version == "4.0" else "TEL"
    for kind, number in phones:
        lines.append(with_type(version, tel, PHONE_TYPES[version][kind], escape(number)))
    if language and version == "4.0":
        lines.append(f"LANG:{escape(language)}")
    if notes:
        lines.append(f"NOTE:{escape(notes)}")
    uid = uuid.uuid5(UID_NAMESPACE, f"person-{pk}")
    lines.append(f"UID:urn:uuid:{uid}" if version == "4.0" else f"UID:{uid}")
    lines.append(f"REV:{timestamp(updated)}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def with_type(version: str, name: str, types: str, value: str) -> str:
    if not types:
        return f"{name}:{value}"
    # 4.0 quotes a list of types (RFC 6350's examples); 3.0 readers expect it bare.
    quoted = f'"{types}"' if "," in types and version == "4.0" else types
    return f"{name};TYPE={quoted}:{value}"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vcards(team: Team, version: str) -> Iterator[str]:
    """One card per person of the team, in the order of their ids."""
    people = (
        Person.objects.filter(team=team)
        .order_by("pk")
        .values_list(
            "pk", "name", "job_title", "organisation__name", "language", "notes", "updated"
        )
        .iterator(chunk_size=CHUNK)
    )
    emails = grouped(
        EmailAddress.objects.filter(person__team=team)
        .order_by("person", "pk")
        .values_list("person", "kind", "address")
        .iterator(chunk_size=CHUNK)
    )
    phones = grouped(
        PhoneNumber.objects.filter(person__team=team)
        .order_by("person", "pk")
        .values_list("person", "kind", "number")
        .iterator(chunk_size=CHUNK)
    )
    next_emails, next_phones = next(emails, None), next(phones, None)
    for person in people:
        pk = person[0]
        # Both streams are sorted by person: skip what belongs to earlier ids (none should).
        while next_emails is not None and next_emails[0] < pk:
            next_emails = next(emails, None)
        while next_phones is not None and next_phones[0] < pk:
            next_phones = next(phones, None)
        own_emails: list[tuple[str, str]] = []
        if next_emails is not None and next_emails[0] == pk:
            own_emails, next_emails = next_emails[1], next(emails, None)
        own_phones: list[tuple[str, str]] = []
        if next_phones is not None and next_phones[0] == pk:
            own_phones, next_phones = next_phones[1], next(phones, None)
        yield card(version, person, own_emails, own_phones)


def grouped(rows: Iterator[tuple[int, str, str]]) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """(person, [(kind, value), ...]) from rows sorted by person."""
    current: int | None = None
    values: list[tuple[str, str]] = []
    for person, kind, value in rows:
        if person != current:
            if current is not None:
                yield current, values
            current, values = person, []
        values.append((kind, value))
    if current is not None:
        yield current, values
