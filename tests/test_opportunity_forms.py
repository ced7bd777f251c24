"""Opportunities: creating, editing, moving in the funnel and deleting."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from funnel.contacts.models import Organisation, Person
from funnel.sales.actions import move_opportunity
from funnel.sales.models import BuyingInfluence, Level, LevelChange, Opportunity
from tests.helpers import present
from tests.opportunity_helpers import CREATE, opportunity_data, url

# Creating and editing


def test_the_new_opportunity_form_offers_only_the_open_levels(owner_client: Client) -> None:
    response = owner_client.get(CREATE)
    levels = [value for value, _label in response.context["form"].fields["level"].choices]
    assert levels == ["above", "in", "best_few"]


def test_creating_an_opportunity_records_where_it_entered_the_funnel(
    owner: User, owner_client: Client, organisation: Organisation, person: Person
) -> None:
    data = opportunity_data(
        organisation=str(organisation.pk), main_contact=str(person.pk), level="in"
    )
    response = owner_client.post(CREATE, data)
    opportunity = Opportunity.objects.get(title="Warehouse automation")
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    assert (opportunity.level, opportunity.team, opportunity.owner) == (
        "in",
        owner.profile.team,
        owner,
    )
    change = opportunity.level_changes.get()
    assert (change.from_level, change.to_level, change.by) == ("", "in", owner)


def test_a_closed_level_cannot_be_chosen_when_creating(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.post(
        CREATE, opportunity_data(organisation=str(organisation.pk), level="won")
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Opportunity.objects.exists()


def test_an_opportunity_needs_an_organisation_or_a_main_contact(owner_client: Client) -> None:
    response = owner_client.post(CREATE, opportunity_data())
    assert response.status_code == 422
    assert "Choose an organisation or a main contact." in response.text
    assert not Opportunity.objects.exists()


def test_a_main_contact_alone_is_enough(owner: User, owner_client: Client) -> None:
    freelancer = Person.objects.create(team=owner.profile.team, name="Paolo Freelance")
    response = owner_client.post(CREATE, opportunity_data(main_contact=str(freelancer.pk)))
    assert response.status_code == 302
    assert Opportunity.objects.get().customer_name == "Paolo Freelance"


def test_the_expected_close_cannot_be_before_the_first_contact(
    owner_client: Client, organisation: Organisation
) -> None:
    data = opportunity_data(
        organisation=str(organisation.pk),
        first_contact_on="2026-03-02",
        expected_close_on="2026-03-01",
    )
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert "The expected close cannot be before the first contact." in response.text
    assert not Opportunity.objects.exists()


def test_a_negative_value_is_refused(owner_client: Client, organisation: Organisation) -> None:
    data = opportunity_data(organisation=str(organisation.pk), value="-1")
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert not Opportunity.objects.exists()


def test_the_customer_is_filled_in_when_coming_from_their_page(
    owner_client: Client, person: Person
) -> None:
    response = owner_client.get(
        CREATE, {"organisation": present(person.organisation_id), "main_contact": person.pk}
    )
    form = response.context["form"]
    assert (form["organisation"].value(), form["main_contact"].value()) == (
        person.organisation_id,
        person.pk,
    )
    assert f'<option value="{person.pk}" selected>Giulia Ferretti (Ferretti Arredamenti)' in (
        response.text
    )


def test_the_edit_form_does_not_offer_the_level(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.get(url("opportunity_edit", opportunity))
    assert response.status_code == 200
    assert "level" not in response.context["form"].fields
    assert 'name="level"' not in response.text


def test_editing_saves_the_changes_but_never_the_level(
    owner_client: Client, opportunity: Opportunity, organisation: Organisation
) -> None:
    data = opportunity_data(
        title="Full operations review", organisation=str(organisation.pk), level="won"
    )
    response = owner_client.post(url("opportunity_edit", opportunity), data)
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Full operations review"
    assert opportunity.level == Level.ABOVE
    assert opportunity.level_changes.count() == 1


def test_the_customer_dropdowns_offer_only_the_users_own_records(
    owner_client: Client,
    organisation: Organisation,
    person: Person,
    outsider_organisation: Organisation,
    outsider_person: Person,
) -> None:
    response = owner_client.get(CREATE)
    fields = response.context["form"].fields
    assert list(fields["organisation"].queryset) == [organisation]
    assert list(fields["main_contact"].queryset) == [person]
    assert outsider_person.name not in response.text
    assert outsider_organisation.name not in response.text


@pytest.mark.parametrize("field", ["organisation", "main_contact"])
def test_another_teams_customer_cannot_be_posted(
    owner_client: Client, outsider_organisation: Organisation, outsider_person: Person, field: str
) -> None:
    ids = {"organisation": outsider_organisation.pk, "main_contact": outsider_person.pk}
    response = owner_client.post(CREATE, opportunity_data(**{field: str(ids[field])}))
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Opportunity.objects.exists()


# Moving in the funnel


def confirm_fit(opportunity: Opportunity) -> None:
    """What the gate into the funnel asks for: the fit confirmed by someone contacted."""
    BuyingInfluence.objects.create(
        opportunity=opportunity,
        person=present(opportunity.main_contact),
        role="economic",
        status="contacted",
        fit_confirmed=True,
    )


def test_moving_records_the_history_and_changes_the_level(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    confirm_fit(opportunity)
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "in"})
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    opportunity.refresh_from_db()
    assert opportunity.level == Level.IN
    change = opportunity.level_changes.latest("pk")
    assert (change.from_level, change.to_level, change.by) == ("above", "in", owner)


def test_the_detail_page_shows_the_history(owner_client: Client, opportunity: Opportunity) -> None:
    confirm_fit(opportunity)
    owner_client.post(url("opportunity_move", opportunity), {"to_level": "in"})
    response = owner_client.get(opportunity.get_absolute_url())
    assert "Created in Above the funnel" in response.text
    assert "Above the funnel → In the funnel" in response.text


def test_a_blocked_move_on_the_page_lists_what_is_missing_and_moves_only_with_a_reason(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "in"})
    assert response.status_code == 422
    missing = "Identify a buying influence, contact them and confirm the fit with them."
    assert response.text.count(missing) == 1, "what is missing is listed once"
    assert "Before it is ready for this level, the method asks for:" in response.text
    assert response.text.count("<textarea") == 1, "one reason box"
    assert 'name="override_reason"' in response.text
    assert f'action="/opportunities/{opportunity.pk}/move/#move"' in response.text
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE

    data = {"to_level": "in", "override_reason": "Met the owner at a fair; fit is obvious"}
    assert owner_client.post(url("opportunity_move", opportunity), data).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.level == Level.IN
    page = owner_client.get(opportunity.get_absolute_url()).text
    assert "Met the owner at a fair; fit is obvious" in page


def test_a_blocked_move_comes_back_in_place_in_the_move_card(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.post(
        url("opportunity_move", opportunity),
        {"to_level": "in", "from_level": "above"},
        headers={"HX-Request": "true", "HX-Target": "move"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text and 'id="move"' in response.text
    assert response.text.count("Identify a buying influence") == 1
    assert 'name="confirming"' in response.text and "Move anyway" in response.text


def test_moving_anyway_without_a_reason_says_what_is_missing(
    owner_client: Client, opportunity: Opportunity
) -> None:
    data = {"to_level": "in", "from_level": "above", "confirming": "on", "override_reason": " "}
    for headers in [{}, {"HX-Request": "true", "HX-Target": "move"}, {"HX-Request": "true"}]:
        response = owner_client.post(url("opportunity_move", opportunity), data, headers=headers)
        assert response.status_code == 422
        assert "Say why you move it anyway." in response.text
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE


def test_the_move_address_opened_in_the_browser_shows_the_opportunity(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.get(url("opportunity_move", opportunity))
    assert response.status_code == 302
    assert response["Location"] == f"{opportunity.get_absolute_url()}#move"


def test_a_move_from_a_page_that_showed_another_level_is_refused(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    """Another tab moved it in the meantime: nothing happens, and the user is told where it is."""
    move_opportunity(opportunity=opportunity, to_level=Level.DEAD, by=owner, reason="Gone quiet")
    data = {"to_level": "lost", "from_level": "above", "reason": "No budget"}
    response = owner_client.post(url("opportunity_move", opportunity), data)
    assert response.status_code == 409
    assert "Operations review was already moved to Dead." in response.text
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == (Level.DEAD, "Gone quiet")
    assert opportunity.level_changes.count() == 2


def test_the_page_says_what_the_next_level_still_needs(
    owner_client: Client, opportunity: Opportunity
) -> None:
    page = owner_client.get(opportunity.get_absolute_url()).text
    assert "Before In the funnel:" in page
    confirm_fit(opportunity)
    assert "Ready for In the funnel." in owner_client.get(opportunity.get_absolute_url()).text


def test_moving_to_lost_without_a_reason_is_refused(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "lost"})
    assert response.status_code == 422
    assert "Say why it is closed: the reason helps you learn from it." in response.text
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE
    assert opportunity.level_changes.count() == 1


def test_moving_to_lost_with_a_reason_keeps_the_reason(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    data = {"to_level": "lost", "reason": "They chose a cheaper supplier"}
    response = owner_client.post(url("opportunity_move", opportunity), data)
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == ("lost", "They chose a cheaper supplier")
    change = opportunity.level_changes.latest("pk")
    assert (change.from_level, change.to_level, change.by) == ("above", "lost", owner)
    assert "They chose a cheaper supplier" in owner_client.get(opportunity.get_absolute_url()).text


def test_moving_to_the_current_level_is_refused(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "above"})
    assert response.status_code == 409
    assert "Operations review was already moved to Above the funnel." in response.text
    assert opportunity.level_changes.count() == 1


# Deleting


def test_deleting_an_opportunity_keeps_the_customer(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    page = owner_client.get(url("opportunity_delete", opportunity))
    assert "This cannot be undone." in page.text
    response = owner_client.post(url("opportunity_delete", opportunity))
    assert response.status_code == 302
    assert not Opportunity.objects.exists()
    assert not LevelChange.objects.exists()
    assert Person.objects.filter(pk=person.pk).exists()
