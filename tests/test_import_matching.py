"""Importing rows: what is new, what matches what the team has, and what is written."""

import datetime
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnel.accounts.actions import create_user
from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.sales.models import Level, LevelChange, Opportunity
from funnel.transfer import actions, importing
from funnel.transfer.errors import TransferError
from funnel.transfer.records import DealIn, Incoming, OrganisationIn, Problem
from tests.import_helpers import RowsSource, deal_row, import_rows, person_row, preview_rows


def test_new_people_and_organisations_are_created_with_their_batch(owner: User) -> None:
    batch, summary = import_rows(
        owner,
        [
            person_row(2, "Maria Keller", email="maria@keller.example", organisation="Keller AG"),
            person_row(3, "Jon Berg", phone="+46 70 123 45 67", organisation="Berg AB"),
        ],
    )
    assert summary.statuses["new"] == 2
    maria = Person.objects.get(name="Maria Keller")
    assert maria.import_batch == batch
    assert maria.organisation is not None and maria.organisation.name == "Keller AG"
    assert maria.organisation.import_batch == batch
    assert list(maria.emails.values_list("address", flat=True)) == ["maria@keller.example"]
    assert PhoneNumber.objects.get(person__name="Jon Berg").number == "+46 70 123 45 67"
    assert batch.counts["created"] == {"people": 2, "organisations": 2}
    assert batch.finished is not None


def test_people_match_by_email_whatever_its_case(owner: User) -> None:
    import_rows(owner, [person_row(2, "Maria Keller", email="Maria@Keller.example")])
    _batch, summary = import_rows(owner, [person_row(2, "M. Keller", email="maria@keller.EXAMPLE")])
    assert summary.statuses["duplicate"] == 1
    assert Person.objects.filter(team=owner.profile.team).count() == 1


def test_people_match_by_phone_however_it_is_written(owner: User) -> None:
    import_rows(owner, [person_row(2, "Jon Berg", phone="+46 70 123 45 67")])
    _batch, summary = import_rows(owner, [person_row(2, "Jonathan Berg", phone="+46701234567")])
    assert summary.statuses["duplicate"] == 1
    assert Person.objects.count() == 1


def test_people_match_by_name_and_organisation_but_not_by_name_alone(owner: User) -> None:
    import_rows(owner, [person_row(2, "Ana García", organisation="Sol SL")])
    _batch, summary = import_rows(
        owner,
        [
            person_row(2, "ana garcia", organisation="SOL SL"),
            person_row(3, "Ana García", organisation="Luna SA"),
        ],
    )
    assert [row.status for row in summary.sample] == ["duplicate", "new"]
    assert Person.objects.filter(name__iexact="ana garcía").count() == 2


def test_organisations_match_by_web_domain_then_by_name(owner: User) -> None:
    import_rows(
        owner,
        [
            person_row(2, "A", organisation="Acme Inc.", website="https://www.acme.example/about"),
            person_row(3, "B", organisation="Zeta"),
        ],
    )
    import_rows(
        owner,
        [
            person_row(2, "C", organisation="ACME Incorporated", website="acme.example"),
            person_row(3, "D", organisation="zeta"),
        ],
    )
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Acme Inc.", "Zeta"]
    assert Person.objects.get(name="C").organisation == Organisation.objects.get(name="Acme Inc.")


def test_a_match_is_filled_in_never_overwritten(owner: User) -> None:
    import_rows(owner, [person_row(2, "Maria", email="maria@x.example", job_title="CEO")])
    _batch, summary = import_rows(
        owner,
        [
            person_row(
                2,
                "Maria",
                email="maria@x.example",
                phone="+39 333 123 4567",
                job_title="Intern",
                organisation="Keller AG",
            )
        ],
    )
    maria = Person.objects.get()
    assert summary.updated["people"] == 1 and summary.created["organisations"] == 1
    assert maria.job_title == "CEO"
    assert maria.organisation is not None and maria.organisation.name == "Keller AG"
    assert list(maria.phones.values_list("number", flat=True)) == ["+39 333 123 4567"]


def test_the_same_person_twice_in_one_file_is_made_once(owner: User) -> None:
    _batch, summary = import_rows(
        owner,
        [
            person_row(2, "Maria Keller", email="maria@keller.example"),
            person_row(3, "Maria Keller", email="MARIA@keller.example", phone="+39 333 1234567"),
        ],
    )
    assert [row.status for row in summary.sample] == ["new", "update"]
    maria = Person.objects.get()
    assert maria.phones.count() == 1


def test_matching_reaches_across_chunks(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "CHUNK", 2)
    rows = [person_row(n, f"Person {n}", email=f"p{n % 3}@x.example") for n in range(2, 9)]
    _batch, summary = import_rows(owner, rows)
    assert summary.statuses["new"] == 3
    assert Person.objects.count() == 3
    assert EmailAddress.objects.count() == 3


def test_the_preview_writes_nothing_and_says_what_the_import_will_do(owner: User) -> None:
    import_rows(owner, [person_row(2, "Maria", email="maria@x.example")])
    rows = [
        person_row(2, "Maria", email="maria@x.example"),
        person_row(3, "Jon", email="jon@x.example"),
        person_row(4, "Jon again", email="jon@x.example", phone="+39 333 1234567"),
        Incoming(line=5, problems=[Problem(5, "Email", "not an email")]),
    ]
    with CaptureQueriesContext(connection) as queries:
        preview = preview_rows(owner, rows)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    _batch, done = import_rows(owner, rows)
    assert preview.as_json()["statuses"] == done.as_json()["statuses"]
    assert dict(preview.statuses) == {"duplicate": 1, "new": 1, "update": 1, "error": 1}
    assert preview.problems == [Problem(5, "Email", "not an email")]


def test_columns_funnel_has_no_field_for_land_in_the_notes(owner: User) -> None:
    import_rows(
        owner,
        [
            person_row(2, "Maria", kept=[("Lifecycle Stage", "Lead"), ("Record ID", "901")]),
            Incoming(
                line=3,
                organisation=OrganisationIn(name="Keller AG"),
                kept=[("Industry code", "C28")],
            ),
        ],
    )
    notes = Person.objects.get().notes
    assert "Lifecycle Stage: Lead" in notes and "Record ID: 901" in notes
    assert "Industry code: C28" in Organisation.objects.get().notes


def test_deals_take_the_level_chosen_for_their_stage_with_history_from_the_file(
    owner: User,
) -> None:
    stages: dict[str, str] = {"Negotiation": Level.BEST_FEW, "Closed Lost": Level.LOST}
    import_rows(
        owner,
        [
            deal_row(
                2,
                "Website",
                "Keller AG",
                stage="Negotiation",
                value=Decimal("1200.50"),
                currency="EUR",
                close_on=datetime.date(2027, 1, 31),
                created_on=datetime.date(2026, 9, 1),
            ),
            deal_row(3, "Shop", "Berg AB", stage="Closed Lost"),
        ],
        stages=stages,
    )
    website = Opportunity.objects.get(title="Website")
    assert (website.level, website.value, website.currency) == (
        "best_few",
        Decimal("1200.50"),
        "EUR",
    )
    assert website.expected_close_on == datetime.date(2027, 1, 31)
    assert website.first_contact_on == datetime.date(2026, 9, 1)
    history = LevelChange.objects.get(opportunity=website)
    assert history.at.date() == datetime.date(2026, 9, 1) and history.to_level == "best_few"
    shop = Opportunity.objects.get(title="Shop")
    assert shop.level == "lost" and shop.reason  # a lost deal always says why
    assert shop.currency == owner.profile.currency


def test_deal_owners_are_found_by_email_and_unknown_ones_reported(owner: User) -> None:
    colleague = create_user(username="bea", password="x-long-password", email="bea@team.example")
    colleague.memberships.update(team=owner.profile.team)
    _batch, summary = import_rows(
        owner,
        [
            deal_row(2, "One", "Keller AG", owner_email="BEA@team.example"),
            deal_row(3, "Two", "Keller AG", owner_email="gone@elsewhere.example"),
        ],
    )
    assert Opportunity.objects.get(title="One").owner == colleague
    assert Opportunity.objects.get(title="Two").owner == owner
    assert summary.unknown_owners == ["gone@elsewhere.example"]


def test_a_deal_already_there_is_a_duplicate(owner: User) -> None:
    import_rows(owner, [deal_row(2, "Website", "Keller AG")])
    _batch, summary = import_rows(owner, [deal_row(2, "website", "keller ag")])
    assert summary.statuses["duplicate"] == 1
    assert Opportunity.objects.count() == 1


def test_deal_values_the_database_would_refuse_are_problems_of_their_row(owner: User) -> None:
    _batch, summary = import_rows(
        owner,
        [
            deal_row(2, "Far", "Keller AG", close_on=datetime.date(9999, 12, 31)),
            deal_row(3, "Odd money", "Keller AG", currency="XYZ"),
            Incoming(line=4, deal=DealIn(title="Nobody's")),
            deal_row(5, "Fine", "Keller AG"),
        ],
    )
    assert [p.line for p in summary.problems] == [2, 3, 4]
    assert list(Opportunity.objects.values_list("title", flat=True)) == ["Fine"]


def test_a_file_that_fails_halfway_leaves_nothing_behind(owner: User) -> None:
    def rows() -> Iterator[Incoming]:
        for n in range(2, 2500):
            yield person_row(n, f"Person {n}", email=f"p{n}@x.example")
        raise TransferError("Line 2,500 is not in the file's encoding (UTF-8).", line=2500)

    with pytest.raises(TransferError):
        actions.run_import(user=owner, source=RowsSource(rows), file_name="x.csv", stages={})
    assert not Person.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_import_writes_in_bulk_not_row_by_row(owner: User) -> None:
    def count(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            import_rows(
                owner,
                [
                    person_row(n, f"P{n}", email=f"p{n}@q{rows}.example", organisation=f"O{n}")
                    for n in range(rows)
                ],
            )
        return len(queries)

    # Ten times the rows: a few more INSERT statements (SQLite takes 999 values in one), no
    # more reads.
    assert count(1000) - count(100) < 30


def test_imported_organisations_are_scored_against_the_ideal_customer(owner: User) -> None:
    from funnel.fit.models import FitCriterion

    FitCriterion.objects.create(
        team=owner.profile.team,
        kind="demographic",
        name="Sector",
        attribute="sector",
        accepted="Manufacturing",
    )
    import_rows(
        owner,
        [
            Incoming(line=2, organisation=OrganisationIn(name="Keller AG", sector="Manufacturing")),
            Incoming(line=3, organisation=OrganisationIn(name="Berg AB", sector="Retail")),
        ],
    )
    scores = dict(Organisation.objects.values_list("name", "fit_score"))
    assert scores == {"Keller AG": 100, "Berg AB": 0}


ROW = st.builds(
    lambda line, name, email, phone, organisation: person_row(
        line, name, email=email, phone=phone, organisation=organisation
    ),
    st.integers(2, 10_000),
    st.sampled_from(["Ana García", "ana garcia", "Jon Berg", "Maria Keller", "Ö Ü"]),
    st.sampled_from(["", "ana@x.example", "ANA@x.example", "jon@y.example"]),
    st.sampled_from(["", "+39 02 1234 5678", "+390212345678", "+46 70 123 45 67"]),
    st.sampled_from(["", "Sol SL", "SOL SL", "Berg AB"]),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_importing_the_same_rows_again_creates_nothing(owner: User, rows: list[Incoming]) -> None:
    import_rows(owner, rows)
    counts = (Person.objects.count(), Organisation.objects.count(), EmailAddress.objects.count())
    _batch, again = import_rows(owner, rows)
    assert again.statuses["new"] == 0 and not again.created
    assert (Person.objects.count(), Organisation.objects.count(), EmailAddress.objects.count()) == (
        counts
    )


@given(st.text(max_size=40))
def test_a_folded_name_is_the_same_however_the_name_is_written(name: str) -> None:
    from funnel.transfer.values import fold

    assert fold(unicodedata.normalize("NFD", name)) == fold(unicodedata.normalize("NFC", name))
    assert fold(f"  {name}\t") == fold(name)
    assert fold("José  Ruiz") == fold("JOSE RUIZ") == "jose ruiz"
