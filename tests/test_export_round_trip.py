"""A Funnel export imported into an empty Funnel comes back whole: every record, every field,
its links and its timestamps; and what isn't a Funnel export, or isn't an empty Funnel, is
refused with a message, nothing written."""

import datetime as dt
import json
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership, Profile
from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.demo.generate import COLLEAGUE
from funnel.fit.models import FitCriterion
from funnel.followup.models import PostSaleStep
from funnel.goals.models import Goal
from funnel.quotes.models import Quote
from funnel.sales.models import Opportunity
from funnel.transfer.errors import TransferError
from funnel.transfer.export import JSON_NAME, write_export
from funnel.transfer.export_kinds import EMAIL_SETTINGS, INCOME_TARGET, KINDS, USERS
from funnel.transfer.restore_export import import_export_zip
from tests import demo_helpers
from tests.conftest import PASSWORD
from tests.demo_helpers import Built

FORMULA = '=HYPERLINK("http://x")'
PHONE = "+39 02 1234 5678"


def export(user: User, path: Path) -> dict[str, Any]:
    with path.open("wb") as out:
        for _rows in write_export(out, user=user, counts={}):
            pass
    with zipfile.ZipFile(path) as archive:
        content: dict[str, Any] = json.loads(archive.read(JSON_NAME))
    return content


# The demo's year of selling, with its colleague: built once for the module (demo_helpers).
demo = demo_helpers.demo


def busy_team() -> User:
    """The demo, plus what the demo never makes: an import, a formula for a name, text that
    needs escaping, a date at the edge."""
    user = User.objects.get(username=demo_helpers.USERNAME)
    team = user.profile.team
    batch = ImportBatch.objects.create(
        team=team, user=user, file_name="hubspot.csv", source="HubSpot", counts={"people": 1}
    )
    organisation = Organisation.objects.create(
        team=team, name='Ostrica; \\ "Bar", Genova', notes="Line one\nline two — ü", size=3
    )
    person = Person.objects.create(
        team=team, name=FORMULA, organisation=organisation, import_batch=batch, notes="x" * 300
    )
    PhoneNumber.objects.create(person=person, number=PHONE)
    EmailAddress.objects.create(person=person, address="eq@example.com", kind="personal")
    Opportunity.objects.filter(pk=Opportunity.objects.first().pk).update(  # type: ignore[union-attr]
        import_batch=batch, notes="-5% if paid now", expected_close_on=dt.date(9000, 12, 31)
    )
    return user


def fresh_funnel() -> User:
    """The same two people starting afresh, in one team (user accounts are matched, never
    imported): the old accounts renamed out of the way."""
    for old in User.objects.all():
        old.username, old.email = f"{old.username}-before", ""
        old.save()
    user = create_user(
        username=demo_helpers.USERNAME,
        password=PASSWORD,
        email="sofia.bianchi@example.com",
        first_name="Sofia",
        last_name="Bianchi",
    )
    colleague = create_user(
        username=COLLEAGUE,
        password=PASSWORD,
        email="luca.ferri@example.com",
        first_name="Luca",
        last_name="Ferri",
    )
    Membership.objects.create(team=user.profile.team, user=colleague)
    return user


def same_records(first: dict[str, Any], second: dict[str, Any]) -> None:
    """Every field of every record equal, ids and links mapped from the first to the second."""
    users = {
        row["id"]: new["id"]
        for row in first["records"][USERS]
        for new in second["records"][USERS]
        if new["username"] == row["username"]
    }
    ids: dict[str, dict[int, int]] = {USERS: users}
    exporter = first["exported_by"]
    for kind in KINDS:
        if kind.name == USERS:
            continue
        before, after = first["records"][kind.name], second["records"][kind.name]
        if kind.personal:  # restored for the importing user only (docs/export.md)
            owner = "user" if kind.name == "profiles" else "owner"
            before = [row for row in before if row[owner] == exporter]
            after = [row for row in after if row[owner] == users[exporter]]
        assert len(after) == len(before), kind.name
        assert before, f"the busy team has no {kind.name}: the test would prove nothing"
        ids[kind.name] = {old["id"]: new["id"] for old, new in zip(before, after, strict=True)}
    for kind in KINDS:
        before, after = first["records"][kind.name], second["records"][kind.name]
        if kind.personal:
            continue  # checked below, with the colleague's left out
        for old, new in zip(before, after, strict=True):
            for column in kind.columns:
                if column == "id" or (kind.name == "team" and column == "created"):
                    continue
                if column in kind.links and old[column] is not None:
                    assert ids[kind.links[column]][old[column]] == new[column], (kind.name, column)
                else:
                    assert old[column] == new[column], (kind.name, column, old["id"])


@pytest.mark.django_db
def test_an_export_imported_into_an_empty_funnel_comes_back_field_for_field(
    demo: Built,
    tmp_path: Path,
) -> None:
    first = export(busy_team(), tmp_path / "first.zip")
    user = fresh_funnel()

    counts = import_export_zip(tmp_path / "first.zip", user)
    second = export(user, tmp_path / "second.zip")

    same_records(first, second)
    exporter, importer = first["exported_by"], second["exported_by"]
    for kind in ["profiles", "goals", "post_sale_steps"]:
        owner = "user" if kind == "profiles" else "owner"
        mine = [row for row in first["records"][kind] if row[owner] == exporter]
        restored = [row for row in second["records"][kind] if row[owner] == importer]
        assert [{**row, "id": 0, owner: 0} for row in mine] == [
            {**row, "id": 0, owner: 0} for row in restored
        ], kind
    assert counts["opportunities"] == len(first["records"]["opportunities"])
    assert counts["activities"] == len(first["records"]["activities"])


@pytest.mark.django_db
def test_a_formula_and_a_phone_number_come_back_exactly(demo: Built, tmp_path: Path) -> None:
    export(busy_team(), tmp_path / "first.zip")
    user = fresh_funnel()

    import_export_zip(tmp_path / "first.zip", user)

    person = Person.objects.get(team=user.profile.team, name=FORMULA)
    assert [phone.number for phone in person.phones.all()] == [PHONE]


@pytest.mark.django_db
def test_records_of_someone_who_is_not_in_the_team_go_to_the_importing_user(
    demo: Built,
    tmp_path: Path,
) -> None:
    """The colleague has an account here but is not in the new team: nothing goes to them."""
    first = export(busy_team(), tmp_path / "first.zip")
    for old in User.objects.all():
        old.username, old.email = f"{old.username}-before", ""
        old.save()
    colleague = create_user(username=COLLEAGUE, password=PASSWORD)
    user = create_user(username="someone-new", password=PASSWORD)

    import_export_zip(tmp_path / "first.zip", user)

    opportunities = Opportunity.objects.filter(team=user.profile.team)
    assert opportunities.count() == len(first["records"]["opportunities"])
    assert set(opportunities.values_list("owner", flat=True)) == {user.pk}
    assert not colleague.follow_ups.exists()
    # The exporter's own settings become the importing user's.
    assert Goal.objects.filter(owner=user).count() == len(
        [goal for goal in first["records"]["goals"] if goal["owner"] == first["exported_by"]]
    )


@pytest.mark.django_db
def test_what_a_new_user_starts_with_is_replaced_by_the_export(tmp_path: Path, owner: User) -> None:
    FitCriterion.objects.filter(team=owner.profile.team).delete()
    PostSaleStep.objects.filter(owner=owner).delete()
    export(owner, tmp_path / "export.zip")
    user = create_user(username="new", password=PASSWORD)
    assert FitCriterion.objects.filter(team=user.profile.team).exists()  # the starting ones

    import_export_zip(tmp_path / "export.zip", user)

    assert not FitCriterion.objects.filter(team=user.profile.team).exists()
    assert not PostSaleStep.objects.filter(owner=user).exists()


@pytest.mark.django_db
def test_a_funnel_with_records_is_refused_and_left_as_it_was(
    tmp_path: Path, owner: User, person: Person, outsider: User
) -> None:
    export(owner, tmp_path / "export.zip")
    Organisation.objects.create(team=outsider.profile.team, name="Mine already")

    with pytest.raises(TransferError, match="empty Funnel"):
        import_export_zip(tmp_path / "export.zip", outsider)
    assert Person.objects.filter(team=outsider.profile.team).count() == 0


def zip_with(path: Path, name: str, content: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, content)
    return path


def envelope(**records: Any) -> bytes:
    return json.dumps({"format": "funnel-export", "version": 1, "records": records}).encode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"id,name\n", "has no funnel.json"),
        (JSON_NAME, b'{"format": "funnel-export", "version": 1, "rec', "not valid JSON"),
        (JSON_NAME, b"\xff\xfe not utf-8", "not valid JSON"),
        (JSON_NAME, b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (JSON_NAME, b'{"format": "something else"}', "not a Funnel export"),
        (JSON_NAME, b'{"format": "funnel-export", "version": 99}', "format version 99"),
        (JSON_NAME, b'{"format": "funnel-export", "version": "1"}', "format version 1"),
        (JSON_NAME, envelope(secrets=[]), "unknown kind: secrets"),
        (JSON_NAME, envelope(people={"1": {}}), "people of this Funnel export are damaged"),
        (JSON_NAME, envelope(people=[{"id": 1, "name": "Ann"}]), "wrong columns"),
    ],
)
@pytest.mark.django_db
def test_what_is_not_a_readable_funnel_export_is_refused_with_a_message(
    tmp_path: Path, owner: User, name: str, content: bytes, message: str
) -> None:
    path = zip_with(tmp_path / "export.zip", name, content)
    with pytest.raises(TransferError, match=message):
        import_export_zip(path, owner)


@pytest.mark.django_db
def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path, owner: User) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 but not really")
    with pytest.raises(TransferError, match="not a zip file"):
        import_export_zip(path, owner)


def edited(source: Path, target: Path, change: Any) -> Path:
    with zipfile.ZipFile(source) as archive:
        content = json.loads(archive.read(JSON_NAME))
    change(content["records"])
    return zip_with(target, JSON_NAME, json.dumps(content).encode())


def set_first(kind: str, column: str, value: Any) -> Any:
    def change(records: dict[str, list[dict[str, Any]]]) -> None:
        records[kind][0][column] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_first("opportunities", "organisation", 999_999), "999999 is not among the organ"),
        (set_first("opportunities", "value", "12.345"), "opportunities .*, value"),
        (set_first("opportunities", "value", "NaN"), "value"),
        (set_first("opportunities", "level", "heaven"), "level"),
        (set_first("opportunities", "created", "2026-01-01T10:00:00"), "without its time zone"),
        (set_first("opportunities", "created", "yesterday"), "created"),
        (set_first("opportunities", "title", None), "cannot be empty"),
        (set_first("opportunities", "title", "x" * 201), "title"),
        (set_first("opportunities", "title", "a\x00b"), "title"),
        (set_first("opportunities", "attempts_without_answer", 10**12), "attempts"),
        (set_first("opportunities", "follow_up_agreed", "yes"), "follow_up_agreed"),
        (set_first("opportunities", "id", "1"), "id that is not a number"),
        (set_first("phones", "number", "call me"), "phones .*, number"),
        (set_first("profiles", "time_zone", "Mars/Olympus"), "not a known time zone"),
        (set_first("profiles", "income_target", "-5.00"), "profiles .*, income_target"),
        (set_first("profiles", "income_target", "8000.505"), "income_target"),
        (set_first("profiles", "income_target", 8000.5), "income_target"),
        (set_first("profiles", "income_tolerance", 91), "profiles .*, income_tolerance"),
        (set_first("profiles", "income_tolerance", None), "income_tolerance.*cannot be empty"),
        (set_first("quotes", "superseded_by", 424242), "424242 is not among the quotes"),
    ],
)
@pytest.mark.django_db
def test_a_damaged_record_is_refused_with_its_kind_and_id_and_nothing_is_written(
    tmp_path: Path, owner: User, opportunity: Opportunity, change: Any, message: str
) -> None:
    PhoneNumber.objects.create(person=opportunity.main_contact, number=PHONE)  # type: ignore[misc]
    Quote.objects.create(
        team=owner.profile.team, opportunity=opportunity, number="Q1", amount=1, currency="EUR"
    )
    export(owner, tmp_path / "good.zip")
    path = edited(tmp_path / "good.zip", tmp_path / "bad.zip", change)
    user = create_user(username="new", password=PASSWORD)

    with pytest.raises(TransferError, match=message):
        import_export_zip(path, user)
    assert not Opportunity.objects.filter(team=user.profile.team).exists()
    assert FitCriterion.objects.filter(team=user.profile.team).exists()  # untouched


@pytest.mark.django_db
def test_an_export_from_before_the_email_settings_restores_the_profile_with_their_defaults(
    tmp_path: Path, owner: User
) -> None:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.email_hour = 6
    owner.profile.save()

    profile = restored_without(owner, EMAIL_SETTINGS, tmp_path)
    assert (profile.time_zone, profile.email_hour) == ("Europe/Rome", 7)


def restored_without(owner: User, columns: Iterable[str], tmp_path: Path) -> Profile:
    """The owner's export, made older by leaving out these profile columns, restored into a
    new user: that user's profile."""
    left_out = list(columns)

    def older(records: dict[str, list[dict[str, Any]]]) -> None:
        for row in records["profiles"]:
            for column in left_out:
                del row[column]

    export(owner, tmp_path / "now.zip")
    path = edited(tmp_path / "now.zip", tmp_path / "older.zip", older)
    user = create_user(username="new", password=PASSWORD)
    import_export_zip(path, user)
    return Profile.objects.get(user=user)


@pytest.mark.django_db
def test_the_email_settings_travel_with_the_export(tmp_path: Path, owner: User) -> None:
    owner.profile.email_hour = 6
    owner.profile.email_reminder_minutes = 20
    owner.profile.save()
    export(owner, tmp_path / "now.zip")
    user = create_user(username="new", password=PASSWORD)
    import_export_zip(tmp_path / "now.zip", user)
    user.profile.refresh_from_db()
    assert (user.profile.email_hour, user.profile.email_reminder_minutes) == (6, 20)


@pytest.mark.parametrize(
    "left_out",
    [INCOME_TARGET, EMAIL_SETTINGS + INCOME_TARGET],
    ids=["before the income target", "before the email settings too"],
)
@pytest.mark.django_db
def test_an_export_from_before_the_income_target_restores_no_target_and_a_tolerance_of_30(
    tmp_path: Path, owner: User, left_out: tuple[str, ...]
) -> None:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.income_target = Decimal(8000)
    owner.profile.income_tolerance = 10
    owner.profile.save()

    profile = restored_without(owner, left_out, tmp_path)
    assert (profile.time_zone, profile.income_target, profile.income_tolerance) == (
        "Europe/Rome",
        None,
        30,
    )


@pytest.mark.django_db
def test_the_income_target_travels_with_the_export(tmp_path: Path, owner: User) -> None:
    owner.profile.income_target = Decimal("8000.50")
    owner.profile.income_tolerance = 15
    owner.profile.save()
    export(owner, tmp_path / "now.zip")
    user = create_user(username="new", password=PASSWORD)
    import_export_zip(tmp_path / "now.zip", user)
    user.profile.refresh_from_db()
    assert (user.profile.income_target, user.profile.income_tolerance) == (Decimal("8000.50"), 15)


@pytest.mark.django_db
def test_an_income_target_not_set_stays_not_set(tmp_path: Path, owner: User) -> None:
    export(owner, tmp_path / "now.zip")
    user = create_user(username="new", password=PASSWORD)
    # Set here before the import: the export's empty target wins.
    Profile.objects.filter(user=user).update(income_target=Decimal(3000))
    import_export_zip(tmp_path / "now.zip", user)
    user.profile.refresh_from_db()
    assert (user.profile.income_target, user.profile.income_tolerance) == (None, 30)


@pytest.mark.django_db
def test_two_records_the_database_refuses_together_are_refused_with_a_message(
    tmp_path: Path, owner: User, organisation: Organisation
) -> None:
    def twin(records: dict[str, list[dict[str, Any]]]) -> None:
        records["organisations"].append({**records["organisations"][0], "id": 999})

    export(owner, tmp_path / "good.zip")
    path = edited(tmp_path / "good.zip", tmp_path / "bad.zip", twin)
    user = create_user(username="new", password=PASSWORD)

    with pytest.raises(TransferError, match="contradicts itself"):
        import_export_zip(path, user)
    assert not Organisation.objects.filter(team=user.profile.team).exists()


@pytest.mark.django_db
def test_restoring_takes_a_query_count_that_does_not_grow_per_record(
    tmp_path: Path, owner: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    Organisation.objects.bulk_create(
        Organisation(team=owner.profile.team, name=f"Org {n}") for n in range(300)
    )
    export(owner, tmp_path / "export.zip")
    user = create_user(username="new", password=PASSWORD)
    with transaction.atomic(), django_assert_max_num_queries(120):
        counts = import_export_zip(tmp_path / "export.zip", user)
    assert counts["organisations"] == 300
