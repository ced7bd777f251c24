"""A file to import, whatever its kind: its tool, its columns and how they map, and its rows as
`Incoming` (read afresh each time: the preview reads the file, then the import reads it again,
so neither holds it in memory)."""

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.core import get_global
from django.utils.translation import gettext as _

from funnel.accounts.models import Profile, Team
from funnel.transfer.errors import TransferError
from funnel.transfer.models import SavedMapping
from funnel.transfer.reading import FileKind, count_rows, file_kind, open_table
from funnel.transfer.records import TARGETS, Incoming
from funnel.transfer.rows import RowReader
from funnel.transfer.tools import headers_key, recognise
from funnel.transfer.vcards import read_cards

# Rows read before the rest to learn each date column's format (day or month first).
SAMPLE_ROWS = 500


@dataclass
class Source:
    path: Path
    kind: FileKind
    tool: str
    region: str
    headers: list[str] = field(default_factory=list)
    header_line: int = 0
    # What Funnel recognised, and what will be used (with the user's corrections).
    suggested: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    day_first: bool | None = None
    remembered: bool = False  # the columns come from an earlier file with the same headers

    @functools.cached_property
    def expected_rows(self) -> int | None:
        """About how many rows, counted once (for the progress bar, and to choose whether a
        second core reads the file)."""
        return count_rows(self.path)

    @property
    def headers_key(self) -> str:
        return headers_key(self.headers) if self.headers else ""

    def rows(self) -> Iterator[Incoming]:
        if self.kind == FileKind.VCARD:
            yield from read_cards(self.path)
            return
        table = open_table(self.path)
        sample = list(itertools.islice(table.rows, SAMPLE_ROWS))
        reader = RowReader(
            table.headers,
            self.columns,
            region=self.region,
            day_first=self.day_first,
            sample=[cells for _line, cells in sample],
        )
        for line, cells in itertools.chain(sample, table.rows):
            yield reader.read(line, cells)


def region_of(profile: Profile) -> str:
    """Where the user's phone numbers without a country code are from: their time zone's
    country (Europe/Rome: IT), else none (then only numbers starting with + are understood)."""
    territory: str | None = get_global("zone_territories").get(profile.time_zone)
    return territory if territory and territory != "001" else ""


def open_source(
    path: Path, *, team: Team, region: str, columns: dict[str, str] | None = None
) -> Source:
    """The file, recognised; `columns` are the user's corrections (header -> target)."""
    kind = file_kind(path)
    if kind == FileKind.ZIP:
        raise TransferError(
            _("This is a zip file: only a Funnel export (.zip) can be imported as a whole.")
        )
    if kind == FileKind.VCARD:
        return Source(path=path, kind=kind, tool=_("vCard"), region=region)
    table = open_table(path)
    recognition = recognise(table.headers)
    source = Source(
        path=path,
        kind=kind,
        tool=recognition.tool,
        region=region,
        headers=table.headers,
        header_line=table.header_line,
        suggested=dict(recognition.columns),
        columns=dict(recognition.columns),
        day_first=recognition.day_first,
    )
    saved = SavedMapping.objects.filter(team=team, headers_key=source.headers_key).first()
    if saved:
        source.columns.update(
            {h: t for h, t in saved.columns.items() if h in table.headers and t in TARGETS}
        )
        source.remembered = True
    if columns:
        unknown = [target for target in columns.values() if target not in TARGETS]
        if unknown:
            raise TransferError(
                _("%(target)s is not a field Funnel knows. Choose one of: %(targets)s.")
                % {"target": unknown[0], "targets": ", ".join(TARGETS)}
            )
        missing = [header for header in columns if header not in table.headers]
        if missing:
            raise TransferError(
                _("The file has no column %(column)s.") % {"column": repr(missing[0])}
            )
        source.columns.update(columns)
    return source
