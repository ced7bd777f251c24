"""CSV and TSV files: the delimiter sniffed from the first lines, records streamed with the line
each starts on (a quoted note may span several lines)."""

import csv
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _

from funnel.transfer.errors import TransferError
from funnel.transfer.reading_encoding import detect_encoding
from funnel.transfer.reading_lines import decoded_lines, number
from funnel.transfer.reading_table import (
    Record,
    Table,
    data_rows,
    first_records,
    header_of,
    is_blank,
)

DELIMITERS = [",", ";", "\t", "|"]
SNIFF_LINES = 60
SNIFF_RECORDS = 30


def open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with closing(decoded_lines(path, encoding)) as lines:
        delimiter = sniff_delimiter(list(islice(lines, SNIFF_LINES)))
    with closing(records(path, encoding, delimiter)) as head_records:
        head = first_records(head_records)
    header_line, headers = header_of(head)
    rows = data_rows(records(path, encoding, delimiter), header_line, len(headers))
    return Table(headers, header_line, encoding, delimiter, rows)


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter whose records of one width (more than one cell) cover the most lines; a
    comma when none splits anything. Lines, not records: with the wrong delimiter a quoted
    note spanning lines falls apart into several short records, and a header seldom holds the
    wrong delimiter, so its width stands out."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        lines_by_width: Counter[int] = Counter()
        for columns, span in _spans(lines, delimiter):
            if columns > 1:
                lines_by_width[columns] += span
        if lines_by_width:
            columns, covered = max(lines_by_width.items(), key=lambda item: (item[1], item[0]))
            if (covered, columns) > best_score:
                best, best_score = delimiter, (covered, columns)
    return best


def _spans(lines: list[str], delimiter: str) -> Iterator[tuple[int, int]]:
    """Each sampled record's width and how many lines it spans."""
    reader = csv.reader(lines, delimiter=delimiter)
    start = 0
    try:
        for cells in islice(reader, SNIFF_RECORDS):
            if not is_blank(cells):
                yield len(cells), reader.line_num - start
            start = reader.line_num
    except csv.Error:
        return  # the last sampled record may be cut short; what was read is enough


def records(path: Path, encoding: str, delimiter: str) -> Generator[Record, None, None]:
    """Every record with the line it starts on, blank ones included."""
    reader = csv.reader(decoded_lines(path, encoding), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise _unreadable(str(error), start) from None


def _unreadable(error: str, line: int) -> TransferError:
    if "field limit" in error:
        message = _(
            "Line %(line)s has a cell longer than %(limit)s characters, or a quote that is "
            "never closed."
        ) % {"line": number(line), "limit": number(csv.field_size_limit())}
    elif "end of data" in error:
        message = _("Line %(line)s opens a quoted cell that is never closed.") % {
            "line": number(line)
        }
    elif "expected after" in error:
        message = _(
            'Line %(line)s has a quote (") in the wrong place: in a quoted cell, a quote is '
            "written twice."
        ) % {"line": number(line)}
    else:
        message = _("Line %(line)s can't be read as CSV.") % {"line": number(line)}
    return TransferError(message, line=line)
