"""Everything a team owns, as one zip: a CSV file per kind of record (docs/export.md), the same
records in `funnel.json` (what a restore reads: values exactly as stored), and the people as
vCards 4.0 and 3.0.

Rows are read in chunks and written as they come, so memory stays flat however large the team;
`write_export` yields every few hundred rows, which lets the command line move a progress bar
and the download page send what is ready.
"""

import contextlib
import csv
import datetime
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any, Protocol

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from funnel.accounts.models import Team
from funnel.transfer.export_kinds import KINDS, Kind
from funnel.transfer.export_vcards import vcards

FORMAT = "funnel-export"
VERSION = 1
JSON_NAME = "funnel.json"
VCARD_NAMES = {"4.0": "people.vcf", "3.0": "people-vcard3.vcf"}
CHUNK = 2000  # rows fetched at a time
EVERY = 500  # rows between two yields
# A cell starting with one of these is read as a formula by spreadsheets (OWASP, "CSV
# injection"): the CSV files prefix it with an apostrophe, the JSON and vCards keep it as is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def json_value(value: Any) -> Any:
    """A value as funnel.json keeps it: exact, and readable back by restore_export."""
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def csv_cell(value: Any) -> str:
    """A value of funnel.json (json_value) as a CSV cell."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def file_name(user: User) -> str:
    day = timezone.localdate(timezone=user.profile.zone)
    return f"funnel-export-{day:%Y-%m-%d}.zip"


class Writable(Protocol):
    """Where a zip can be written: a file, or a pipe to the browser (not seekable)."""

    def write(self, data: bytes, /) -> int: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def write_export(out: Writable, *, user: User, counts: dict[str, int]) -> Iterator[int]:
    """Write the zip of the user's team to `out` (which need not be seekable), filling `counts`
    with the records of each kind; yield the rows written since the last yield."""
    team = user.profile.team
    with (
        read_snapshot(),
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.SpooledTemporaryFile(max_size=8 << 20) as records,
    ):
        for position, kind in enumerate(KINDS):
            records.write(b"," if position else b"")
            records.write(json.dumps(kind.name).encode() + b": [")
            counts[kind.name] = 0
            with archive.open(member(f"{kind.name}.csv"), "w") as entry:
                for done in write_kind(kind, team, entry, records):
                    counts[kind.name] += done
                    yield done
            records.write(b"\n]")
        for version, name in VCARD_NAMES.items():
            with archive.open(member(name), "w") as entry:
                yield from write_vcards(team, version, entry)
        with archive.open(member(JSON_NAME), "w") as entry:
            head = {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": timezone.now().isoformat(),
                "exported_by": user.pk,
                "team": team.pk,
                "counts": counts,
            }
            # The head without its closing "\n}", then the records kept aside meanwhile.
            entry.write(json.dumps(head, indent=1)[:-2].encode() + b',\n "records": {')
            records.seek(0)
            while chunk := records.read(1 << 20):
                entry.write(chunk)
                yield 0
            entry.write(b"}\n}\n")


def member(name: str) -> zipfile.ZipInfo:
    """A file of the zip, dated now (zipfile would date it 1980)."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # unzipped, readable by its owner only: private data
    return info


def write_kind(kind: Kind, team: Team, entry: IO[bytes], records: IO[bytes]) -> Iterator[int]:
    """The kind's CSV file into `entry`, its records (JSON) onto `records`."""
    text = io.TextIOWrapper(entry, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(kind.columns)
    rows = kind.rows(team).order_by("pk").values_list(*kind.attnames()).iterator(CHUNK)
    done = 0
    for row in rows:
        values = [json_value(value) for value in row]
        writer.writerow([csv_cell(value) for value in values])
        record = dict(zip(kind.columns, values, strict=True))
        separator = b"\n" if not done else b",\n"
        records.write(separator + json.dumps(record, ensure_ascii=False).encode())
        done += 1
        if done % EVERY == 0:
            yield EVERY
    if done % EVERY:
        yield done % EVERY
    text.flush()
    text.detach()  # the archive closes the entry


def write_vcards(team: Team, version: str, entry: IO[bytes]) -> Iterator[int]:
    for count, card in enumerate(vcards(team, version), start=1):
        entry.write(card.encode())
        if count % EVERY == 0:
            yield 0


@contextlib.contextmanager
def read_snapshot() -> Iterator[None]:
    """Read every kind from one snapshot of the database, so a record created while the export
    runs can't point at one that isn't in it. A read-only transaction by hand: Django's own
    takes SQLite's write lock (transaction_mode IMMEDIATE) and would stop every save in the
    meantime. Inside a transaction already (tests), that one is the snapshot."""
    if not connection.get_autocommit():
        yield
        return
    begin = {
        "sqlite": "BEGIN DEFERRED",
        "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    }.get(connection.vendor)
    if begin is None:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(begin)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


class Pipe(io.RawIOBase):
    """Where a streamed zip is written: `take()` hands over what was written since."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def export_chunks(user: User) -> Iterator[bytes]:
    """The zip in pieces, for a streamed download."""
    pipe = Pipe()
    counts: dict[str, int] = {}
    for _rows in write_export(pipe, user=user, counts=counts):
        if data := pipe.take():
            yield data
    if data := pipe.take():
        yield data
