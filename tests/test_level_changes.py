"""Opportunities move between levels only through move_opportunity, which keeps the history."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funnel.contacts.models import Person
from funnel.sales.actions import AlreadyMoved, move_opportunity
from funnel.sales.models import BuyingInfluence, LevelChange, Opportunity
from tests.helpers import present

pytestmark = pytest.mark.django_db


def test_a_new_opportunity_starts_its_history_where_it_entered(
    opportunity: Opportunity, owner: User
) -> None:
    (created,) = opportunity.level_changes.all()
    assert (created.from_level, created.to_level, created.by) == ("", "above", owner)


def test_each_move_is_recorded_with_when_who_from_and_to(
    opportunity: Opportunity, owner: User, person: Person
) -> None:
    BuyingInfluence.objects.create(
        opportunity=opportunity,
        person=person,
        role="economic",
        status="contacted",
        fit_confirmed=True,
    )
    when = opportunity.level_changes.get().at + timedelta(days=3)
    move_opportunity(opportunity=opportunity, to_level="in", by=owner, at=when)
    move_opportunity(
        opportunity=opportunity,
        to_level="best_few",
        by=owner,
        at=when + timedelta(days=1),
        override_reason="The CEO asked to sign before Christmas",
    )
    opportunity.refresh_from_db()
    assert opportunity.level == "best_few"
    history = list(opportunity.level_changes.values_list("from_level", "to_level"))
    assert history == [("", "above"), ("above", "in"), ("in", "best_few")]
    moved_in = opportunity.level_changes.get(to_level="in")
    assert moved_in.at == when
    assert (
        present(opportunity.level_changes.last()).override_reason
        == "The CEO asked to sign before Christmas"
    )


def test_closing_as_lost_needs_a_reason_and_keeps_it(opportunity: Opportunity, owner: User) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        move_opportunity(opportunity=opportunity, to_level="lost", by=owner, reason="  ")
    opportunity.refresh_from_db()
    assert opportunity.level == "above"
    assert opportunity.level_changes.count() == 1
    move_opportunity(
        opportunity=opportunity, to_level="lost", by=owner, reason="Chose a local firm"
    )
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == ("lost", "Chose a local firm")


def test_closing_as_dead_needs_a_reason_too(opportunity: Opportunity, owner: User) -> None:
    with pytest.raises(ValidationError):
        move_opportunity(opportunity=opportunity, to_level="dead", by=owner)


def test_moving_to_the_same_level_or_an_unknown_one_is_refused(
    opportunity: Opportunity, owner: User
) -> None:
    with pytest.raises(ValidationError):
        move_opportunity(opportunity=opportunity, to_level="above", by=owner)
    with pytest.raises(ValidationError):
        move_opportunity(opportunity=opportunity, to_level="heaven", by=owner)
    assert opportunity.level_changes.count() == 1


def test_the_database_refuses_a_lost_opportunity_without_a_reason(opportunity: Opportunity) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(level="lost", reason="")


def test_the_database_refuses_a_negative_value(opportunity: Opportunity) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(value=-1)


def test_the_database_refuses_an_opportunity_without_a_customer(opportunity: Opportunity) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(organisation=None, main_contact=None)


def test_an_opportunity_has_at_most_one_economic_buyer(
    opportunity: Opportunity, person: Person
) -> None:
    from funnel.contacts.models import Person

    colleague = Person.objects.create(
        team=person.team, name="Marco Ferretti", organisation=person.organisation
    )
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role="economic")
    BuyingInfluence.objects.create(opportunity=opportunity, person=colleague, role="user")
    with pytest.raises(IntegrityError), transaction.atomic():
        BuyingInfluence.objects.create(opportunity=opportunity, person=colleague, role="economic")


def test_a_level_change_must_change_the_level(opportunity: Opportunity) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelChange.objects.create(opportunity=opportunity, from_level="in", to_level="in")


def test_a_move_read_before_another_one_landed_is_refused_and_writes_nothing(
    opportunity: Opportunity, owner: User
) -> None:
    """Two tabs: both read Above; the first moves it to Dead, the second's move finds it gone."""
    second_tab = Opportunity.objects.get(pk=opportunity.pk)
    move_opportunity(opportunity=opportunity, to_level="dead", by=owner, reason="No budget")

    with pytest.raises(AlreadyMoved, match="Operations review was already moved to Dead"):
        move_opportunity(opportunity=second_tab, to_level="lost", by=owner, reason="Chose rivals")

    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == ("dead", "No budget")
    assert opportunity.level_changes.count() == 2


def test_a_move_from_a_page_that_showed_another_level_is_refused(
    opportunity: Opportunity, owner: User
) -> None:
    with pytest.raises(AlreadyMoved, match="already moved to Above the funnel"):
        move_opportunity(
            opportunity=opportunity, to_level="dead", by=owner, reason="x", seen_level="in"
        )
    assert opportunity.level_changes.count() == 1
