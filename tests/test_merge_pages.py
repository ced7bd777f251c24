"""The merge pages: from a person's or an organisation's page, choose the duplicate, see both
side by side, merge; a second click, another team's record and forged ids change nothing."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.fit.models import FitCriterion, Rating
from funnel.sales.models import Activity, Opportunity
from funnel.sales.ranking import ranking_weight
from tests.helpers import new_client


@pytest.fixture
def twin(person: Person) -> Person:
    twin = Person.objects.create(team=person.team, name="G. Ferretti", job_title="Founder")
    EmailAddress.objects.create(person=twin, address="giulia@ferretti.example")
    return twin


@pytest.fixture
def duplicate(organisation: Organisation) -> Organisation:
    return Organisation.objects.create(team=organisation.team, name="Ferretti Arredamenti Srl")


def merge_url(keep: Person | Organisation, other: Person | Organisation) -> str:
    name = "person_merge" if isinstance(keep, Person) else "organisation_merge"
    return reverse(name, args=[keep.pk, other.pk])


def choose_url(record: Person | Organisation) -> str:
    name = "person_merge_choose" if isinstance(record, Person) else "organisation_merge_choose"
    return reverse(name, args=[record.pk])


# People


def test_the_person_page_links_to_merging(owner_client: Client, person: Person) -> None:
    response = owner_client.get(person.get_absolute_url())
    assert choose_url(person) in response.text
    assert "Merge with another person…" in response.text


def test_people_with_the_same_email_phone_or_name_are_offered_first(
    owner_client: Client, person: Person, twin: Person
) -> None:
    EmailAddress.objects.create(person=person, address="Giulia@Ferretti.example")
    namesake = Person.objects.create(team=person.team, name="giulia ferretti")
    caller = Person.objects.create(team=person.team, name="Reception")
    PhoneNumber.objects.create(person=person, number="+39 051 123456")
    PhoneNumber.objects.create(person=caller, number="+39 051 123456")
    Person.objects.create(team=person.team, name="Marco Bianchi")

    response = owner_client.get(choose_url(person))

    assert response.status_code == 200
    likely = [candidate.name for candidate in response.context["likely"]]
    assert sorted(likely) == sorted([twin.name, namesake.name, caller.name])
    assert "Marco Bianchi" not in response.text
    assert merge_url(person, twin) in response.text


def test_searching_finds_the_duplicate_by_name_or_email(
    owner_client: Client, person: Person, outsider_person: Person
) -> None:
    marco = Person.objects.create(team=person.team, name="Marco Bianchi")
    EmailAddress.objects.create(person=marco, address="mb@bianchi.example")

    response = owner_client.get(choose_url(person), {"q": "bianchi.example"})

    assert [found.name for found in response.context["found"]] == ["Marco Bianchi"]
    assert merge_url(person, marco) in response.text
    spy = owner_client.get(choose_url(person), {"q": "Mallory"})
    assert "Mallory" not in "".join(found.name for found in spy.context["found"])


def test_the_search_answers_htmx_with_the_results_only(
    owner_client: Client, person: Person
) -> None:
    Person.objects.create(team=person.team, name="Marco Bianchi")
    response = owner_client.get(choose_url(person), {"q": "Marco"}, headers={"HX-Request": "true"})
    assert 'id="merge-results"' in response.text
    assert "<html" not in response.text
    assert "Marco Bianchi" in response.text


def test_a_long_search_finds_nothing_rather_than_failing(
    owner_client: Client, person: Person
) -> None:
    response = owner_client.get(choose_url(person), {"q": "x" * 10_000})
    assert response.status_code == 200
    assert "Nothing matches." in response.text


def test_the_confirmation_shows_both_and_what_will_move(
    owner_client: Client,
    person: Person,
    twin: Person,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    deal = make_opportunity("Showroom", main_contact=twin)
    Activity.objects.bulk_create(
        Activity(team=twin.team, person=twin, opportunity=deal) for _ in range(3)
    )

    response = owner_client.get(merge_url(person, twin))

    assert response.status_code == 200
    text = response.text
    assert "Merge G. Ferretti into Giulia Ferretti?" in text
    assert "giulia@ferretti.example" in text
    moving = {move.what: move.count for move in response.context["moving"]}
    assert moving == {"activities": 3, "opportunities": 1, "email addresses": 1}
    assert "csrfmiddlewaretoken" in text
    assert merge_url(twin, person) in text  # keep the other one instead


def test_merging_moves_everything_and_lands_on_the_kept_person(
    owner_client: Client,
    person: Person,
    twin: Person,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    deal = make_opportunity("Showroom", main_contact=twin)

    response = owner_client.post(merge_url(person, twin), follow=True)

    assert response.redirect_chain == [(person.get_absolute_url(), 302)]
    assert "G. Ferretti is merged into Giulia Ferretti" in response.text
    assert "giulia@ferretti.example" in response.text
    assert not Person.objects.filter(pk=twin.pk).exists()
    deal.refresh_from_db()
    assert deal.main_contact == person


def test_a_second_click_on_merge_says_it_is_done_and_changes_nothing(
    owner_client: Client, person: Person, twin: Person
) -> None:
    owner_client.post(merge_url(person, twin))
    response = owner_client.post(merge_url(person, twin), follow=True)
    assert response.status_code == 200
    assert "already been merged" in response.text
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_merge_is_refused_without_the_forms_csrf_token(
    owner: User, person: Person, twin: Person
) -> None:
    client = new_client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(merge_url(person, twin)).status_code == 403
    assert Person.objects.filter(pk=twin.pk).exists()


def test_a_person_is_not_offered_as_their_own_duplicate(
    owner_client: Client, person: Person
) -> None:
    assert owner_client.get(merge_url(person, person)).status_code == 404
    response = owner_client.post(merge_url(person, person), follow=True)
    assert "cannot be merged with itself" in response.text
    assert Person.objects.filter(pk=person.pk).exists()


def test_an_outsider_gets_404_and_cannot_merge_into_their_own(
    outsider_client: Client, person: Person, twin: Person, outsider_person: Person
) -> None:
    for address in (choose_url(person), merge_url(person, twin)):
        assert outsider_client.get(address).status_code == 404
        assert outsider_client.post(address).status_code == 404
    # Their own person as the one kept, the owner's as the duplicate: not theirs to take.
    assert outsider_client.get(merge_url(outsider_person, person)).status_code == 404
    outsider_client.post(merge_url(outsider_person, person))
    assert Person.objects.filter(pk__in=[person.pk, twin.pk]).count() == 2


def test_the_owner_cannot_swallow_another_teams_person(
    owner_client: Client, person: Person, outsider_person: Person
) -> None:
    assert owner_client.get(merge_url(person, outsider_person)).status_code == 404
    owner_client.post(merge_url(person, outsider_person))
    assert Person.objects.filter(pk=outsider_person.pk).exists()


@pytest.mark.parametrize("address", ["/people/1/merge/²/", "/people/1/merge/" + "9" * 23 + "/"])
def test_forged_ids_are_not_found(owner_client: Client, person: Person, address: str) -> None:
    assert owner_client.get(address).status_code == 404
    assert owner_client.post(address).status_code == 404


# Organisations


def test_the_organisation_page_links_to_merging(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(organisation.get_absolute_url())
    assert choose_url(organisation) in response.text


def test_organisations_named_alike_are_offered_first(
    owner_client: Client, organisation: Organisation, duplicate: Organisation
) -> None:
    Organisation.objects.create(team=organisation.team, name="Bianchi Logistica")
    response = owner_client.get(choose_url(organisation))
    assert [candidate.name for candidate in response.context["likely"]] == [duplicate.name]


def test_merging_organisations_moves_people_and_deals_and_scores_the_fit_again(
    owner_client: Client,
    organisation: Organisation,
    duplicate: Organisation,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    reputation = FitCriterion.objects.get(team=organisation.team, name="Reputation")
    Rating.objects.create(organisation=duplicate, criterion=reputation, value=5)
    buyer = Person.objects.create(team=organisation.team, name="Luca", organisation=duplicate)
    deal = make_opportunity("Warehouse", organisation=duplicate, value=8000)
    assert owner_client.get(merge_url(organisation, duplicate)).status_code == 200

    response = owner_client.post(merge_url(organisation, duplicate), follow=True)

    assert response.redirect_chain == [(organisation.get_absolute_url(), 302)]
    assert "Luca" in response.text and "Warehouse" in response.text
    organisation.refresh_from_db()
    deal.refresh_from_db()
    buyer.refresh_from_db()
    assert buyer.organisation == organisation == deal.organisation
    assert organisation.fit_score is not None
    assert deal.weight == ranking_weight(deal.value, organisation.fit_score)


def test_a_second_merge_of_organisations_is_refused_cleanly(
    owner_client: Client, organisation: Organisation, duplicate: Organisation
) -> None:
    owner_client.post(merge_url(organisation, duplicate))
    response = owner_client.post(merge_url(organisation, duplicate), follow=True)
    assert "already been merged" in response.text


def test_an_outsider_gets_404_on_the_organisation_merge_pages(
    outsider_client: Client, organisation: Organisation, duplicate: Organisation
) -> None:
    for address in (choose_url(organisation), merge_url(organisation, duplicate)):
        assert outsider_client.get(address).status_code == 404
        assert outsider_client.post(address).status_code == 404
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_the_choice_of_people_takes_the_same_queries_however_many_look_alike(
    owner_client: Client,
    person: Person,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_namesakes(count: int) -> None:
        for _ in range(count):
            namesake = Person.objects.create(team=person.team, name=person.name)
            EmailAddress.objects.create(person=namesake, address=f"{namesake.pk}@example.com")

    add_namesakes(2)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(choose_url(person), {"q": "Ferretti"})
    add_namesakes(15)
    with django_assert_num_queries(len(few)):
        response = owner_client.get(choose_url(person), {"q": "Ferretti"})
    assert len(response.context["likely"]) == 17
