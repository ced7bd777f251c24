"""Reading rows of other tools' exports into people, organisations and deals."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from funnel.transfer.records import Incoming
from funnel.transfer.rows import RowReader
from funnel.transfer.tools import recognise

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def read_fixture(name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headers and (line, cells) of a fixture, read with the csv module (the real reader is
    funnel.transfer.reading's): UTF-8 or Windows-1252, commas or semicolons, and LinkedIn's
    notes above the headers skipped."""
    raw = (FIXTURES / name).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(reader.line_num, cells) for cells in reader]
    start = next(index for index, (_line, cells) in enumerate(rows) if len(cells) > 2)
    return rows[start][1], [(line, cells) for line, cells in rows[start + 1 :] if any(cells)]


def read_all(name: str, region: str = "IT") -> list[Incoming]:
    headers, rows = read_fixture(name)
    recognition = recognise(headers)
    reader = RowReader(
        headers,
        recognition.columns,
        region=region,
        day_first=recognition.day_first,
        sample=[cells for _line, cells in rows],
    )
    return [reader.read(line, cells) for line, cells in rows]


def summary(row: Incoming) -> dict[str, Any]:
    """What a user would check in the preview: who, where, which deal, what went wrong."""
    seen: dict[str, Any] = {}
    if row.person:
        seen["person"] = row.person.name
        if row.person.job_title:
            seen["job_title"] = row.person.job_title
        if row.person.emails:
            seen["emails"] = row.person.emails
        if row.person.phones:
            seen["phones"] = row.person.phones
        if row.person.notes:
            seen["person_notes"] = row.person.notes
    if row.organisation:
        organisation = row.organisation
        seen["organisation"] = organisation.name
        for name in ("website", "sector", "size", "city", "country"):
            if getattr(organisation, name):
                seen[name] = getattr(organisation, name)
    if row.deal:
        deal = row.deal
        seen["deal"] = deal.title
        for name in (
            "value",
            "currency",
            "stage",
            "close_on",
            "owner_email",
            "created_on",
            "stage_changed_on",
            "reason",
            "source",
            "next_step",
            "notes",
        ):
            if getattr(deal, name):
                seen[name] = getattr(deal, name)
    if row.problems:
        seen["problems"] = [(p.column, p.message) for p in row.problems]
    return seen


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_google_contacts_give_people_with_their_labelled_emails_and_phones() -> None:
    giulia, soren, bruce = read_all("google_contacts.csv")

    assert summary(giulia) == {
        "person": "Giulia Bianchi",
        "job_title": "Responsabile acquisti",
        "emails": [("work", "giulia@officinebianchi.example")],
        "phones": [("mobile", "+39 333 123 4567")],
        "person_notes": 'Met at the Bologna fair.\nWants a quote for 40 units, "urgent".',
        "organisation": "Officine Bianchi S.r.l.",
    }
    # " ::: " joins several values of one cell, each with its label.
    assert summary(soren) == {
        "person": "Søren Kierkegaard",
        "emails": [("personal", "soren@home.example"), ("other", "sk@old.example")],
        "phones": [("work", "+45 33 12 34 56"), ("work", "+45 70 10 20 30")],
    }
    assert summary(bruce) == {"person": "李 小龙", "organisation": "Golden Harvest"}
    assert ("Labels", "* myContacts ::: Clienti") in giulia.kept
    assert ("Website 1 - Value", "https://example.com/soren") in soren.kept


def test_googles_legacy_csv_takes_the_whole_name_and_the_typed_emails() -> None:
    maria, tom = read_all("google_legacy.csv")

    assert summary(maria) == {
        "person": "Maria Garcia",
        "job_title": "Gerente",
        "emails": [("work", "maria@garcia.example")],
        "phones": [("mobile", "+34 612 345 678")],
        "organisation": "Garcia y Hijos",
    }
    assert tom.person and tom.person.emails == [
        ("personal", "tom@obrien.example"),
        ("other", "tom.obrien@work.example"),
    ]


def test_outlook_in_english_and_german_give_people_at_their_companies() -> None:
    john, zoe = read_all("outlook_contacts.csv")
    juergen, aenne = read_all("outlook_german.csv")

    # Numbers without a country code are read in the row's country (the US), not the user's.
    assert summary(john) == {
        "person": "John Smith",
        "job_title": "Purchasing Manager",
        "emails": [("work", "john.smith@contoso.example")],
        "phones": [("mobile", "+1 425-555-0100"), ("work", "+1 (425) 555-0199")],
        "person_notes": "Renewal due in March.\r\nAsk about the second site.",
        "organisation": "Contoso, Ltd.",
        "city": "Redmond",
        "country": "US",
    }
    assert ("Title", "Mr.") in john.kept
    # "0/0/00" is Outlook's empty birthday, "Normal" its default sensitivity: not kept.
    assert not [value for _header, value in john.kept if value in ("0/0/00", "Normal")]
    assert summary(zoe)["emails"] == [
        ("work", "zoe@dupont.example"),
        ("other", "zoe.dupont@perso.example"),
    ]
    assert summary(juergen) == {
        "person": "Jürgen Müller",
        "job_title": "Geschäftsführer",
        "emails": [("work", "j.mueller@baeckerei-gross.example")],
        "phones": [("work", "+49 221 123456"), ("mobile", "+49 151 1234567")],
        "person_notes": "Größere Bestellung; Rückruf im Mai",
        "organisation": "Bäckerei Groß GmbH",
        "city": "Köln",
        "country": "DE",
    }
    assert summary(aenne)["organisation"] == "Weiß & Söhne KG"


def test_linkedin_connections_keep_the_profile_and_the_day_connected() -> None:
    priya, lars, ana = read_all("linkedin_connections.csv")

    assert summary(priya) == {
        "person": "Priya Sharma",
        "job_title": "Head of Operations",
        "organisation": "Acme Robotics",
    }
    assert priya.kept == [
        ("URL", "https://www.linkedin.com/in/priya-sharma-0a1b2c"),
        ("Connected On", "04 Mar 2026"),
    ]
    assert summary(lars)["emails"] == [("work", "lars@nilsson.example")]
    assert summary(ana) == {"person": "Ana Souza"}


def test_hubspot_contacts_companies_and_deals() -> None:
    jane, luca, email_only = read_all("hubspot_contacts.csv")
    acme, bianchi = read_all("hubspot_companies.csv")
    won, lost, early = read_all("hubspot_deals.csv")

    assert summary(jane) == {
        "person": "Jane Doe",
        "job_title": "Head of Purchasing",
        "emails": [("work", "Jane.Doe@acme.com")],
        "phones": [("work", "+1 415 555 0132"), ("mobile", "+1 415 555 0199")],
        "organisation": "Acme Inc.",
        "city": "San Francisco",
        "country": "US",
    }
    assert ("Contact owner", "Anna Rossi") in jane.kept and ("Record ID", "51") in jane.kept
    assert summary(luca)["phones"] == [("work", "+39 02 1234 5678")]
    assert summary(email_only) == {
        "person": "only.an.email@example.org",
        "emails": [("work", "only.an.email@example.org")],
    }
    # Companies: organisations and nobody at them.
    assert summary(acme) == {
        "organisation": "Acme Inc.",
        "website": "https://acme.com",
        "sector": "Computer Software",
        "size": 1200,
        "city": "San Francisco",
        "country": "US",
    }
    assert ("Phone Number", "+1 415 555 0100") in acme.kept
    assert summary(bianchi)["website"] == "https://www.bianchi.it"
    assert summary(bianchi)["country"] == "IT"
    # Deals: the contact written "Name (email)" becomes a person with that email.
    assert summary(won) == {
        "person": "Jane Doe",
        "emails": [("work", "jane.doe@acme.com")],
        "organisation": "Acme Inc.",
        "deal": "Acme - 200 seats",
        "value": Decimal("24000.00"),
        "currency": "USD",
        "stage": "Contract sent",
        "close_on": day("2026-05-31"),
        "created_on": day("2026-03-15"),
        "next_step": "Send the signed order form",
        "notes": "Renewal in May",
    }
    assert ("Deal owner", "Anna Rossi") in won.kept  # a name, not a teammate's email
    assert summary(lost)["value"] == Decimal("3500.50")
    assert summary(lost)["reason"] == "Chose a competitor"
    assert "person" not in summary(early) and summary(early)["deal"] == "Verdi - expansion"


def test_salesforce_reports_read_month_first_dates_and_keep_owner_names() -> None:
    open_deal, won, lost = read_all("salesforce_opportunities_report.csv")
    jane, bill = read_all("salesforce_contacts_report.csv")

    assert summary(open_deal) == {
        "organisation": "Acme Inc.",
        "deal": "Acme - 200 seats",
        "value": Decimal("24000.00"),
        "stage": "Negotiation/Review",
        "close_on": day("2026-06-30"),
        "created_on": day("2026-03-15"),
        "source": "Web",
        "next_step": "Send the contract",
    }
    assert summary(won)["created_on"] == day("2025-10-02")  # 10/2/2025, month first
    assert summary(lost)["stage"] == "Closed-Lost to Competition"
    assert ("Opportunity Owner", "Anna Rossi") in open_deal.kept
    assert summary(jane)["phones"] == [("work", "+1 415-555-0132"), ("mobile", "+1 415-555-0199")]
    assert summary(bill)["problems"] == [("Email", "“bill@initech” is not an email address.")]


def test_salesforce_data_loader_files_read_api_names_and_owner_emails() -> None:
    proposal, won = read_all("salesforce_dataloader_opportunities.csv")
    jane, sven = read_all("salesforce_dataloader_contacts.csv")

    assert summary(proposal) == {
        "organisation": "Acme Inc.",
        "deal": "Acme - 200 seats",
        "value": Decimal("24000.00"),
        "currency": "USD",
        "stage": "Proposal/Price Quote",
        "close_on": day("2026-06-30"),
        "owner_email": "anna@funnel.example",
        "created_on": day("2026-03-15"),
        "source": "Web",
        "next_step": "Send the proposal",
    }
    assert summary(won)["owner_email"] == "ANNA@funnel.example"
    assert ("Id", "0065g00000AbCdEAAV") in proposal.kept
    assert summary(jane)["organisation"] == "Acme Inc."
    # A Swedish number read in Sweden, where the row says the contact is.
    assert summary(sven)["phones"] == [("work", "+46 8 123 456 78"), ("mobile", "+46 70 123 45 67")]


def test_pipedrive_won_and_lost_deals_take_their_stage_from_the_status() -> None:
    open_deal, won, lost = read_all("pipedrive_deals.csv")
    short_open, short_lost = read_all("pipedrive_deals_short.csv")

    assert summary(open_deal) == {
        "person": "Jane Doe",
        "organisation": "Acme Inc.",
        "deal": "Acme deal",
        "value": Decimal("24000.00"),
        "currency": "USD",
        "stage": "Proposal Made",
        "close_on": day("2026-06-30"),
        "created_on": day("2026-03-15"),
        "stage_changed_on": day("2026-03-30"),
    }
    assert summary(won)["stage"] == "won"
    assert summary(won)["stage_changed_on"] == day("2026-01-28")  # the won time
    assert ("Deal - Stage", "Negotiations Started") in won.kept
    assert summary(lost)["stage"] == "lost"
    assert summary(lost)["reason"] == "Too expensive"
    assert summary(short_open) == summary(open_deal)
    assert summary(short_lost) == summary(lost)


def test_pipedrive_people_and_organisations() -> None:
    jane, marco = read_all("pipedrive_people.csv")
    acme, _verdi = read_all("pipedrive_organizations.csv")

    assert summary(jane)["emails"] == [
        ("work", "jane.doe@acme.com"),
        ("personal", "jane@home.example"),
    ]
    assert summary(marco)["phones"] == [
        ("work", "+39 02 1234 5678"),
        ("mobile", "+39 347 123 4567"),
    ]
    assert summary(marco)["emails"][1] == ("other", "m.verdi@example.org")
    assert summary(acme) == {"organisation": "Acme Inc."}
    assert ("Organization - Address", "1 Market St, San Francisco, CA, USA") in acme.kept


def test_zoho_contacts_accounts_and_deals() -> None:
    jan, maria = read_all("zoho_contacts.csv")
    vries, _garcia = read_all("zoho_accounts.csv")
    proposal, lost = read_all("zoho_deals.csv")

    assert summary(jan) == {
        "person": "Jan de Vries",
        "job_title": "Directeur",
        "emails": [("work", "jan@vries.example")],
        "phones": [("work", "+31 20 123 4567"), ("mobile", "+31 6 12345678")],
        "organisation": "De Vries BV",
        "city": "Amsterdam",
        "country": "NL",
    }
    assert summary(maria)["country"] == "ES"
    assert summary(vries) == {
        "organisation": "De Vries BV",
        "website": "https://www.vries.example",
        "sector": "Logistics",
        "size": 120,
        "city": "Amsterdam",
        "country": "NL",
    }
    assert summary(proposal) == {
        "person": "Jan de Vries",
        "organisation": "De Vries BV",
        "deal": "De Vries - fleet",
        "value": Decimal("45000.00"),
        "currency": "EUR",
        "stage": "Proposal/Price Quote",
        "close_on": day("2026-07-15"),
        "created_on": day("2026-03-15"),
    }
    assert summary(lost)["reason"] == "Price"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("sheet_italian.csv", ("Giulia Romano", "Romano Srl", "giulia@romano.example")),
        ("sheet_dutch.csv", ("Jan de Vries", "De Vries BV", "jan@vries.example")),
        ("sheet_spanish.csv", ("María García", "García y Asociados", "maria@garcia.example")),
        ("sheet_swedish.csv", ("Sven Svensson", "Volvo Example AB", "sven@volvo.example")),
        ("sheet_english.csv", ("Jane Doe", "Acme Inc.", "jane@acme.com")),
    ],
)
def test_spreadsheets_in_funnels_languages(fixture: str, expected: tuple[str, str, str]) -> None:
    first = read_all(fixture)[0]

    assert first.person and first.organisation and not first.problems
    assert (first.person.name, first.organisation.name, first.person.emails[0][1]) == expected


# -- hostile and odd rows -------------------------------------------------------------------

HEADERS = ["Name", "Company", "Email", "Phone", "Notes", "Deal", "Amount", "Close date", "Other"]


def reader(
    headers: list[str] = HEADERS, sample: list[list[str]] | None = None, region: str = "IT"
) -> RowReader:
    columns = recognise(headers).columns
    return RowReader(headers, columns, region=region, day_first=None, sample=sample or [])


def test_a_row_with_nothing_to_import_is_a_problem_of_the_whole_row() -> None:
    row = reader().read(7, ["", "", "", "+39 333 123 4567", "", "", "", "", "hello"])

    assert row.person is None and row.organisation is None and row.deal is None
    assert [(p.line, p.column) for p in row.problems] == [(7, "")]
    # What it had is still there to show.
    assert ("Phone", "+39 333 123 4567") in row.kept and ("Other", "hello") in row.kept


def test_an_empty_row_is_no_problem() -> None:
    assert reader().read(3, [" "] * 9).problems == []


def test_nul_bytes_are_a_problem_of_their_cell() -> None:
    row = reader().read(2, ["Jane\x00Doe", "Acme", "jane@acme.com", "", "", "", "", "", ""])

    assert [(p.column, "NUL" in p.message) for p in row.problems] == [("Name", True)]


def test_more_cells_than_headers_is_a_problem_and_the_extra_cells_are_kept() -> None:
    row = reader().read(4, ["Jane", *[""] * 8, "surprise"])

    assert [(p.line, p.column) for p in row.problems] == [(4, "")]
    assert "10 cells" in row.problems[0].message and "9 columns" in row.problems[0].message
    assert ("column 10", "surprise") in row.kept


def test_fewer_cells_than_headers_are_read_as_empty() -> None:
    row = reader().read(2, ["Jane Doe", "Acme"])

    assert summary(row) == {"person": "Jane Doe", "organisation": "Acme"}


def test_values_too_long_for_their_field_are_problems_but_notes_have_no_limit() -> None:
    long_notes = "n" * 1_000_000
    row = reader().read(2, ["J" * 201, "A" * 200, "", "", long_notes, "", "", "", ""])

    assert [p.column for p in row.problems] == ["Name"]
    assert "201" in row.problems[0].message and "200" in row.problems[0].message
    assert row.organisation and row.organisation.name == "A" * 200


def test_bad_emails_and_phones_are_problems_of_their_cells() -> None:
    row = reader().read(2, ["Jane", "", "jane@", "call me maybe", "", "", "", "", ""])

    assert [p.column for p in row.problems] == ["Email", "Phone"]
    assert "jane@" in row.problems[0].message


def test_a_date_written_the_other_way_round_than_its_column_is_a_problem() -> None:
    sample = [["", "", "", "", "", "", "", "31/12/2026", ""]]
    rows = reader(sample=sample)

    fine = rows.read(2, ["Jane", "", "", "", "", "Deal", "", "03/04/2026", ""])
    wrong = rows.read(3, ["Jane", "", "", "", "", "Deal", "", "12/31/2026", ""])

    assert fine.deal and fine.deal.close_on == day("2026-04-03")
    assert [p.column for p in wrong.problems] == ["Close date"]
    assert "DD/MM/YYYY" in wrong.problems[0].message
    assert "MM/DD/YYYY" in wrong.problems[0].message


def test_without_a_sample_ambiguous_dates_follow_the_users_country() -> None:
    row = ["Jane", "", "", "", "", "Deal", "", "03/04/2026", ""]

    assert summary(reader(region="IT").read(2, row))["close_on"] == day("2026-04-03")
    assert summary(reader(region="US").read(2, row))["close_on"] == day("2026-03-04")


def test_dates_at_the_edges_of_the_calendar_are_read_and_impossible_ones_are_problems() -> None:
    rows = reader()
    first = rows.read(2, ["", "", "", "", "", "Deal", "", "0001-01-01", ""])
    last = rows.read(3, ["", "", "", "", "", "Deal", "", "9999-12-31", ""])
    impossible = rows.read(4, ["", "", "", "", "", "Deal", "", "31/02/2026", ""])

    assert first.deal and first.deal.close_on == datetime.date(1, 1, 1)
    assert last.deal and last.deal.close_on == datetime.date(9999, 12, 31)
    assert [p.message for p in impossible.problems] == [
        "“31/02/2026” is not a day of the calendar."
    ]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("-500", "negative"),
        ("(1,000.00)", "negative"),
        ("1234567890123", "999,999,999,999.99"),
        ("1e309", "not an amount"),
        ("twelve", "not an amount"),
    ],
)
def test_amounts_funnel_cant_hold_are_problems(amount: str, expected: str) -> None:
    row = reader().read(2, ["", "Acme", "", "", "", "Deal", amount, "", ""])

    assert [p.column for p in row.problems] == ["Amount"]
    assert expected in row.problems[0].message


def test_a_person_with_only_an_email_is_named_by_it() -> None:
    row = reader().read(2, ["", "", "Jane@Example.COM", "", "", "", "", "", ""])

    assert summary(row) == {
        "person": "Jane@example.com",
        "emails": [("work", "Jane@example.com")],
    }


def test_values_that_dont_fit_a_field_are_kept_not_refused() -> None:
    headers = ["Company", "Country", "Employees", "Website", "Language", "Name"]
    row = reader(headers).read(2, ["Acme", "Atlantis", "51-200", "not a site", "Martian", "Jo"])

    assert row.problems == []
    assert summary(row) == {"person": "Jo", "organisation": "Acme"}
    assert row.kept == [
        ("Country", "Atlantis"),
        ("Employees", "51-200"),
        ("Website", "not a site"),
        ("Language", "Martian"),
    ]


def test_a_phone_extension_is_kept_in_the_notes_as_funnel_stores_numbers_without_one() -> None:
    row = reader().read(2, ["Jane", "", "", "+1 650-253-0000 ext. 123", "", "", "", "", ""])

    assert summary(row)["phones"] == [("work", "+1 650-253-0000")]
    assert ("Phone", "+1 650-253-0000 ext. 123") in row.kept


def test_the_same_email_twice_in_a_row_is_listed_once() -> None:
    headers = ["Name", "Email", "E-mail 2", "Work email"]
    row = reader(headers).read(2, ["Jo", "jo@x.example", "JO@X.EXAMPLE", "jo@x.example; j@y.ex"])

    assert summary(row)["emails"] == [("work", "jo@x.example"), ("work", "j@y.ex")]


def test_an_unknown_currency_is_a_problem() -> None:
    headers = ["Deal", "Amount", "Currency", "Company"]
    row = reader(headers).read(2, ["Deal", "100", "Doubloons", "Acme"])

    assert [p.column for p in row.problems] == ["Currency"]


def test_the_amounts_own_currency_wins_over_the_currency_column() -> None:
    headers = ["Deal", "Amount", "Currency", "Company"]
    row = reader(headers).read(2, ["Deal", "1.234,50 €", "USD", "Acme"])

    assert row.deal and (row.deal.value, row.deal.currency) == (Decimal("1234.50"), "EUR")


def test_an_ignored_column_is_neither_read_nor_kept() -> None:
    headers = ["Name", "Secret"]
    columns = {"Name": "person.name", "Secret": "ignore"}
    row = RowReader(headers, columns, region="IT", day_first=None).read(2, ["Jo", "\x00x"])

    assert row.kept == [] and row.problems == []


def test_a_column_missing_from_the_mapping_is_kept() -> None:
    row = RowReader(["Name", "New"], {"Name": "person.name"}, region="", day_first=None).read(
        2, ["Jo", "value"]
    )

    assert row.kept == [("New", "value")]


def test_a_cell_listing_thousands_of_values_is_one_problem_not_thousands() -> None:
    rows = reader()
    emails = rows.read(2, ["Jo", "", "1," * 50_000, "", "", "", "", "", ""])
    phones = rows.read(3, ["Jo", "", "", "+39 333 123 4567;" * 50_000, "", "", "", "", ""])
    bad = rows.read(4, ["Jo", "", "a@; b@; c@", "x; y; z", "", "", "", "", ""])

    assert [p.column for p in emails.problems] == ["Email"]
    assert [p.column for p in phones.problems] == ["Phone"]
    assert "more than 20 values" in phones.problems[0].message
    assert [p.column for p in bad.problems] == ["Email", "Phone"]


def test_a_head_count_of_a_hundred_thousand_digits_is_a_problem_not_a_crash() -> None:
    headers = ["Company", "Employees"]
    rows = reader(headers)

    assert [p.column for p in rows.read(2, ["Acme", "9" * 100_000]).problems] == ["Employees"]
    assert [p.column for p in rows.read(3, ["Acme", "20000000"]).problems] == ["Employees"]
    assert summary(rows.read(4, ["Acme", "1.200"])) == {"organisation": "Acme", "size": 1200}


def test_every_hostile_value_in_every_column_gives_problems_never_an_exception() -> None:
    headers = [*HEADERS, "Employees", "Status", "Owner", "Website", "Country", "Currency"]
    rows = reader(headers)
    hostile = [
        "\x00",
        "9" * 5000,
        "-1",
        "1e309",
        "0001-01-01",
        "31/02/2026",
        "(" + "a(" * 5000 + "x@y.z)",
        "http://[::1",
        "²",
        "\x01\x1b[31m",
    ]

    for line, text in enumerate(hostile, start=2):
        row = rows.read(line, [text] * len(headers))
        assert all(p.line == line for p in row.problems)


def test_a_row_whose_only_email_is_bad_has_nothing_to_import() -> None:
    row = reader().read(5, ["", "", "not-an-email", "", "", "", "", "", ""])

    assert row.person is None
    assert ("", False) in [(p.column, p.warning) for p in row.problems]
    assert ("Email", "not-an-email") in row.kept
