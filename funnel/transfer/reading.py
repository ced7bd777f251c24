"""Reading an import file: what kind of file it is (from its content, not its name), and its
table of rows, streamed, for CSV/TSV and Excel. vCard files are read card by card (`vcards`).

Every file Funnel won't take raises TransferError with a message for the user; nothing here
writes anything.
"""

import zipfile
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from funnel.transfer.errors import TransferError
from funnel.transfer.reading_csv import open_csv
from funnel.transfer.reading_encoding import (
    bom_encoding,
    decoded,
    detect_encoding,
    utf16_without_bom,
)
from funnel.transfer.reading_lines import decoded_lines
from funnel.transfer.reading_table import Table
from funnel.transfer.reading_xlsx import count_sheet_rows, open_xlsx

__all__ = ["FileKind", "Table", "count_rows", "file_kind", "open_table"]

HEAD_BYTES = 64 * 1024
FORMATS = gettext_noop("Funnel reads CSV, Excel (.xlsx) and vCard (.vcf) files.")
# Bytes that plain text never has (tab, line feed, form feed and carriage return aside).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32)])
_TEXT_BYTES = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
_CONTROL_CHARACTERS = set(_CONTROL_BYTES.decode("ascii"))


class FileKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    VCARD = "vcard"
    ZIP = "zip"  # a zip that is not a workbook: a Funnel export


def file_kind(path: Path) -> FileKind:
    """What the file is, from its first bytes; TransferError for anything Funnel can't read."""
    head = _head(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    _refuse_known_formats(head)
    encoding = bom_encoding(head) or utf16_without_bom(head)
    if encoding:
        text = decoded(head[:4096], encoding, complete=len(head) < 4096) or ""
        start = text.lstrip("\ufeff \t\r\n")
        controls = sum(character in _CONTROL_CHARACTERS for character in text)
        binary = controls > max(8, len(text) // 100)
    else:
        binary = len(head.translate(None, _TEXT_BYTES)) > max(8, len(head) // 100)
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip().decode("ascii", errors="replace")
    if binary:
        not_text = _("This file is not text, nor an Excel or vCard file. ")
        raise TransferError(not_text + _(FORMATS))
    if not start.strip():
        raise TransferError(_("The file is empty."))
    if start[:11].upper() == "BEGIN:VCARD":
        return FileKind.VCARD
    if start.lower().startswith(("<!doctype html", "<html")):
        raise _not_a_table(_("a web page (HTML)"))
    return FileKind.CSV


def open_table(path: Path) -> Table:
    """The file's header and streamed rows, for a CSV/TSV or an .xlsx file."""
    kind = file_kind(path)
    if kind is FileKind.CSV:
        return open_csv(path)
    if kind is FileKind.XLSX:
        return open_xlsx(path)
    if kind is FileKind.VCARD:
        raise TransferError(_("This is a vCard file: it holds contact cards, not a table."))
    raise TransferError(
        _(
            "This is a zip archive, not a table of contacts: a Funnel export is restored, not "
            "imported. "
        )
        + _(FORMATS)
    )


def count_rows(path: Path) -> int | None:
    """About how many rows (or cards) the file holds, for a progress bar: counted from line
    breaks, so a note spanning lines counts more than once. None when it can't be told."""
    try:
        kind = file_kind(path)
        if kind is FileKind.CSV:
            return _count_lines(path)
        if kind is FileKind.VCARD:
            return _count_cards(path)
        if kind is FileKind.XLSX:
            return count_sheet_rows(path)
    except TransferError:
        pass
    return None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(HEAD_BYTES)
    except FileNotFoundError:
        raise TransferError(_("There is no file at %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise TransferError(_("%(path)s is a folder, not a file.") % {"path": path}) from None
    except OSError as error:
        raise TransferError(
            _("The file can't be read: %(reason)s.") % {"reason": error.strerror}
        ) from None


def _zip_kind(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            message = _(
                "This Excel file can't be opened: it is damaged or is not really an .xlsx file."
            )
        else:
            message = _("This zip archive is damaged: it can't be opened.")
        raise TransferError(message) from None
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return FileKind.XLSX
    return FileKind.ZIP


# First bytes of files people pick by mistake, and what to call them.
_SIGNATURES = [
    (b"%PDF", gettext_noop("a PDF document")),
    (b"\x89PNG", gettext_noop("an image (PNG)")),
    (b"\xff\xd8\xff", gettext_noop("an image (JPEG)")),
    (b"GIF8", gettext_noop("an image (GIF)")),
    (b"\x1f\x8b", gettext_noop("a compressed file (gzip)")),
    (b"Rar!", gettext_noop("a compressed file (RAR)")),
    (b"7z\xbc\xaf", gettext_noop("a compressed file (7-Zip)")),
]


def _refuse_known_formats(head: bytes) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # The old Office format, which is also what Excel writes for a password-protected .xlsx.
        raise TransferError(
            _(
                "This is an old Excel workbook (.xls), a workbook protected by a password, or "
                "another Office document. Open it in Excel or LibreOffice and save it as .xlsx "
                "(without a password) or CSV."
            )
        )
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise _not_a_table(_(what))


def _not_a_table(what: str) -> TransferError:
    return TransferError(
        _("This file is %(what)s, not a table of contacts. ") % {"what": what} + _(FORMATS)
    )


def _count_lines(path: Path) -> int:
    newline = b"\n"
    with path.open("rb") as file:
        head = file.read(4)
        if bom_encoding(head) in ("utf-16", "utf-32"):
            newline = b"\n\x00" if head.startswith(b"\xff\xfe") else b"\x00\n"
        file.seek(0)
        count, last = 0, b""
        while chunk := file.read(1024 * 1024):
            count += chunk.count(newline)
            last = chunk
    if count == 0:  # one line, or carriage returns alone (old Excel for Mac)
        with path.open("rb") as file:
            count = sum(chunk.count(b"\r") for chunk in iter(lambda: file.read(1 << 20), b""))
    lines = count + (0 if last.endswith((b"\n", b"\n\x00", b"\r")) else 1)
    return max(lines - 1, 0)


def _count_cards(path: Path) -> int:
    encoding = detect_encoding(path)
    if encoding.startswith(("utf-16", "utf-32")):
        lines = decoded_lines(path, encoding)
        return sum(line.lstrip().upper().startswith("BEGIN:VCARD") for line in lines)
    with path.open("rb") as file:
        return sum(line.lstrip().upper().startswith(b"BEGIN:VCARD") for line in file)
