"""Files Funnel won't import: each is refused quickly, with a message that says what is wrong
(and on which line), never with a traceback."""

import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from funnel.transfer.errors import TransferError
from funnel.transfer.reading import FileKind, file_kind, open_table
from funnel.transfer.reading_lines import LINE_LIMIT

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refusal(path: Path) -> TransferError:
    """The error reading the whole file raises (some only show up row by row)."""
    with pytest.raises(TransferError) as raised:
        list(open_table(path).rows)
    return raised.value


@pytest.mark.parametrize(
    ("content", "named"),
    [(PNG, "an image (PNG)"), (PDF, "a PDF document"), (b"GIF89a\x01\x00", "an image (GIF)")],
)
def test_a_file_of_another_kind_renamed_csv_is_named_for_what_it_is(
    tmp_path: Path, content: bytes, named: str
) -> None:
    error = refusal(write(tmp_path, "contacts.csv", content))

    assert f"This file is {named}, not a table of contacts." in error.message
    assert "CSV, Excel (.xlsx) and vCard" in error.message


def test_an_old_excel_file_asks_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    error = refusal(
        write(tmp_path, "contacts.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    )

    assert "old Excel workbook (.xls)" in error.message
    assert "save it as .xlsx" in error.message


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe\r\x00\n\x00"])
def test_an_empty_file(tmp_path: Path, content: bytes) -> None:
    assert refusal(write(tmp_path, "empty.csv", content)).message == "The file is empty."


@pytest.mark.parametrize("content", [b"Name,Email\r\n", b"Name,Email\r\n,\r\n\r\n"])
def test_a_header_with_no_rows(tmp_path: Path, content: bytes) -> None:
    error = refusal(write(tmp_path, "header.csv", content))

    assert "has a header but no rows" in error.message


def test_fifty_megabytes_of_random_bytes_are_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "random.csv"
    with path.open("wb") as file:
        for _chunk in range(50):
            file.write(os.urandom(1024 * 1024))

    started = time.perf_counter()
    error = refusal(path)

    assert time.perf_counter() - started < 0.5
    assert "not text" in error.message


def test_binary_data_that_looks_like_utf16_is_not_text(tmp_path: Path) -> None:
    """Zero bytes in every other place, like UTF-16, but control characters in between."""
    noise = os.urandom(8192)
    content = bytes(noise[i] % 32 if i % 2 == 0 else 0 for i in range(len(noise)))

    assert "not text" in refusal(write(tmp_path, "data.csv", content)).message


def test_a_utf8_file_with_a_latin1_line_names_the_line(tmp_path: Path) -> None:
    rows = "".join(f"Jürgen {number},Köln\n" for number in range(5002))
    content = ("Name,City\n" + rows).encode() + "Renée,Genève\n".encode("latin-1")
    path = write(tmp_path, "mixed.csv", content + "Zoë,Paris\n".encode())

    error = refusal(path)

    assert error.line == 5004
    assert error.message.startswith("Line 5,004 is not in the file's encoding (UTF-8)")


def test_a_windows_1252_file_with_a_utf8_line_names_the_line(tmp_path: Path) -> None:
    content = "Name;City\r\nJürgen;Köln\r\n".encode("cp1252") + "Zoë;Paris\r\n".encode()

    error = refusal(write(tmp_path, "mixed.csv", content))

    assert error.line == 3
    assert error.message.startswith("Line 3 is in UTF-8, but the lines before it are in Windows")


def test_a_ten_thousand_character_cell_is_read_whole(tmp_path: Path) -> None:
    note = "é" * 10_000
    path = write(tmp_path, "long.csv", f'Name,Notes\nAnna,"{note}"\nBen,short\n'.encode())

    rows = list(open_table(path).rows)

    assert rows == [(2, ["Anna", note]), (3, ["Ben", "short"])]


def test_a_nul_byte_in_a_csv_stops_the_reading_at_its_line(tmp_path: Path) -> None:
    """NUL is refused rather than passed on: it is never part of a contact, it means the file
    is damaged, and PostgreSQL can't store it."""
    path = write(tmp_path, "nul.csv", b"Name,Email\nAnna,a@x.example\nB\x00en,b@x.example\n")

    error = refusal(path)

    assert error.line == 3
    assert error.message.startswith("Line 3 contains a zero byte (NUL)")


def test_a_nul_byte_in_a_utf16_file_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.txt", "Name\tEmail\r\nAn\x00na\ta@x.example\r\n".encode("utf-16"))

    assert refusal(path).line == 2


def test_a_quote_never_closed_names_the_line_it_opens(tmp_path: Path) -> None:
    path = write(tmp_path, "quote.csv", b'Name,Notes\nAnna,fine\nBen,"never closed\nCarl,x\n')

    error = refusal(path)

    assert (error.line, error.message) == (3, "Line 3 opens a quoted cell that is never closed.")


def test_a_quote_in_the_wrong_place_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "quote.csv", b'Name,Notes\nAnna,"said "hi" twice"\n')

    error = refusal(path)

    assert error.line == 2
    assert "quote" in error.message


def test_a_line_longer_than_any_contact_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", b"Name\n" + b"x" * (LINE_LIMIT + 10) + b"\n")

    error = refusal(path)

    assert error.line == 2
    assert "longer than" in error.message


def test_a_corrupt_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    content = good.read_bytes()

    cut_short = refusal(write(tmp_path, "cut.xlsx", content[: len(content) // 2]))

    assert "This Excel file can't be opened" in cut_short.message


def test_an_xlsx_whose_sheet_is_not_xml(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r="
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)

    error = refusal(path)

    assert "damaged" in error.message


def test_a_workbook_with_nothing_in_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)

    assert "no data" in refusal(path).message


def test_a_zip_that_is_not_a_workbook_is_a_zip_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("people.csv", "Name\nAnna\n")

    assert file_kind(path) is FileKind.ZIP
    assert "zip archive" in refusal(path).message


def test_a_damaged_zip(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "export.zip", b"PK\x03\x04" + os.urandom(200)))

    assert "damaged" in error.message


def test_a_web_page_saved_as_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", b"<!DOCTYPE html>\n<html><body>Sign in</body></html>\n")

    assert "web page" in refusal(path).message


def test_a_vcard_is_not_opened_as_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n")

    assert file_kind(path) is FileKind.VCARD
    assert "vCard" in refusal(path).message


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    assert "There is no file" in refusal(tmp_path / "nowhere.csv").message
    assert "is a folder" in refusal(tmp_path).message
