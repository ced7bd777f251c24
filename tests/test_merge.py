"""Merging duplicates, without HTTP: everything that points at the duplicate moves to the
record kept, the fields merge, and no unique rule ever stops the merge."""

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from funnel.contacts.merging import merge_organisations, merge_people, relations
from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.fit.actions import refresh_fit
from funnel.fit.models import FitCriterion, Rating
from funnel.followup import actions as follow_ups
from funnel.followup.models import FollowUp
from funnel.lib.refusals import Refused
from funnel.sales.models import Activity, BuyingInfluence, Opportunity
from funnel.sales.ranking import ranking_weight

Role, Status = BuyingInfluence.Role, BuyingInfluence.Status


@pytest.fixture
def twin(person: Person) -> Person:
    """The same Giulia Ferretti, imported from another tool."""
    return Person.objects.create(team=person.team, name="G. Ferretti")


def activities_of(person: Person, count: int, opportunity: Opportunity | None = None) -> None:
    Activity.objects.bulk_create(
        Activity(team=person.team, person=person, opportunity=opportunity, kind="call")
        for _ in range(count)
    )


def follow_up_with(person: Person, opportunity: Opportunity) -> FollowUp:
    follow_up = follow_ups.proposed_follow_up(opportunity)
    follow_up.person = person
    return follow_ups.schedule(follow_up=follow_up)


def influence(opportunity: Opportunity, person: Person, role: str, **fields: object) -> None:
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role=role, **fields)


# People: what moves


def test_everything_linked_to_the_duplicate_moves_to_the_person_kept(
    owner: User, person: Person, twin: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", main_contact=twin)
    activities_of(twin, 2, deal)
    activities_of(twin, 1)  # a note about them, on no opportunity
    planned = follow_up_with(twin, deal)
    influence(deal, twin, Role.USER)
    EmailAddress.objects.create(person=twin, address="giulia@ferretti.example")
    PhoneNumber.objects.create(person=twin, number="+39 051 123456")

    kept = merge_people(user=owner, keep=person, other=twin)

    assert kept == person
    assert not Person.objects.filter(pk=twin.pk).exists()
    assert Activity.objects.filter(person=person).count() == 3
    assert present_follow_up(planned).person == person
    deal.refresh_from_db()
    assert deal.main_contact == person
    assert [(i.person, i.role) for i in deal.influences.all()] == [(person, Role.USER)]
    assert [e.address for e in person.emails.all()] == ["giulia@ferretti.example"]
    assert [p.number for p in person.phones.all()] == ["+39 051 123456"]


def present_follow_up(follow_up: FollowUp) -> FollowUp:
    return FollowUp.objects.get(pk=follow_up.pk)


def test_the_kept_persons_details_win_and_their_empty_ones_are_filled(
    owner: User, person: Person, twin: Person, organisation: Organisation
) -> None:
    person.notes = "Prefers mornings."
    person.preferred_channel = ""
    person.save()
    twin.job_title = "Founder"
    twin.language = "en"
    twin.preferred_channel = "email"
    twin.notes = "Met at the Milan fair."
    twin.organisation = Organisation.objects.create(team=person.team, name="Ferretti Group")
    twin.save()

    merge_people(user=owner, keep=person, other=twin)

    person.refresh_from_db()
    assert (person.name, person.job_title, person.language) == ("Giulia Ferretti", "CEO", "it")
    assert person.organisation == organisation
    assert person.preferred_channel == "email"
    assert person.notes == "Prefers mornings.\n\nMet at the Milan fair."


def test_notes_both_records_share_are_kept_once(owner: User, person: Person, twin: Person) -> None:
    person.notes = twin.notes = "Met at the Milan fair."
    person.save()
    twin.save()
    merge_people(user=owner, keep=person, other=twin)
    person.refresh_from_db()
    assert person.notes == "Met at the Milan fair."


def test_the_same_email_and_phone_on_both_are_listed_once(
    owner: User, person: Person, twin: Person
) -> None:
    EmailAddress.objects.create(person=person, address="giulia@ferretti.example")
    EmailAddress.objects.create(person=twin, address="giulia@ferretti.example", kind="personal")
    EmailAddress.objects.create(person=twin, address="g@mail.example")
    PhoneNumber.objects.create(person=person, number="+39 051 123456")
    PhoneNumber.objects.create(person=twin, number="+39 051 123456")

    merge_people(user=owner, keep=person, other=twin)

    emails = sorted((e.address, e.kind) for e in person.emails.all())
    # The kind the kept address left at its default is the one the duplicate's told.
    assert emails == [("g@mail.example", "work"), ("giulia@ferretti.example", "personal")]
    assert [p.number for p in person.phones.all()] == ["+39 051 123456"]


# People: buying influences on the same opportunity


def test_a_main_contact_and_influence_merges_into_the_kept_influence(
    owner: User, person: Person, twin: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", main_contact=twin)
    influence(deal, person, Role.USER, notes="Uses it daily.")
    influence(deal, twin, Role.USER, status=Status.SATISFIED, fit_confirmed=True, notes="Busy.")

    merge_people(user=owner, keep=person, other=twin)

    kept = BuyingInfluence.objects.get(opportunity=deal)
    assert (kept.person, kept.role, kept.status) == (person, Role.USER, Status.SATISFIED)
    assert kept.fit_confirmed
    assert kept.notes == "Uses it daily.\n\nBusy."
    deal.refresh_from_db()
    assert deal.main_contact == person


def test_the_kept_persons_progress_with_an_influence_is_not_undone(
    owner: User, person: Person, twin: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom")
    influence(deal, person, Role.COACH, status=Status.SATISFIED)
    influence(deal, twin, Role.COACH, status=Status.CONTACTED)
    merge_people(user=owner, keep=person, other=twin)
    assert BuyingInfluence.objects.get(opportunity=deal).status == Status.SATISFIED


def test_different_roles_on_the_same_opportunity_are_both_kept(
    owner: User, person: Person, twin: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom")
    influence(deal, person, Role.COACH)
    influence(deal, twin, Role.ECONOMIC)
    merge_people(user=owner, keep=person, other=twin)
    roles = BuyingInfluence.objects.filter(opportunity=deal, person=person)
    assert sorted(roles.values_list("role", flat=True)) == [Role.COACH, Role.ECONOMIC]


# People: refusals and repeats


def test_a_person_cannot_be_merged_with_themselves(owner: User, person: Person) -> None:
    with pytest.raises(Refused, match="cannot be merged with itself"):
        merge_people(user=owner, keep=person, other=person)
    assert Person.objects.filter(pk=person.pk).exists()


def test_another_teams_person_cannot_be_merged(
    owner: User, outsider: User, person: Person, outsider_person: Person
) -> None:
    with pytest.raises(Refused, match="your team's records"):
        merge_people(user=owner, keep=person, other=outsider_person)
    with pytest.raises(Refused, match="your team's records"):
        merge_people(user=outsider, keep=outsider_person, other=person)
    assert Person.objects.filter(pk__in=[person.pk, outsider_person.pk]).count() == 2


def test_merging_again_is_refused_and_changes_nothing(
    owner: User, person: Person, twin: Person
) -> None:
    merge_people(user=owner, keep=person, other=twin)
    person.notes = "Changed on the page meanwhile."
    with pytest.raises(Refused, match="already been merged"):
        merge_people(user=owner, keep=person, other=twin)
    person.refresh_from_db()
    assert person.notes == ""


def test_merging_takes_the_same_queries_however_many_activities_there_are(
    owner: User, person: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom")

    def queries_to_merge(activities: int) -> int:
        twin = Person.objects.create(team=person.team, name="Duplicate")
        activities_of(twin, activities, deal)
        EmailAddress.objects.create(person=twin, address=f"{twin.pk}@example.com")
        with CaptureQueriesContext(connection) as queries:
            merge_people(user=owner, keep=person, other=twin)
        return len(queries)

    queries_to_merge(1)  # the first also reads the user's teams, once
    assert queries_to_merge(1) == queries_to_merge(40)
    assert Activity.objects.filter(person=person).count() == 42


# Import batches: undoing an import must not delete a record that absorbed another


def batch(owner: User, name: str) -> ImportBatch:
    return ImportBatch.objects.create(team=owner.profile.team, user=owner, file_name=name)


def test_the_kept_person_leaves_their_import_when_the_duplicate_came_from_elsewhere(
    owner: User, person: Person, twin: Person
) -> None:
    person.import_batch = batch(owner, "hubspot.csv")
    person.save()
    twin.import_batch = batch(owner, "pipedrive.csv")
    twin.save()
    merge_people(user=owner, keep=person, other=twin)
    person.refresh_from_db()
    assert person.import_batch is None


def test_the_kept_person_stays_in_their_import_when_both_came_from_it(
    owner: User, person: Person, twin: Person
) -> None:
    person.import_batch = twin.import_batch = batch(owner, "hubspot.csv")
    person.save()
    twin.save()
    merge_people(user=owner, keep=person, other=twin)
    person.refresh_from_db()
    assert person.import_batch is not None


def test_an_imported_person_absorbing_one_typed_in_leaves_the_import(
    owner: User, person: Person, twin: Person
) -> None:
    twin.import_batch = batch(owner, "hubspot.csv")
    twin.save()
    merge_people(user=owner, keep=twin, other=person)
    twin.refresh_from_db()
    assert twin.import_batch is None


# Organisations


@pytest.fixture
def duplicate(organisation: Organisation) -> Organisation:
    return Organisation.objects.create(
        team=organisation.team,
        name="Ferretti Arredamenti S.r.l.",
        website="https://ferretti.example",
        sector="Retail",
        notes="Imported from the old CRM.",
    )


def test_an_organisations_people_opportunities_and_ratings_move(
    owner: User,
    organisation: Organisation,
    duplicate: Organisation,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    reputation, culture = FitCriterion.objects.filter(team=organisation.team)[:2]
    Rating.objects.create(organisation=organisation, criterion=reputation, value=5)
    Rating.objects.create(organisation=duplicate, criterion=reputation, value=1)
    Rating.objects.create(organisation=duplicate, criterion=culture, value=4)
    buyer = Person.objects.create(team=organisation.team, name="Luca", organisation=duplicate)
    deal = make_opportunity("Second showroom", organisation=duplicate, value=5000)

    kept = merge_organisations(user=owner, keep=organisation, other=duplicate)

    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    buyer.refresh_from_db()
    deal.refresh_from_db()
    assert buyer.organisation == kept == deal.organisation
    ratings = {r.criterion.name: r.value for r in kept.fit_ratings.select_related("criterion")}
    assert ratings == {reputation.name: 5, culture.name: 4}
    kept.refresh_from_db()
    assert (kept.sector, kept.website) == ("Furniture", "https://ferretti.example")
    assert kept.notes == "Imported from the old CRM."


def test_rescoring_after_a_merge_weighs_the_moved_opportunities_with_the_kept_fit(
    owner: User,
    organisation: Organisation,
    duplicate: Organisation,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    reputation = FitCriterion.objects.filter(team=organisation.team).first()
    assert reputation is not None
    Rating.objects.create(organisation=duplicate, criterion=reputation, value=5)
    deal = make_opportunity("Second showroom", organisation=organisation, value=5000)
    other_deal = make_opportunity("Warehouse", organisation=duplicate, value=8000)
    refresh_fit(organisations=Organisation.objects.filter(pk__in=[organisation.pk, duplicate.pk]))

    kept = merge_organisations(user=owner, keep=organisation, other=duplicate)
    refresh_fit(organisations=Organisation.objects.filter(pk=kept.pk))

    kept.refresh_from_db()
    assert kept.fit_score is not None
    for opportunity in (deal, other_deal):
        opportunity.refresh_from_db()
        assert opportunity.weight == ranking_weight(opportunity.value, kept.fit_score)


def test_an_organisation_cannot_be_merged_twice_or_across_teams(
    owner: User,
    organisation: Organisation,
    duplicate: Organisation,
    outsider_organisation: Organisation,
) -> None:
    with pytest.raises(Refused):
        merge_organisations(user=owner, keep=organisation, other=outsider_organisation)
    with pytest.raises(Refused):
        merge_organisations(user=owner, keep=organisation, other=organisation)
    merge_organisations(user=owner, keep=organisation, other=duplicate)
    with pytest.raises(Refused, match="already been merged"):
        merge_organisations(user=owner, keep=organisation, other=duplicate)
    assert Organisation.objects.filter(pk=outsider_organisation.pk).exists()


# A guard for whoever adds a model later


@pytest.mark.parametrize("model", [Person, Organisation])
def test_every_unique_rule_on_what_points_at_contacts_names_its_fields(
    model: type[models.Model],
) -> None:
    """The merge finds the rows a unique rule lets the kept record have once by the rule's
    fields; a rule on expressions (Lower("address")) would slip past it and fail the merge."""
    for relation in relations(model):
        related = relation.related_model
        assert isinstance(related, type)
        for constraint in related._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                assert constraint.fields, (related.__name__, constraint.name)


def test_a_follow_up_that_changes_hands_is_stamped_changed_for_calendars(
    owner: User, person: Person, twin: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    planned = follow_up_with(twin, make_opportunity("Showroom"))
    later = planned.updated + dt.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        merge_people(user=owner, keep=person, other=twin)
    assert present_follow_up(planned).updated == later
