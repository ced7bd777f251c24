"""What CSV and Excel files have in common once read into records: finding the header among the
first rows, naming its columns, and giving every row the header's width."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.utils.translation import gettext as _

from funnel.transfer.errors import TransferError

# The header is looked for among the first records, and judged against the records that follow.
HEADER_SEARCH = 20
LOOKAHEAD = 40
# A header cell is a short name, not a number, an address or a paragraph of notes.
_NUMBER_LIKE = re.compile(r"[\d\s.,:;/+\-()%€$£#]+")
_LONGEST_NAME = 100

Record = tuple[int, list[str]]


@dataclass
class Table:
    headers: list[str]  # stripped; empty ones named "Column 7"; duplicates made unique
    header_line: int  # 1-based line of the header in the file (the row number in a sheet)
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252"...; "xlsx" for Excel
    delimiter: str  # ",", ";", "\t" or "|"; "" for Excel
    # (line where the record starts, cells), streamed; as wide as the headers or wider
    rows: Iterator[Record]


def is_blank(cells: list[str]) -> bool:
    return not any(map(str.strip, cells))


def width(cells: list[str]) -> int:
    """How many cells count: empty cells at the end don't (a sheet pads its rows with them)."""
    for position in range(len(cells), 0, -1):
        if cells[position - 1].strip():
            return position
    return 0


def non_blank(records: Iterable[Record]) -> Iterator[Record]:
    return (record for record in records if not is_blank(record[1]))


def first_records(records: Iterable[Record]) -> list[Record]:
    """The records the header is chosen from: one more than looked at, to know if rows follow."""
    return list(islice(non_blank(records), LOOKAHEAD + 1))


def header_of(head: list[Record]) -> tuple[int, list[str]]:
    """The header's line and its column names, from the file's first non-blank records.

    Exports put notes above the header (LinkedIn's paragraph on hidden email addresses) and
    people put a title above theirs, so the header is the record with the most names in it.
    Records above it must look like titles or notes, not like rows of the same table: in a file
    without a header, the first record is taken, so that no row is silently dropped.
    """
    if not head:
        raise TransferError(_("The file is empty."))
    candidates = head[:HEADER_SEARCH]
    scores = [_name_count(cells) for _line, cells in candidates]
    best = max(range(len(candidates)), key=lambda index: (scores[index], -index))
    header_width = width(candidates[best][1])
    if any(width(cells) * 2 > header_width for _line, cells in candidates[:best]):
        best = 0
    if best == len(head) - 1:
        raise TransferError(_("The file has a header but no rows: there is nothing to import."))
    line, cells = head[best]
    return line, column_names(cells)


def _name_count(cells: list[str]) -> int:
    names = {cell.strip().casefold() for cell in cells}
    return sum(_is_name(name) for name in names)


def _is_name(text: str) -> bool:
    return (
        0 < len(text) <= _LONGEST_NAME
        and "@" not in text
        and not text.startswith(("http://", "https://", "www."))
        and not _NUMBER_LIKE.fullmatch(text)
    )


def column_names(cells: list[str]) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    for position, cell in enumerate(cells[: width(cells)], start=1):
        # Whitespace runs (a line break typed in an Excel header) become one space.
        name = " ".join(cell.split()) or _("Column %(number)s") % {"number": position}
        unique, copy = name, 2
        while unique.casefold() in taken:
            unique, copy = f"{name} ({copy})", copy + 1
        taken.add(unique.casefold())
        names.append(unique)
    return names


def fit(cells: list[str], columns: int) -> list[str]:
    """The row padded to the header's width; cells beyond it are kept if they hold anything."""
    if len(cells) == columns:
        return cells
    if len(cells) < columns:
        return cells + [""] * (columns - len(cells))
    return cells[: max(columns, width(cells))]


def data_rows(records: Iterable[Record], header_line: int, columns: int) -> Iterator[Record]:
    for line, cells in records:
        if line > header_line and any(map(str.strip, cells)):
            yield line, fit(cells, columns)
