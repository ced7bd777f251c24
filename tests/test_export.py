"""`funnel export` and what the zip holds: a CSV per kind (docs/export.md), funnel.json and
vCards; formulas neutralised in the CSV only; nothing of another team."""

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import vobject  # type: ignore[import-untyped]  # no type hints published
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models

from funnel import cli
from funnel.accounts.models import Membership, Profile, Team
from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.sales.models import Opportunity
from funnel.transfer.export import JSON_NAME, VCARD_NAMES, write_export
from funnel.transfer.export_kinds import KINDS, LEFT_OUT, USERS
from funnel.transfer.models import ImportJob, SavedMapping

ROOT = Path(__file__).resolve().parent.parent
FORMULA = '=HYPERLINK("http://x")'
PHONE = "+39 02 1234 5678"


def export(user: User) -> zipfile.ZipFile:
    out = io.BytesIO()
    for _rows in write_export(out, user=user, counts={}):
        pass
    return zipfile.ZipFile(out)


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(f"{name}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_every_field_of_every_exported_model_has_a_column_or_a_reason() -> None:
    for kind in KINDS:
        if kind.name == USERS:  # accounts are matched by name on import, never copied
            continue
        fields = {field.name for field in kind.model._meta.concrete_fields} - {"team"}
        assert set(kind.columns) == fields - LEFT_OUT.get(kind.model, set()), kind.name


def test_every_model_a_team_owns_is_exported() -> None:
    machinery = {ImportJob, SavedMapping, Membership, Profile}  # Profile: by its user
    exported = {kind.model for kind in KINDS}
    for model in apps.get_models():
        owned = any(
            isinstance(field, models.ForeignKey) and field.related_model is Team
            for field in model._meta.concrete_fields
        )
        if owned and model not in machinery:
            assert model in exported, model.__name__


def documented_columns() -> dict[str, list[str]]:
    """Each file's table in docs/export.md: its column names, in order."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (ROOT / "docs" / "export.md").read_text().splitlines():
        if line.startswith("### ") and line.endswith(".csv`"):
            current = files.setdefault(line[5:-5], [])
        elif current is not None and line.startswith("| `"):
            current.append(line.split("`")[1])
    return files


def test_the_documentation_lists_every_file_and_column_in_order() -> None:
    assert documented_columns() == {kind.name: list(kind.columns) for kind in KINDS}


@pytest.mark.django_db
def test_the_zip_holds_a_csv_per_kind_the_json_and_two_vcard_files(
    opportunity: Opportunity,
) -> None:
    names = export(opportunity.owner).namelist()
    assert sorted(names) == sorted(
        [f"{kind.name}.csv" for kind in KINDS] + [JSON_NAME, *VCARD_NAMES.values()]
    )


@pytest.mark.django_db
def test_the_csv_files_link_records_by_their_database_ids(opportunity: Opportunity) -> None:
    archive = export(opportunity.owner)

    [row] = csv_rows(archive, "opportunities")
    assert row["id"] == str(opportunity.pk)
    assert row["organisation"] == str(opportunity.organisation_id)
    assert row["main_contact"] == str(opportunity.main_contact_id)
    assert row["owner"] == str(opportunity.owner_id)
    assert row["value"] == "12000.00"
    assert [person["id"] for person in csv_rows(archive, "people")] == [
        str(opportunity.main_contact_id)
    ]
    assert archive.read("people.csv").startswith(b"\xef\xbb\xbf")  # UTF-8, as Excel reads it


@pytest.mark.django_db
def test_a_formula_is_neutralised_in_the_csv_and_kept_exactly_elsewhere(
    person: Person,
) -> None:
    Person.objects.filter(pk=person.pk).update(name=FORMULA, notes="@mention\n-minus")
    PhoneNumber.objects.create(person=person, number=PHONE)
    archive = export(User.objects.get(username="anna"))

    [row] = csv_rows(archive, "people")
    assert row["name"] == "'" + FORMULA
    assert row["notes"] == "'@mention\n-minus"
    assert csv_rows(archive, "phones")[0]["number"] == "'" + PHONE
    records = json.loads(archive.read(JSON_NAME))["records"]
    assert records["people"][0]["name"] == FORMULA
    assert records["phones"][0]["number"] == PHONE
    card = vobject.readOne(archive.read("people-vcard3.vcf").decode())
    assert card.fn.value == FORMULA
    assert card.tel.value == PHONE


@pytest.mark.django_db
def test_funnel_json_keeps_values_exactly_with_its_format_and_version(
    opportunity: Opportunity,
) -> None:
    content = json.loads(export(opportunity.owner).read(JSON_NAME))

    assert (content["format"], content["version"]) == ("funnel-export", 1)
    assert content["exported_by"] == opportunity.owner_id
    [record] = content["records"]["opportunities"]
    assert record["value"] == "12000.00"
    assert record["created"] == opportunity.created.isoformat()
    assert content["counts"]["opportunities"] == 1


@pytest.mark.django_db
def test_the_income_target_is_exported_exactly_and_empty_until_it_is_set(owner: User) -> None:
    [row] = csv_rows(export(owner), "profiles")
    assert (row["income_target"], row["income_tolerance"]) == ("", "30")
    Profile.objects.filter(user=owner).update(income_target=Decimal("8000.50"), income_tolerance=15)
    archive = export(owner)
    [row] = csv_rows(archive, "profiles")
    assert (row["income_target"], row["income_tolerance"]) == ("8000.50", "15")
    [record] = json.loads(archive.read(JSON_NAME))["records"]["profiles"]
    assert (record["income_target"], record["income_tolerance"]) == ("8000.50", 15)


@pytest.mark.django_db
def test_vcards_escape_their_values_and_fold_long_lines(person: Person) -> None:
    notes = "Prefers calls; never before 10, please.\nBackslash \\ too. " + "è" * 60
    Person.objects.filter(pk=person.pk).update(name="Rossi, Anna; Maria", notes=notes)
    EmailAddress.objects.create(person=person, address="anna@example.com")
    archive = export(User.objects.get(username="anna"))

    for version, name in VCARD_NAMES.items():
        data = archive.read(name)
        lines = data.split(b"\r\n")
        assert all(len(line) <= 75 for line in lines), version
        assert b"\n" not in data.replace(b"\r\n", b"")
        unfolded = data.replace(b"\r\n ", b"").decode()
        assert f"VERSION:{version}\r\n" in unfolded
        assert "FN:Rossi\\, Anna\\; Maria\r\n" in unfolded
        assert "NOTE:Prefers calls\\; never before 10\\, please.\\nBackslash \\\\ too." in unfolded
        card = vobject.readOne(data.decode())
        assert card.note.value == notes
        assert card.email.value == "anna@example.com"


@pytest.mark.django_db
def test_nothing_of_another_team_is_in_the_export(
    opportunity: Opportunity, outsider: User, outsider_person: Person
) -> None:
    content = json.loads(export(opportunity.owner).read(JSON_NAME))

    names = [person["name"] for person in content["records"]["people"]]
    assert names == ["Giulia Ferretti"]
    assert [user["username"] for user in content["records"]["users"]] == ["anna"]
    assert {profile["user"] for profile in content["records"]["profiles"]} == {opportunity.owner_id}
    assert "calendar_token" not in content["records"]["profiles"][0]
    assert b"Mallory" not in export(opportunity.owner).read("people.vcf")


@pytest.mark.django_db
def test_a_colleague_who_left_is_still_named_in_the_users_file(
    opportunity: Opportunity, outsider: User
) -> None:
    """Records keep who did them; the users file says who that was, without a role."""
    Opportunity.objects.filter(pk=opportunity.pk).update(owner=outsider)
    users = json.loads(export(User.objects.get(username="anna")).read(JSON_NAME))["records"][
        "users"
    ]
    assert {(user["username"], user["role"]) for user in users} == {
        ("anna", "owner"),
        ("mallory", None),
    }


# The command line, run in this process on the test database.


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["export", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.django_db
def test_the_command_writes_the_zip_and_says_where_and_how_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], organisation: Organisation
) -> None:
    path = tmp_path / "mine.zip"
    status, out, err = run(capsys, str(path))

    assert status == 0, err
    assert f"Exported to {path}:" in out
    assert "  organisations: 1\n" in out
    assert zipfile.ZipFile(path).testzip() is None
    assert [p.name for p in tmp_path.iterdir()] == ["mine.zip"]  # no temporary left behind
    assert err == ""  # no progress bar when nobody watches


@pytest.mark.django_db
def test_the_command_prints_json_for_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], organisation: Organisation
) -> None:
    status, out, _err = run(capsys, str(tmp_path / "x.zip"), "--json", "--user", "anna")

    assert status == 0
    payload = json.loads(out)
    assert payload["path"] == str(tmp_path / "x.zip")
    assert payload["counts"]["organisations"] == 1


@pytest.mark.django_db
def test_the_command_names_the_file_after_today_in_this_folder(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    owner: User,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, _err = run(capsys)

    assert status == 0
    [written] = list(tmp_path.glob("funnel-export-????-??-??.zip"))
    assert str(written) in out


@pytest.mark.django_db
def test_the_command_never_overwrites_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], owner: User
) -> None:
    path = tmp_path / "precious.zip"
    path.write_bytes(b"keep me")
    status, _out, err = run(capsys, str(path))

    assert status == 2
    assert err == f"funnel: {path} already exists: choose another name, or move it away first.\n"
    assert path.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "no user named 'nobody'"),
        (["/nonexistent/folder/x.zip"], "There is no folder /nonexistent/folder."),
    ],
)
@pytest.mark.django_db
def test_the_command_explains_in_one_line_what_it_cannot_do(
    capsys: pytest.CaptureFixture[str], owner: User, args: list[str], message: str
) -> None:
    status, _out, err = run(capsys, *args)
    assert status == 2
    assert err == f"funnel: {message}\n"


@pytest.mark.django_db
def test_the_command_asks_whose_team_when_there_are_several_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], owner: User, outsider: User
) -> None:
    status, _out, err = run(capsys, str(tmp_path / "x.zip"))
    assert status == 2
    assert "choose one with --user" in err


def test_progress_counts_add_up_to_the_records(db: None, owner: User) -> None:
    """The command line's progress bar advances by what write_export yields."""
    Organisation.objects.bulk_create(
        Organisation(team=owner.profile.team, name=f"Org {n}") for n in range(1234)
    )
    counts: dict[str, int] = {}
    advanced = sum(write_export(io.BytesIO(), user=owner, counts=counts))
    assert counts["organisations"] == 1234
    assert advanced == sum(counts.values())
