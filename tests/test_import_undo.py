"""Undoing an import: what it created goes, unless someone has worked on it since."""

import pytest
from django.contrib.auth.models import User

from funnel.contacts.models import ImportBatch, Organisation, Person
from funnel.lib.refusals import Refused
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity
from funnel.transfer.actions import undo_import
from tests.import_helpers import deal_row, import_rows, person_row


def test_undo_removes_what_the_import_created_and_nothing_else(owner: User) -> None:
    import_rows(owner, [person_row(2, "Maria", email="maria@x.example")])
    batch, _summary = import_rows(
        owner,
        [
            person_row(2, "Maria", email="maria@x.example", job_title="CEO"),
            person_row(3, "Jon", email="jon@x.example", organisation="Berg AB"),
            deal_row(4, "Website", "Keller AG"),
        ],
    )
    removed = undo_import(user=owner, batch_id=batch.pk)
    assert removed == {"people": 1, "organisations": 2, "opportunities": 1}
    maria = Person.objects.get()
    assert maria.name == "Maria" and maria.job_title == "CEO"  # filled in: hers before
    assert not Organisation.objects.exists() and not Opportunity.objects.exists()
    batch.refresh_from_db()
    assert batch.undone is not None


def test_undo_twice_is_refused_cleanly(owner: User) -> None:
    batch, _summary = import_rows(owner, [person_row(2, "Maria")])
    undo_import(user=owner, batch_id=batch.pk)
    with pytest.raises(Refused, match="already undone"):
        undo_import(user=owner, batch_id=batch.pk)


def test_undo_is_refused_once_a_created_record_was_edited(owner: User) -> None:
    batch, _summary = import_rows(owner, [person_row(2, "Maria"), person_row(3, "Jon")])
    jon = Person.objects.get(name="Jon")
    jon.job_title = "Buyer"
    jon.save()
    with pytest.raises(Refused, match="Jon"):
        undo_import(user=owner, batch_id=batch.pk)
    assert Person.objects.count() == 2


def test_undo_is_refused_when_work_hangs_off_an_imported_record(owner: User) -> None:
    batch, _summary = import_rows(owner, [person_row(2, "Maria")])
    Activity.objects.create(
        team=owner.profile.team, person=Person.objects.get(), kind="call", by=owner
    )
    with pytest.raises(Refused, match="Maria"):
        undo_import(user=owner, batch_id=batch.pk)
    assert Person.objects.exists()


def test_undo_is_refused_once_an_imported_deal_has_moved(owner: User) -> None:
    batch, _summary = import_rows(owner, [deal_row(2, "Website", "Keller AG")])
    opportunity = Opportunity.objects.get()
    move_opportunity(opportunity=opportunity, to_level=Level.ABOVE, by=owner)
    with pytest.raises(Refused, match="Website"):
        undo_import(user=owner, batch_id=batch.pk)


def test_another_teams_import_cannot_be_undone(owner: User, outsider: User) -> None:
    batch, _summary = import_rows(owner, [person_row(2, "Maria")])
    with pytest.raises(Refused):
        undo_import(user=outsider, batch_id=batch.pk)
    assert ImportBatch.objects.get().undone is None
