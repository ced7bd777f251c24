"""Reading import files into tables: the exports of Google, Outlook and LinkedIn, Excel
workbooks, every encoding and delimiter they come in, streamed."""

import csv
import datetime
import io
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from funnel.transfer.reading import FileKind, Table, count_rows, file_kind, open_table

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def rows_of(table: Table) -> list[tuple[int, list[str]]]:
    return list(table.rows)


def cell(table: Table, row: list[str], header: str) -> str:
    return row[table.headers.index(header)]


def write_bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# Google Contacts


def test_google_contacts_export_reads_with_its_headers_and_multiline_cells() -> None:
    table = open_table(FIXTURES / "google_contacts.csv")

    assert (table.encoding, table.delimiter, table.header_line) == ("utf-8", ",", 1)
    assert table.headers[:3] == ["First Name", "Middle Name", "Last Name"]
    assert {"Organization Name", "Labels", "E-mail 1 - Label", "E-mail 1 - Value"} <= set(
        table.headers
    )
    rows = rows_of(table)
    # The first contact's address and notes span lines 2 to 5; the next contact starts on 6.
    assert [line for line, _cells in rows] == [2, 6, 7]
    giulia = rows[0][1]
    assert cell(table, giulia, "Address 1 - Formatted") == "Via Roma 1\n20121 Milano MI\nIT"
    assert cell(table, giulia, "Notes").endswith('40 units, "urgent".')
    assert all(len(cells) == len(table.headers) for _line, cells in rows)


def test_google_labels_and_joined_values_are_passed_on_as_written() -> None:
    table = open_table(FIXTURES / "google_contacts.csv")

    soren = rows_of(table)[1][1]

    assert cell(table, soren, "First Name") == "Søren"
    assert cell(table, soren, "Labels") == "* myContacts ::: Friends ::: Suppliers"
    assert cell(table, soren, "E-mail 1 - Value") == "soren@home.example ::: sk@old.example"


def test_legacy_google_csv_reads_with_group_membership_and_organisation_columns() -> None:
    table = open_table(FIXTURES / "google_legacy.csv")

    assert table.headers[:4] == ["Name", "Given Name", "Additional Name", "Family Name"]
    maria, tom = (cells for _line, cells in rows_of(table))
    assert cell(table, maria, "Organization 1 - Name") == "Garcia y Hijos"
    assert cell(table, maria, "Group Membership") == "* My Contacts ::: Customers"
    assert cell(table, tom, "Notes") == "Prefers calls, not email; call after 5pm"


# Outlook


def test_outlook_english_export_reads_with_every_value_quoted() -> None:
    table = open_table(FIXTURES / "outlook_contacts.csv")

    assert len(table.headers) == 88
    assert "E-mail 2 Address" in table.headers
    john, zoe = (cells for _line, cells in rows_of(table))
    assert cell(table, john, "Company") == "Contoso, Ltd."
    assert cell(table, john, "Notes") == "Renewal due in March.\r\nAsk about the second site."
    assert cell(table, zoe, "First Name") == "Zoë"


def test_outlook_german_export_in_windows_1252_with_semicolons() -> None:
    table = open_table(FIXTURES / "outlook_german.csv")

    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert "E-Mail-Adresse" in table.headers
    assert "Straße geschäftlich" in table.headers
    juergen, aenne = (cells for _line, cells in rows_of(table))
    assert cell(table, juergen, "Nachname") == "Müller"
    assert cell(table, juergen, "Notizen") == "Größere Bestellung; Rückruf im Mai"
    assert cell(table, aenne, "Firma") == "Weiß & Söhne KG"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_in_utf16_with_tabs(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode text" and some Outlook versions: UTF-16 with a byte order mark, tabs."""
    original = open_table(FIXTURES / "outlook_contacts.csv")
    expected = rows_of(original)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerow(original.headers)
    writer.writerows(cells for _line, cells in expected)
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    path = write_bytes(tmp_path, "contacts.txt", bom + buffer.getvalue().encode(encoding))

    table = open_table(path)

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == original.headers
    assert rows_of(table) == expected


def test_utf8_with_a_byte_order_mark_keeps_the_first_header_clean(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "excel.csv", "\ufeffName,City\r\nAnna,Zürich\r\n".encode())

    table = open_table(path)

    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Name", "City"]
    assert rows_of(table) == [(2, ["Anna", "Zürich"])]


def test_windows_1252_is_recognised_when_the_first_accent_comes_late(tmp_path: Path) -> None:
    ascii_rows = "".join(f"Person {n};Town {n}\r\n" for n in range(5000))
    content = ("Name;City\r\n" + ascii_rows + "Jürgen Müller;Köln\r\n").encode("cp1252")
    path = write_bytes(tmp_path, "late.csv", content)

    table = open_table(path)

    assert table.encoding == "cp1252"
    assert rows_of(table)[-1] == (5002, ["Jürgen Müller", "Köln"])


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Prénom;Nom\r\nFrançois;Lefèvre\r\nHélène;Dupré\r\n", "cp1252"),
        ("Imię;Nazwisko\r\nŁukasz;Wałęsa\r\nZofia;Żółć\r\n", "cp1250"),
        ("Имя;Фамилия\r\nИван;Петров\r\nМария;Сидорова\r\n", "cp1251"),  # noqa: RUF001
    ],
)
def test_windows_code_pages_read_back_as_their_letters(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = write_bytes(tmp_path, "contacts.csv", text.encode(encoding))

    table = open_table(path)

    assert table.encoding == encoding
    assert [table.headers, *(cells for _line, cells in table.rows)] == [
        line.split(";") for line in text.strip().split("\r\n")
    ]


# LinkedIn, delimiters, shapes


def test_linkedin_notes_above_the_header_are_skipped() -> None:
    table = open_table(FIXTURES / "linkedin_connections.csv")

    assert table.header_line == 4
    assert table.headers == [
        "First Name",
        "Last Name",
        "URL",
        "Email Address",
        "Company",
        "Position",
        "Connected On",
    ]
    rows = rows_of(table)
    assert [line for line, _cells in rows] == [5, 6, 7]
    assert rows[1][1][5] == "CEO, Founder"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_recognised_despite_the_others_in_quoted_cells(
    tmp_path: Path, delimiter: str
) -> None:
    rows = [
        ["Name", "Company", "Notes"],
        ["Anna", "Rossi, Bianchi & Co; Ltd", "likes | pipes\tand tabs"],
        ["Ben", "Acme", 'said "call me"'],
    ]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = write_bytes(tmp_path, "table.csv", buffer.getvalue().encode())

    table = open_table(path)

    assert table.delimiter == delimiter
    assert [table.headers, *(cells for _line, cells in table.rows)] == rows


def test_headers_are_cleaned_named_and_made_unique(tmp_path: Path) -> None:
    content = b" Name ,Email,,email,Email\nAnna,a@x.example,x,b@x.example,c@x.example\n"
    path = write_bytes(tmp_path, "headers.csv", content)

    assert open_table(path).headers == ["Name", "Email", "Column 3", "email (2)", "Email (3)"]


def test_short_rows_are_padded_long_rows_kept_and_blank_rows_skipped(tmp_path: Path) -> None:
    content = b"Name,Email,Phone\nAnna\n\n , ,\nBen,b@x.example,123,extra\n"
    path = write_bytes(tmp_path, "shapes.csv", content)

    assert rows_of(open_table(path)) == [
        (2, ["Anna", "", ""]),
        (5, ["Ben", "b@x.example", "123", "extra"]),
    ]


def test_a_file_without_a_header_keeps_its_first_row_as_the_header(tmp_path: Path) -> None:
    """No row may vanish: a headerless file shows its first row as headers, for the user to
    see, rather than a later "better-looking" row with the rows above it dropped."""
    lines = ["Anna Rossi,anna@x.example,+39 333 1", "Ben Shaw,ben@x.example,+44 20 2"]
    lines += ["Chiara Neri,Acme Industries,Head of Sales"]
    path = write_bytes(tmp_path, "no_header.csv", "\n".join(lines).encode())

    table = open_table(path)

    assert table.header_line == 1
    assert [line for line, _cells in table.rows] == [2, 3]


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "mac.csv", b"Name,City\rAnna,Rome\rBen,Leeds\r")

    assert rows_of(open_table(path)) == [(2, ["Anna", "Rome"]), (3, ["Ben", "Leeds"])]


# Excel


def save_workbook(workbook: openpyxl.Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


def with_cached_value(path: Path, formula: str, value: str) -> None:
    """Excel stores a formula's last result next to it; openpyxl writes none, so add it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>"
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def test_excel_sheet_with_a_title_row_dates_numbers_and_formulas(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Leads from the Milan fair, March 2026"])
    sheet.append([])
    sheet.append(["Name", "Met on", "Call at", "Units", "Price", "Total", None, "Phone", "VIP"])
    sheet.append(
        [
            "Anna Rossi",
            datetime.date(2026, 3, 4),
            datetime.datetime(2026, 3, 4, 10, 0),
            40,
            1234.5,
            "=D4*E4",
            None,
            4915112345678,
            True,
        ]
    )
    sheet.append(["Ben Shaw", datetime.datetime(9999, 12, 31), None, 0.1 + 0.2, 42.0])
    path = save_workbook(workbook, tmp_path / "fair.xlsx")
    with_cached_value(path, "D4*E4", "49380.000000000007")

    table = open_table(path)

    assert (table.header_line, table.encoding, table.delimiter) == (3, "xlsx", "")
    assert table.headers == [
        "Name",
        "Met on",
        "Call at",
        "Units",
        "Price",
        "Total",
        "Column 7",
        "Phone",
        "VIP",
    ]
    assert rows_of(table) == [
        (
            4,
            [
                "Anna Rossi",
                "2026-03-04",
                "2026-03-04T10:00:00",
                "40",
                "1234.5",
                "49380",
                "",
                "4915112345678",
                "TRUE",
            ],
        ),
        (5, ["Ben Shaw", "9999-12-31", "", "0.3", "42", "", "", "", ""]),
    ]


def test_excel_reads_the_first_sheet_that_has_data(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None
    workbook.active.title = "Empty"
    contacts = workbook.create_sheet("Contacts")
    contacts.append(["Name", "Email"])
    contacts.append(["Anna", "anna@x.example"])
    path = save_workbook(workbook, tmp_path / "book.xlsx")

    table = open_table(path)

    assert table.headers == ["Name", "Email"]
    assert rows_of(table) == [(2, ["Anna", "anna@x.example"])]


def test_a_workbook_is_an_excel_file_whatever_its_name(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    path = save_workbook(workbook, tmp_path / "export.csv")

    assert file_kind(path) is FileKind.XLSX


# Kinds and counts


def test_file_kinds_come_from_the_content() -> None:
    assert file_kind(FIXTURES / "google_contacts.csv") is FileKind.CSV
    assert file_kind(FIXTURES / "apple_contacts.vcf") is FileKind.VCARD


def test_count_rows_estimates_rows_for_a_progress_bar(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number in range(11):
        sheet.append([f"Person {number}", number])

    assert count_rows(FIXTURES / "google_legacy.csv") == 2
    assert count_rows(FIXTURES / "apple_contacts.vcf") == 2
    assert count_rows(save_workbook(workbook, tmp_path / "book.xlsx")) == 10
    assert count_rows(write_bytes(tmp_path, "x.pdf", b"%PDF-1.7\n")) is None


# Streaming


def test_a_large_file_is_read_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["First Name", "Last Name", "E-mail 1 - Value", "Phone 1 - Value", "Notes"])
        for number in range(200_000):
            writer.writerow([f"Jürgen{number}", "Müller", f"p{number}@x.example", "+4915112", "ok"])
    assert path.stat().st_size > 10_000_000

    tracemalloc.start()
    try:
        table = open_table(path)
        count = sum(1 for _row in table.rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 200_000
    # Less than the file's size: the rows went by without being held.
    assert peak < 10_000_000


# Round trip


HEADER_TEXT = st.text(
    alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x2FF), min_size=1, max_size=12
)
ASCII_HEADER_TEXT = st.text(
    alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x7F), min_size=1, max_size=12
)
# Any text a cell can hold but control characters (which make a file look binary) and lone
# surrogates (which no encoding writes), with plenty of what CSV must quote.
ANY_CELL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])
    | st.sampled_from(["\n", "\r", "\t", ",", ";", "|", '"']),
    max_size=20,
)
# Western text as Windows-1252 files hold it: accented letters inside words of ASCII.
WESTERN_CELL = st.lists(
    st.sampled_from(["Müller", "Zoë", "Café", "naïve", "Ørsted", ",", ";", '"', "\n", " ", "a"])
    | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=5),
    max_size=5,
).map("".join)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, str, list[str], list[list[str]]]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    columns = draw(st.integers(min_value=2, max_value=6))
    western = encoding == "cp1252"
    header_text = ASCII_HEADER_TEXT if western else HEADER_TEXT
    headers = draw(
        st.lists(header_text, min_size=columns, max_size=columns, unique_by=str.casefold)
    )
    cells = WESTERN_CELL if western else ANY_CELL
    rows = draw(
        st.lists(st.lists(cells, min_size=columns, max_size=columns), min_size=1, max_size=8)
    )
    return encoding, delimiter, headers, rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_tables_written_by_csv_writer_read_back_the_same(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[str, str, list[str], list[list[str]]]
) -> None:
    encoding, delimiter, headers, rows = drawn
    expected = [row for row in rows if any(cell.strip() for cell in row)]
    assume(expected)  # a header alone is refused (test_import_bad_files)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("round_trip") / "table.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))

    table = open_table(path)

    assert table.headers == headers
    assert table.delimiter == delimiter
    assert [cells for _line, cells in table.rows] == expected


def test_record_lines_count_the_line_breaks_inside_quoted_cells(tmp_path: Path) -> None:
    content = 'Name,Notes\nAnna,"one\ntwo\nthree"\nBen,"x"\n'
    path = write_bytes(tmp_path, "notes.csv", content.encode())

    lines = [line for line, _cells in open_table(path).rows]

    assert lines == [2, 5]
