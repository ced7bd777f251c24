"""Excel workbooks (.xlsx), streamed with openpyxl's read-only mode: the first sheet that holds
anything, formulas as the values Excel last computed, every cell as text."""

import datetime
import math
import weakref
from collections.abc import Generator, Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import openpyxl
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from funnel.transfer.errors import TransferError
from funnel.transfer.reading_table import Record, Table, data_rows, first_records, header_of

# Beyond this, a float that holds a whole number is written with Decimal, not int(), so that
# 1e20 doesn't print as 100000000000000000000.0 nor lose digits it never had.
_EXACT_INTEGERS = 2**53


def open_xlsx(path: Path) -> Table:
    workbook = _load(path)
    try:
        sheet, head = _first_sheet_with_data(workbook)
        header_line, headers = header_of(head)
    except BaseException:
        workbook.close()
        raise
    rows = data_rows(sheet_records(sheet), header_line, len(headers))
    # The workbook keeps the file open while its rows are read; close it when they are dropped,
    # whether or not they were read to the end.
    weakref.finalize(rows, workbook.close)
    return Table(headers, header_line, "xlsx", "", rows)


def count_sheet_rows(path: Path) -> int | None:
    """The rows the sheet says it has, below its first row with data: read from the sheet's
    declared size, not counted (that would take as long as reading them)."""
    workbook = _load(path)
    try:
        for sheet in workbook.worksheets:
            assert isinstance(sheet, ReadOnlyWorksheet)
            declared = sheet.max_row
            with closing(sheet_records(sheet)) as records:
                head = first_records(records)
            if head:
                return None if declared is None else max(declared - head[0][0], 0)
        return None
    finally:
        workbook.close()


def _load(path: Path) -> Workbook:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        # openpyxl lets through whatever its zip and XML readers raise on a damaged file
        # (KeyError, ValueError, BadZipFile, XML syntax errors...): all mean the same to a user.
        raise TransferError(_damaged()) from None


def _damaged() -> str:
    return _("This Excel file can't be opened: it is damaged or is not really an .xlsx file.")


def _first_sheet_with_data(workbook: Workbook) -> tuple[ReadOnlyWorksheet, list[Record]]:
    """The sheet, and its first records (for the header)."""
    for sheet in workbook.worksheets:
        assert isinstance(sheet, ReadOnlyWorksheet)
        with closing(sheet_records(sheet)) as records:
            head = first_records(records)
        if head:
            return sheet, head
    raise TransferError(_("The workbook has no data in any of its sheets."))


def sheet_records(sheet: ReadOnlyWorksheet) -> Generator[Record, None, None]:
    """Every row with its number. The sheet's declared size is not trusted: a row formatted to
    the last column would make every row 16,384 cells wide."""
    sheet.reset_dimensions()
    row_number = 0
    try:
        # The stubs give iter_rows to Worksheet only; read-only sheets borrow the same method.
        rows: Iterator[tuple[object, ...]] = cast(Any, sheet).iter_rows(values_only=True)
        for row_number, values in enumerate(rows, start=1):
            yield row_number, [cell_text(value) for value in values]
    except TransferError:
        raise
    except Exception:
        # As in _load: a broken cell or XML part, found only now that the sheet is read.
        raise TransferError(
            _("Row %(row)s of the sheet “%(sheet)s” can't be read: the file is damaged.")
            % {"row": number_format(row_number + 1, force_grouping=True), "sheet": sheet.title},
            line=row_number + 1,
        ) from None


def cell_text(value: object) -> str:
    """A cell as text: dates in ISO 8601, numbers without float noise (1234.5, not
    1234.5000000001; 42, not 42.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        value = _to_the_second(value)
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        moment = _to_the_second(datetime.datetime.combine(datetime.date(2000, 1, 1), value))
        return moment.time().isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _plain_number(value)
    return str(value)


def _to_the_second(moment: datetime.datetime) -> datetime.datetime:
    # Excel keeps times as fractions of a day: 10:00 comes back as 09:59:59.999999.
    if not moment.microsecond:
        return moment
    try:
        rounded = moment + datetime.timedelta(microseconds=500_000)
    except OverflowError:  # a moment in the last second of year 9999
        rounded = moment
    return rounded.replace(microsecond=0)


def _plain_number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return str(int(value))
    # 15 significant digits is what Excel shows and keeps; the rest is binary noise.
    return format(Decimal(format(value, ".15g")), "f")
