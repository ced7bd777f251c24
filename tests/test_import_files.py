"""Each tool's export imports with no manual mapping and no row lost, through the real path:
the file read, its tool recognised, its columns mapped, its rows matched and written."""

import csv
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from funnel.contacts.models import Organisation, Person
from funnel.sales.models import Opportunity
from funnel.transfer import actions
from funnel.transfer.reading import open_table
from funnel.transfer.sources import open_source
from funnel.transfer.summary import Summary
from tests.import_helpers import FIXTURES

TOOL_FILES = sorted(
    path.name
    for path in FIXTURES.iterdir()
    if path.suffix in {".csv", ".vcf"} and not path.name.startswith(("bad_", "broken_"))
)


def records_in(path: Path) -> int:
    """How many records the file holds, counted without Funnel's reader."""
    if path.suffix == ".vcf":
        return path.read_text(encoding="latin-1").upper().count("BEGIN:VCARD")
    table = open_table(path)  # for the encoding and where the header is
    with path.open(encoding=table.encoding, newline="") as text:
        lines = list(csv.reader(text, delimiter=table.delimiter))
    return sum(1 for row in lines[table.header_line :] if any(cell.strip() for cell in row))


def import_file(user: User, name: str) -> Summary:
    source = open_source(FIXTURES / name, team=user.profile.team, region="IT")
    levels = actions.stage_levels([], {})
    _batch, summary = actions.run_import(user=user, source=source, file_name=name, stages=levels)
    return summary


@pytest.mark.parametrize("name", TOOL_FILES)
def test_every_row_of_each_tools_export_is_imported(owner: User, name: str) -> None:
    summary = import_file(owner, name)
    assert summary.rows == records_in(FIXTURES / name)
    errors = [p for p in summary.problems if not p.warning]
    assert errors == []
    assert summary.statuses["new"] + summary.statuses["update"] >= 1
    # Nothing lost: any value not imported (a warning) is in the notes.
    for warning in (p for p in summary.problems if p.warning):
        assert Person.objects.filter(notes__contains=warning.column).exists()


def test_german_outlook_keeps_its_umlauts(owner: User) -> None:
    import_file(owner, "outlook_german.csv")
    juergen = Person.objects.get(name__startswith="Jürgen")
    assert juergen.name == "Jürgen Müller"
    assert juergen.organisation is not None and juergen.organisation.name == "Bäckerei Groß GmbH"
    assert juergen.organisation.country == "DE"


def test_an_old_android_vcard_is_decoded(owner: User) -> None:
    import_file(owner, "android_2_1.vcf")
    juergen = Person.objects.get(name="Jürgen Müller")
    assert "Ölfilter" in juergen.notes
    assert set(juergen.phones.values_list("kind", flat=True)) >= {"mobile", "work"}
    assert Person.objects.filter(name__contains="François").exists()


def test_pipedrive_deals_keep_their_outcome_and_dates(owner: User) -> None:
    import_file(owner, "pipedrive_deals.csv")
    won = Opportunity.objects.get(title="Verdi deal")
    assert won.level == "won" and won.currency == "EUR"
    assert won.level_changed.date().isoformat() == "2026-01-28"
    assert won.main_contact is not None and won.main_contact.name == "Marco Verdi"
    assert Opportunity.objects.get(title="Acme deal").level in {"above", "in", "best_few"}


def test_the_same_file_twice_imports_once(owner: User) -> None:
    import_file(owner, "hubspot_contacts.csv")
    people = Person.objects.count()
    again = import_file(owner, "hubspot_contacts.csv")
    assert again.statuses["new"] == 0
    assert Person.objects.count() == people


def test_contacts_then_deals_from_one_crm_meet_at_the_same_organisation(owner: User) -> None:
    import_file(owner, "zoho_accounts.csv")
    import_file(owner, "zoho_contacts.csv")
    import_file(owner, "zoho_deals.csv")
    names = list(Organisation.objects.values_list("name", flat=True))
    assert len(names) == len({name.casefold() for name in names})
    assert all(o.organisation_id for o in Opportunity.objects.all())


def test_an_excel_sheet_with_a_title_row_imports_like_a_csv(owner: User, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Customers 2026"])  # a title above the header, as people make by hand
    sheet.append(["Name", "Company", "Email", "Phone", "Since"])
    sheet.append(["Maria Keller", "Keller AG", "maria@keller.example", "+49 30 1234567", None])
    sheet.append(["Jon Berg", "Berg AB", "jon@berg.example", 46701234567, "2026-03-01"])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    source = open_source(path, team=owner.profile.team, region="SE")
    _batch, summary = actions.run_import(
        user=owner, source=source, file_name=path.name, stages=actions.stage_levels([], {})
    )
    assert summary.statuses["new"] == 2 and not summary.problems
    jon = Person.objects.get(name="Jon Berg")
    assert jon.organisation is not None and jon.organisation.name == "Berg AB"
    assert jon.phones.exists()
