"""What an import matches rows on, kept in a scratch SQLite file rather than in memory.

A million-row file would need hundreds of megabytes of Python dictionaries to remember every
email, phone and name it has seen; a temporary SQLite table holds them on disk at a few
microseconds a lookup, and the lookups go a chunk of rows at a time.

Keys (docs/transfer.md, "Duplicates"):
- a person: each email address, then each phone (E.164), then name and organisation;
- an organisation: its web domain, then its name;
- a deal: its title and its customer.
"""

import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

from funnel.transfer.records import Incoming
from funnel.transfer.values import fold, phone_key, web_domain

Kind = Literal["email", "phone", "person", "domain", "organisation", "deal"]
# A key seen earlier in the file but not written (a dry run): matched, with no id to show.
IN_THIS_FILE = 0


def person_key(name: str, organisation: str) -> str:
    return f"{fold(name)}\x1f{fold(organisation)}"


def deal_key(title: str, customer: str) -> str:
    return f"{fold(title)}\x1f{customer}"


def customer_key(organisation: str | None, person: str | None) -> str:
    if organisation:
        return "o:" + fold(organisation)
    return "p:" + fold(person or "")


@dataclass(slots=True)
class RowKeys:
    """Everything a row is matched by, worked out once (on the reading core, for a big file)."""

    domain: str
    organisation: str
    emails: list[str]
    phones: list[str]
    person: str
    deal: str


def keys_of(row: Incoming, region: str) -> RowKeys:
    organisation, person, deal = row.organisation, row.person, row.deal
    domain = web_domain(organisation.website) if organisation else ""
    org_name = organisation.name if organisation else ""
    person_name = person.name if person else ""
    title = (deal.title if deal else "") or org_name or person_name
    return RowKeys(
        domain=domain,
        organisation=fold(org_name.strip() or domain) if organisation else "",
        emails=[address.casefold() for _kind, address in person.emails] if person else [],
        phones=[phone_key(n, region) or n for _kind, n in person.phones] if person else [],
        person=person_key(person_name, org_name) if person else "",
        deal=deal_key(title, customer_key(org_name, person_name)) if deal else "",
    )


class KeyIndex:
    """kind + key → the id of the record it belongs to (IN_THIS_FILE when not written)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="funnel-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.sqlite3")
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE keys (kind TEXT, key TEXT, id INTEGER, PRIMARY KEY (kind, key))
                WITHOUT ROWID;
            """
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def add(self, kind: Kind, pairs: Iterable[tuple[str, int]]) -> None:
        """Remember these keys; a key already known keeps its first record."""
        self._db.executemany(
            "INSERT OR IGNORE INTO keys VALUES (?, ?, ?)",
            ((kind, key, id_) for key, id_ in pairs if key),
        )

    def find(self, kind: Kind, keys: Iterable[str]) -> dict[str, int]:
        wanted = list({key for key in keys if key})
        found: dict[str, int] = {}
        # SQLite allows at most 32,766 variables in a statement.
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            marks = ",".join("?" * len(part))
            found.update(
                self._db.execute(
                    f"SELECT key, id FROM keys WHERE kind = ? AND key IN ({marks})",
                    [kind, *part],
                )
            )
        return found
