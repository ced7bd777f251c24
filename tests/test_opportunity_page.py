"""An opportunity's page: buying influences and activities, in place (htmx) or as pages."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.contacts.models import Person
from funnel.sales.models import Activity, BuyingInfluence, Opportunity
from tests.opportunity_helpers import HTMX, activity_data, influence_data, url


@pytest.fixture
def colleague(person: Person) -> Person:
    """A second person at the customer."""
    return Person.objects.create(
        team=person.team, name="Paolo Ferretti", job_title="CFO", organisation=person.organisation
    )


# Buying influences


def test_adding_an_influence_with_htmx_returns_only_the_influences_section(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(person), headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="influences"' in response.text
    assert "<html" not in response.text
    assert person.name in response.text
    influence = opportunity.influences.get()
    assert (influence.person, influence.role) == (person, "economic")


def test_adding_an_influence_without_htmx_goes_back_to_the_page(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    response = owner_client.post(url("influence_add", opportunity), influence_data(person))
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    assert opportunity.influences.count() == 1


def test_a_second_economic_buyer_is_refused_not_a_crash(
    owner_client: Client, opportunity: Opportunity, person: Person, colleague: Person
) -> None:
    owner_client.post(url("influence_add", opportunity), influence_data(person))
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(colleague), headers=HTMX
    )
    assert response.status_code == 422
    assert "This opportunity already has an economic buyer." in response.text
    assert 'id="influences"' in response.text
    assert "<html" not in response.text
    assert list(opportunity.influences.values_list("person", flat=True)) == [person.pk]


def test_a_second_economic_buyer_without_htmx_shows_the_whole_page(
    owner_client: Client, opportunity: Opportunity, person: Person, colleague: Person
) -> None:
    owner_client.post(url("influence_add", opportunity), influence_data(person))
    response = owner_client.post(url("influence_add", opportunity), influence_data(colleague))
    assert response.status_code == 422
    assert "<html" in response.text
    assert "This opportunity already has an economic buyer." in response.text
    assert opportunity.influences.count() == 1


def test_the_same_person_twice_in_the_same_role_is_refused(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    owner_client.post(url("influence_add", opportunity), influence_data(person, "coach"))
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(person, "coach"), headers=HTMX
    )
    assert response.status_code == 422
    assert "This person already has this role here." in response.text
    assert opportunity.influences.count() == 1


def test_one_person_may_hold_two_roles(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    owner_client.post(url("influence_add", opportunity), influence_data(person, "economic"))
    owner_client.post(url("influence_add", opportunity), influence_data(person, "user"))
    assert sorted(opportunity.influences.values_list("role", flat=True)) == ["economic", "user"]


def test_the_influence_dropdown_does_not_offer_other_teams_people(
    owner_client: Client, opportunity: Opportunity, person: Person, outsider_person: Person
) -> None:
    response = owner_client.get(opportunity.get_absolute_url())
    assert list(response.context["influence_form"].fields["person"].queryset) == [person]
    assert outsider_person.name not in response.text


def test_another_teams_person_cannot_be_added_as_an_influence(
    owner_client: Client, opportunity: Opportunity, outsider_person: Person
) -> None:
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(outsider_person), headers=HTMX
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not BuyingInfluence.objects.exists()


def test_editing_an_influence_changes_its_status_and_fit(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    response = owner_client.post(
        url("influence_edit", opportunity, influence.pk),
        {"status": "satisfied", "fit_confirmed": "on"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'id="influences"' in response.text
    influence.refresh_from_db()
    assert (influence.status, influence.fit_confirmed) == ("satisfied", True)


def test_unticking_the_fit_and_an_unknown_status_leave_a_valid_influence(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity,
        person=person,
        role="economic",
        status="contacted",
        fit_confirmed=True,
    )
    response = owner_client.post(
        url("influence_edit", opportunity, influence.pk), {"status": "bribed"}
    )
    assert response.status_code == 302
    influence.refresh_from_db()
    assert (influence.status, influence.fit_confirmed) == ("contacted", False)


def test_deleting_an_influence_removes_it(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    response = owner_client.post(url("influence_delete", opportunity, influence.pk), headers=HTMX)
    assert response.status_code == 200
    assert 'id="influences"' in response.text
    assert not BuyingInfluence.objects.exists()
    assert Person.objects.filter(pk=person.pk).exists()


def test_an_influence_cannot_be_reached_through_another_opportunity(
    owner_client: Client,
    opportunity: Opportunity,
    person: Person,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    other = make_opportunity("Another deal")
    response = owner_client.post(url("influence_delete", other, influence.pk))
    assert response.status_code == 404
    assert BuyingInfluence.objects.filter(pk=influence.pk).exists()


# Activities


def test_logging_an_activity_with_htmx_returns_the_log_and_the_follow_up_card(
    owner: User, owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    data = activity_data(**{"activity-person": str(person.pk)})
    response = owner_client.post(url("activity_add", opportunity), data, headers=HTMX)
    assert response.status_code == 200
    assert 'id="activities"' in response.text
    assert '<div class="card" id="follow-up" hx-swap-oob="true">' in response.text
    assert "<html" not in response.text
    assert "Agreed to send a proposal by Friday" in response.text
    activity = Activity.objects.get()
    assert (activity.opportunity, activity.person, activity.by, activity.team) == (
        opportunity,
        person,
        owner,
        owner.profile.team,
    )
    assert activity.minutes == 20


def test_logging_an_activity_without_htmx_goes_back_to_the_page(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.post(url("activity_add", opportunity), activity_data())
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url() + "#activities"
    assert Activity.objects.count() == 1


def test_an_activity_longer_than_a_day_is_refused(
    owner_client: Client, opportunity: Opportunity
) -> None:
    data = activity_data(**{"activity-minutes": "5000"})
    response = owner_client.post(url("activity_add", opportunity), data, headers=HTMX)
    assert response.status_code == 422
    assert 'id="activities"' in response.text
    assert "Ensure this value is less than or equal to 1440." in response.text
    assert not Activity.objects.exists()


def test_an_invalid_activity_without_htmx_shows_the_whole_page(
    owner_client: Client, opportunity: Opportunity
) -> None:
    data = activity_data(**{"activity-minutes": "5000"})
    response = owner_client.post(url("activity_add", opportunity), data)
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Ensure this value is less than or equal to 1440." in response.text
    assert not Activity.objects.exists()


def test_the_activity_person_dropdown_offers_only_people_involved(
    owner: User,
    owner_client: Client,
    opportunity: Opportunity,
    person: Person,
    outsider_person: Person,
) -> None:
    stranger = Person.objects.create(team=owner.profile.team, name="Unrelated Contact")
    form = owner_client.get(url("activity_form", opportunity), headers=HTMX).text
    assert f'<option value="{person.pk}"' in form
    assert f'<option value="{stranger.pk}"' not in form
    assert f'<option value="{outsider_person.pk}"' not in form


def test_another_teams_person_cannot_be_named_on_an_activity(
    owner_client: Client, opportunity: Opportunity, outsider_person: Person
) -> None:
    data = activity_data(**{"activity-person": str(outsider_person.pk)})
    response = owner_client.post(url("activity_add", opportunity), data, headers=HTMX)
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Activity.objects.exists()


def test_the_folded_forms_are_drawn_when_opened_or_when_asked_for(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role="economic")
    page = owner_client.get(opportunity.get_absolute_url()).text
    assert 'name="activity-kind"' not in page
    assert 'name="influence-role"' not in page
    assert f'hx-get="{url("activity_form", opportunity)}"' in page

    fragment = owner_client.get(url("activity_form", opportunity), headers=HTMX).text
    assert "<html" not in fragment
    assert 'name="activity-kind"' in fragment
    assert 'name="influence-role"' in owner_client.get(url("influence_form", opportunity)).text

    # From Today's "Log an activity", or without script: the form is on the page, open.
    assert (
        'name="activity-kind"' in owner_client.get(opportunity.get_absolute_url() + "?log=1").text
    )
    with_form = owner_client.get(opportunity.get_absolute_url() + "?add=influence").text
    assert 'name="influence-role"' in with_form


def test_an_opportunity_without_buying_influences_shows_the_form_to_add_one(
    owner_client: Client, opportunity: Opportunity
) -> None:
    assert 'name="influence-role"' in owner_client.get(opportunity.get_absolute_url()).text


@pytest.mark.parametrize("name", ["activity_form", "influence_form"])
def test_someone_elses_forms_are_not_found(
    outsider_client: Client, opportunity: Opportunity, name: str
) -> None:
    assert outsider_client.get(url(name, opportunity), headers=HTMX).status_code == 404


def test_the_activity_log_shows_the_latest_first_and_the_rest_on_demand(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    for day in range(1, 16):
        Activity.objects.create(
            team=opportunity.team,
            opportunity=opportunity,
            by=owner,
            notes=f"Call number {day:02}",
            occurred=timezone.now() - timedelta(days=16 - day),
        )
    page = owner_client.get(opportunity.get_absolute_url()).text
    assert "Call number 15" in page
    assert "Call number 06" in page
    assert "Call number 05" not in page
    older = reverse("opportunity_activities", args=[opportunity.pk]) + "?offset=10"
    assert f'hx-get="{older}"' in page

    fragment = owner_client.get(older, HTTP_HX_REQUEST="true").text
    assert "<html" not in fragment
    assert [f"Call number {n:02}" in fragment for n in (5, 1, 6)] == [True, True, False]
    assert "Show more" not in fragment

    without_htmx = owner_client.get(older)
    assert without_htmx["Location"] == f"{opportunity.get_absolute_url()}?older=10#activities"
    assert "Call number 05" in owner_client.get(without_htmx["Location"]).text


def test_older_activities_of_someone_elses_opportunity_are_not_found(
    outsider_client: Client, opportunity: Opportunity
) -> None:
    url = reverse("opportunity_activities", args=[opportunity.pk]) + "?offset=20"
    assert outsider_client.get(url, HTTP_HX_REQUEST="true").status_code == 404
