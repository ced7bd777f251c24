"""Opportunities: creating, editing, moving in the funnel, influences and activities (htmx)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from funnel.contacts.models import Person
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, BuyingInfluence, Level, LevelChange, Opportunity

CREATE = reverse("opportunity_create")
LIST = reverse("opportunity_list")
HTMX = {"HX-Request": "true"}


def url(name: str, opportunity: Opportunity, *args: int) -> str:
    return reverse(name, args=[opportunity.pk, *args])


def opportunity_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Warehouse automation",
        "organisation": "",
        "main_contact": "",
        "value": "25000",
        "currency": "EUR",
        "level": "above",
        "first_contact_on": "2026-03-02",
        "expected_close_on": "2026-06-30",
        "source": "Referral",
    }
    return {**data, **overrides}


def influence_data(person: Person, role: str = "economic", **overrides: str) -> dict[str, str]:
    data = {
        "influence-person": str(person.pk),
        "influence-role": role,
        "influence-status": "unknown",
        "influence-notes": "",
    }
    return {**data, **overrides}


def activity_data(**overrides: str) -> dict[str, str]:
    data = {
        "activity-kind": "call",
        "activity-occurred": "2026-03-05T10:30",
        "activity-person": "",
        "activity-channel": "phone",
        "activity-outcome": "reached",
        "activity-minutes": "20",
        "activity-notes": "Agreed to send a proposal by Friday",
    }
    return {**data, **overrides}


@pytest.fixture
def colleague(person) -> Person:
    """A second person at the customer."""
    return Person.objects.create(
        team=person.team, name="Paolo Ferretti", job_title="CFO", organisation=person.organisation
    )


# Creating and editing


def test_the_new_opportunity_form_offers_only_the_open_levels(owner_client):
    response = owner_client.get(CREATE)
    levels = [value for value, _label in response.context["form"].fields["level"].choices]
    assert levels == ["above", "in", "best_few"]


def test_creating_an_opportunity_records_where_it_entered_the_funnel(
    owner, owner_client, organisation, person
):
    data = opportunity_data(
        organisation=str(organisation.pk), main_contact=str(person.pk), level="in"
    )
    response = owner_client.post(CREATE, data)
    opportunity = Opportunity.objects.get(title="Warehouse automation")
    assert response.status_code == 302
    assert response.url == opportunity.get_absolute_url()
    assert (opportunity.level, opportunity.team, opportunity.owner) == (
        "in",
        owner.profile.team,
        owner,
    )
    change = opportunity.level_changes.get()
    assert (change.from_level, change.to_level, change.by) == ("", "in", owner)


def test_a_closed_level_cannot_be_chosen_when_creating(owner_client, organisation):
    response = owner_client.post(
        CREATE, opportunity_data(organisation=str(organisation.pk), level="won")
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Opportunity.objects.exists()


def test_an_opportunity_needs_an_organisation_or_a_main_contact(owner_client):
    response = owner_client.post(CREATE, opportunity_data())
    assert response.status_code == 422
    assert "Choose an organisation or a main contact." in response.text
    assert not Opportunity.objects.exists()


def test_a_main_contact_alone_is_enough(owner, owner_client):
    freelancer = Person.objects.create(team=owner.profile.team, name="Paolo Freelance")
    response = owner_client.post(CREATE, opportunity_data(main_contact=str(freelancer.pk)))
    assert response.status_code == 302
    assert Opportunity.objects.get().customer_name == "Paolo Freelance"


def test_the_expected_close_cannot_be_before_the_first_contact(owner_client, organisation):
    data = opportunity_data(
        organisation=str(organisation.pk),
        first_contact_on="2026-03-02",
        expected_close_on="2026-03-01",
    )
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert "The expected close cannot be before the first contact." in response.text
    assert not Opportunity.objects.exists()


def test_a_negative_value_is_refused(owner_client, organisation):
    data = opportunity_data(organisation=str(organisation.pk), value="-1")
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert not Opportunity.objects.exists()


def test_the_customer_is_filled_in_when_coming_from_their_page(owner_client, person):
    response = owner_client.get(
        CREATE, {"organisation": person.organisation_id, "main_contact": person.pk}
    )
    form = response.context["form"]
    assert (form["organisation"].value(), form["main_contact"].value()) == (
        person.organisation_id,
        person.pk,
    )
    assert f'<option value="{person.pk}" selected>Giulia Ferretti (Ferretti Arredamenti)' in (
        response.text
    )


def test_the_edit_form_does_not_offer_the_level(owner_client, opportunity):
    response = owner_client.get(url("opportunity_edit", opportunity))
    assert response.status_code == 200
    assert "level" not in response.context["form"].fields
    assert 'name="level"' not in response.text


def test_editing_saves_the_changes_but_never_the_level(owner_client, opportunity, organisation):
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
    owner_client, organisation, person, outsider_organisation, outsider_person
):
    response = owner_client.get(CREATE)
    fields = response.context["form"].fields
    assert list(fields["organisation"].queryset) == [organisation]
    assert list(fields["main_contact"].queryset) == [person]
    assert outsider_person.name not in response.text
    assert outsider_organisation.name not in response.text


@pytest.mark.parametrize("field", ["organisation", "main_contact"])
def test_another_teams_customer_cannot_be_posted(
    owner_client, outsider_organisation, outsider_person, field
):
    ids = {"organisation": outsider_organisation.pk, "main_contact": outsider_person.pk}
    response = owner_client.post(CREATE, opportunity_data(**{field: str(ids[field])}))
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Opportunity.objects.exists()


# Moving in the funnel


def confirm_fit(opportunity) -> None:
    """What the gate into the funnel asks for: the fit confirmed by someone contacted."""
    BuyingInfluence.objects.create(
        opportunity=opportunity,
        person=opportunity.main_contact,
        role="economic",
        status="contacted",
        fit_confirmed=True,
    )


def test_moving_records_the_history_and_changes_the_level(owner, owner_client, opportunity):
    confirm_fit(opportunity)
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "in"})
    assert response.status_code == 302
    assert response.url == opportunity.get_absolute_url()
    opportunity.refresh_from_db()
    assert opportunity.level == Level.IN
    change = opportunity.level_changes.latest("pk")
    assert (change.from_level, change.to_level, change.by) == ("above", "in", owner)


def test_the_detail_page_shows_the_history(owner_client, opportunity):
    confirm_fit(opportunity)
    owner_client.post(url("opportunity_move", opportunity), {"to_level": "in"})
    response = owner_client.get(opportunity.get_absolute_url())
    assert "Created in Above the funnel" in response.text
    assert "Above the funnel → In the funnel" in response.text


def test_a_blocked_move_on_the_page_lists_what_is_missing_and_moves_only_with_a_reason(
    owner_client, opportunity
):
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


def test_a_blocked_move_comes_back_in_place_in_the_move_card(owner_client, opportunity):
    response = owner_client.post(
        url("opportunity_move", opportunity),
        {"to_level": "in", "from_level": "above"},
        headers={"HX-Request": "true", "HX-Target": "move"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text and 'id="move"' in response.text
    assert response.text.count("Identify a buying influence") == 1
    assert 'name="confirming"' in response.text and "Move anyway" in response.text


def test_moving_anyway_without_a_reason_says_what_is_missing(owner_client, opportunity):
    data = {"to_level": "in", "from_level": "above", "confirming": "on", "override_reason": " "}
    for headers in [{}, {"HX-Request": "true", "HX-Target": "move"}, {"HX-Request": "true"}]:
        response = owner_client.post(url("opportunity_move", opportunity), data, headers=headers)
        assert response.status_code == 422
        assert "Say why you move it anyway." in response.text
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE


def test_the_move_address_opened_in_the_browser_shows_the_opportunity(owner_client, opportunity):
    response = owner_client.get(url("opportunity_move", opportunity))
    assert response.status_code == 302
    assert response["Location"] == f"{opportunity.get_absolute_url()}#move"


def test_a_move_from_a_page_that_showed_another_level_is_refused(owner, owner_client, opportunity):
    """Another tab moved it in the meantime: nothing happens, and the user is told where it is."""
    move_opportunity(opportunity=opportunity, to_level=Level.DEAD, by=owner, reason="Gone quiet")
    data = {"to_level": "lost", "from_level": "above", "reason": "No budget"}
    response = owner_client.post(url("opportunity_move", opportunity), data)
    assert response.status_code == 409
    assert "Operations review was already moved to Dead." in response.text
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == (Level.DEAD, "Gone quiet")
    assert opportunity.level_changes.count() == 2


def test_the_page_says_what_the_next_level_still_needs(owner_client, opportunity):
    page = owner_client.get(opportunity.get_absolute_url()).text
    assert "Before In the funnel:" in page
    confirm_fit(opportunity)
    assert "Ready for In the funnel." in owner_client.get(opportunity.get_absolute_url()).text


def test_moving_to_lost_without_a_reason_is_refused(owner_client, opportunity):
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "lost"})
    assert response.status_code == 422
    assert "Say why it is closed: the reason helps you learn from it." in response.text
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE
    assert opportunity.level_changes.count() == 1


def test_moving_to_lost_with_a_reason_keeps_the_reason(owner, owner_client, opportunity):
    data = {"to_level": "lost", "reason": "They chose a cheaper supplier"}
    response = owner_client.post(url("opportunity_move", opportunity), data)
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == ("lost", "They chose a cheaper supplier")
    change = opportunity.level_changes.latest("pk")
    assert (change.from_level, change.to_level, change.by) == ("above", "lost", owner)
    assert "They chose a cheaper supplier" in owner_client.get(opportunity.get_absolute_url()).text


def test_moving_to_the_current_level_is_refused(owner_client, opportunity):
    response = owner_client.post(url("opportunity_move", opportunity), {"to_level": "above"})
    assert response.status_code == 409
    assert "Operations review was already moved to Above the funnel." in response.text
    assert opportunity.level_changes.count() == 1


# Buying influences


def test_adding_an_influence_with_htmx_returns_only_the_influences_section(
    owner_client, opportunity, person
):
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(person), headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="influences"' in response.text
    assert "<html" not in response.text
    assert person.name in response.text
    influence = opportunity.influences.get()
    assert (influence.person, influence.role) == (person, "economic")


def test_adding_an_influence_without_htmx_goes_back_to_the_page(owner_client, opportunity, person):
    response = owner_client.post(url("influence_add", opportunity), influence_data(person))
    assert response.status_code == 302
    assert response.url == opportunity.get_absolute_url()
    assert opportunity.influences.count() == 1


def test_a_second_economic_buyer_is_refused_not_a_crash(
    owner_client, opportunity, person, colleague
):
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
    owner_client, opportunity, person, colleague
):
    owner_client.post(url("influence_add", opportunity), influence_data(person))
    response = owner_client.post(url("influence_add", opportunity), influence_data(colleague))
    assert response.status_code == 422
    assert "<html" in response.text
    assert "This opportunity already has an economic buyer." in response.text
    assert opportunity.influences.count() == 1


def test_the_same_person_twice_in_the_same_role_is_refused(owner_client, opportunity, person):
    owner_client.post(url("influence_add", opportunity), influence_data(person, "coach"))
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(person, "coach"), headers=HTMX
    )
    assert response.status_code == 422
    assert "This person already has this role here." in response.text
    assert opportunity.influences.count() == 1


def test_one_person_may_hold_two_roles(owner_client, opportunity, person):
    owner_client.post(url("influence_add", opportunity), influence_data(person, "economic"))
    owner_client.post(url("influence_add", opportunity), influence_data(person, "user"))
    assert sorted(opportunity.influences.values_list("role", flat=True)) == ["economic", "user"]


def test_the_influence_dropdown_does_not_offer_other_teams_people(
    owner_client, opportunity, person, outsider_person
):
    response = owner_client.get(opportunity.get_absolute_url())
    assert list(response.context["influence_form"].fields["person"].queryset) == [person]
    assert outsider_person.name not in response.text


def test_another_teams_person_cannot_be_added_as_an_influence(
    owner_client, opportunity, outsider_person
):
    response = owner_client.post(
        url("influence_add", opportunity), influence_data(outsider_person), headers=HTMX
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not BuyingInfluence.objects.exists()


def test_editing_an_influence_changes_its_status_and_fit(owner_client, opportunity, person):
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
    owner_client, opportunity, person
):
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


def test_deleting_an_influence_removes_it(owner_client, opportunity, person):
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    response = owner_client.post(url("influence_delete", opportunity, influence.pk), headers=HTMX)
    assert response.status_code == 200
    assert 'id="influences"' in response.text
    assert not BuyingInfluence.objects.exists()
    assert Person.objects.filter(pk=person.pk).exists()


def test_an_influence_cannot_be_reached_through_another_opportunity(
    owner_client, opportunity, person, make_opportunity
):
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    other = make_opportunity("Another deal")
    response = owner_client.post(url("influence_delete", other, influence.pk))
    assert response.status_code == 404
    assert BuyingInfluence.objects.filter(pk=influence.pk).exists()


# Activities


def test_logging_an_activity_with_htmx_returns_the_log_and_the_follow_up_card(
    owner, owner_client, opportunity, person
):
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


def test_logging_an_activity_without_htmx_goes_back_to_the_page(owner_client, opportunity):
    response = owner_client.post(url("activity_add", opportunity), activity_data())
    assert response.status_code == 302
    assert response.url == opportunity.get_absolute_url() + "#activities"
    assert Activity.objects.count() == 1


def test_an_activity_longer_than_a_day_is_refused(owner_client, opportunity):
    data = activity_data(**{"activity-minutes": "5000"})
    response = owner_client.post(url("activity_add", opportunity), data, headers=HTMX)
    assert response.status_code == 422
    assert 'id="activities"' in response.text
    assert "Ensure this value is less than or equal to 1440." in response.text
    assert not Activity.objects.exists()


def test_an_invalid_activity_without_htmx_shows_the_whole_page(owner_client, opportunity):
    data = activity_data(**{"activity-minutes": "5000"})
    response = owner_client.post(url("activity_add", opportunity), data)
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Ensure this value is less than or equal to 1440." in response.text
    assert not Activity.objects.exists()


def test_the_activity_person_dropdown_offers_only_people_involved(
    owner, owner_client, opportunity, person, outsider_person
):
    stranger = Person.objects.create(team=owner.profile.team, name="Unrelated Contact")
    form = owner_client.get(url("activity_form", opportunity), headers=HTMX).text
    assert f'<option value="{person.pk}"' in form
    assert f'<option value="{stranger.pk}"' not in form
    assert f'<option value="{outsider_person.pk}"' not in form


def test_another_teams_person_cannot_be_named_on_an_activity(
    owner_client, opportunity, outsider_person
):
    data = activity_data(**{"activity-person": str(outsider_person.pk)})
    response = owner_client.post(url("activity_add", opportunity), data, headers=HTMX)
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Activity.objects.exists()


def test_the_folded_forms_are_drawn_when_opened_or_when_asked_for(
    owner_client, opportunity, person
):
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
    owner_client, opportunity
):
    assert 'name="influence-role"' in owner_client.get(opportunity.get_absolute_url()).text


@pytest.mark.parametrize("name", ["activity_form", "influence_form"])
def test_someone_elses_forms_are_not_found(outsider_client, opportunity, name):
    assert outsider_client.get(url(name, opportunity), headers=HTMX).status_code == 404


# The list


@pytest.fixture
def funnel(make_opportunity) -> None:
    make_opportunity("Open deal one")
    make_opportunity("Open deal two", level=Level.IN)
    make_opportunity("Signed deal", level=Level.WON)
    make_opportunity("Lost deal", level=Level.LOST, reason="Budget cut")


def test_the_list_shows_open_opportunities_by_default(owner_client, funnel):
    response = owner_client.get(LIST)
    assert "Open deal one" in response.text
    assert "Open deal two" in response.text
    assert "Signed deal" not in response.text
    assert "Lost deal" not in response.text


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        ("won", {"Signed deal"}),
        ("lost", {"Lost deal"}),
        ("in", {"Open deal two"}),
        ("all", {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}),
        ("nonsense", {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}),
    ],
)
def test_the_list_filters_by_level(owner_client, funnel, level, shown):
    response = owner_client.get(LIST, {"level": level})
    titles = {"Open deal one", "Open deal two", "Signed deal", "Lost deal"}
    assert {title for title in titles if title in response.text} == shown


def test_the_list_counts_the_opportunities_at_each_level(owner_client, funnel, outsider):
    response = owner_client.get(LIST)
    counts = {key: count for key, _label, count in response.context["filters"]}
    assert counts == {
        "open": 2,
        "above": 1,
        "in": 1,
        "best_few": 0,
        "won": 1,
        "lost": 1,
        "dead": 0,
        "nurture": 0,
        "all": 4,
    }
    assert 'href="?level=won"' in response.text


def test_a_level_with_nothing_says_so(owner_client, funnel):
    response = owner_client.get(LIST, {"level": "nurture"})
    assert "Nothing at this level" in response.text


def test_a_new_user_has_an_empty_funnel(owner_client, db):
    assert "Your funnel is empty" in owner_client.get(LIST).text


def test_the_list_never_shows_other_teams_opportunities(outsider_client, opportunity):
    response = outsider_client.get(LIST, {"level": "all"})
    assert opportunity.title not in response.text
    assert {key: n for key, _label, n in response.context["filters"]}["all"] == 0


# Deleting


def test_deleting_an_opportunity_keeps_the_customer(owner_client, opportunity, person):
    page = owner_client.get(url("opportunity_delete", opportunity))
    assert "This cannot be undone." in page.text
    response = owner_client.post(url("opportunity_delete", opportunity))
    assert response.status_code == 302
    assert not Opportunity.objects.exists()
    assert not LevelChange.objects.exists()
    assert Person.objects.filter(pk=person.pk).exists()


# Access


@pytest.mark.parametrize(
    "name",
    [
        "opportunity_detail",
        "opportunity_edit",
        "opportunity_delete",
        "opportunity_move",
        "influence_add",
        "activity_add",
    ],
)
def test_an_outsider_gets_404_on_every_opportunity_url(outsider_client, opportunity, name):
    target = url(name, opportunity)
    if name in {"opportunity_detail", "opportunity_edit", "opportunity_delete"}:
        assert outsider_client.get(target).status_code == 404
    assert outsider_client.post(target, {"to_level": "won"}).status_code == 404
    assert Opportunity.objects.filter(pk=opportunity.pk, level=Level.ABOVE).exists()


@pytest.mark.parametrize("name", ["influence_edit", "influence_delete"])
def test_an_outsider_gets_404_on_someone_elses_influence(
    outsider_client, opportunity, person, name
):
    influence = BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic"
    )
    response = outsider_client.post(
        url(name, opportunity, influence.pk), {"status": "satisfied"}, headers=HTMX
    )
    assert response.status_code == 404
    influence.refresh_from_db()
    assert influence.status == "unknown"


def test_an_outsider_cannot_add_influences_or_activities_to_someone_elses_opportunity(
    outsider_client, opportunity, outsider_person
):
    influence = influence_data(outsider_person)
    assert (
        outsider_client.post(url("influence_add", opportunity), influence, headers=HTMX).status_code
        == 404
    )
    assert (
        outsider_client.post(
            url("activity_add", opportunity), activity_data(), headers=HTMX
        ).status_code
        == 404
    )
    assert not BuyingInfluence.objects.exists()
    assert not Activity.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, opportunity):
    response = client.get(opportunity.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sorting_by_level_follows_the_funnel_not_the_alphabet(owner_client, make_opportunity):
    make_opportunity("Closing soon", level=Level.BEST_FEW)
    make_opportunity("Just met", level=Level.ABOVE)
    make_opportunity("Qualified", level=Level.IN)
    response = owner_client.get(LIST, {"sort": "level"})
    titles = [o.title for o in response.context["listing"].page]
    assert titles == ["Just met", "Qualified", "Closing soon"]
    response = owner_client.get(LIST, {"sort": "-level"})
    assert [o.title for o in response.context["listing"].page] == titles[::-1]


def test_an_empty_funnel_explains_what_an_opportunity_is(owner_client):
    response = owner_client.get(LIST)
    assert "Your funnel is empty" in response.text
    assert "Nothing at this level" not in response.text


def test_an_empty_level_says_so_rather_than_calling_the_funnel_empty(
    owner_client, make_opportunity
):
    make_opportunity("Just met", level=Level.ABOVE)
    response = owner_client.get(LIST, {"level": "won"})
    assert "Nothing at this level" in response.text
    assert "Your funnel is empty" not in response.text


def test_empty_choices_read_as_a_dash_not_dashes(owner_client, opportunity):
    for page in [CREATE, opportunity.get_absolute_url()]:
        response = owner_client.get(page)
        assert "---------" not in response.text
        assert ">—</option>" in response.text


def test_a_drifting_best_few_is_flagged_in_the_list_and_on_its_organisation(
    owner_client, make_opportunity, organisation
):
    past = timezone.localdate() - timedelta(days=3)
    make_opportunity("Late signature", level=Level.BEST_FEW, expected_close_on=past)
    make_opportunity("On time", level=Level.BEST_FEW, expected_close_on=timezone.localdate())
    warning = f"Its expected close, {past:%m/%d/%Y}, has passed."
    for page in [LIST + "?level=best_few", organisation.get_absolute_url()]:
        text = owner_client.get(page).text
        assert text.count(warning) == 1, page
        assert text.count("has passed.") == 1, page


def test_the_activity_log_shows_the_latest_first_and_the_rest_on_demand(
    owner, owner_client, opportunity
):
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
    assert without_htmx.url == f"{opportunity.get_absolute_url()}?older=10#activities"
    assert "Call number 05" in owner_client.get(without_htmx.url).text


def test_older_activities_of_someone_elses_opportunity_are_not_found(outsider_client, opportunity):
    url = reverse("opportunity_activities", args=[opportunity.pk]) + "?offset=20"
    assert outsider_client.get(url, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("sort", ["close", "-close"])
def test_opportunities_without_an_expected_close_come_last_either_way(
    owner_client, make_opportunity, sort
):
    """A sort key with an empty part: SQLite and PostgreSQL would put the empties at opposite
    ends; they come last in both directions on both."""
    dates = [timezone.localdate() + timedelta(days=d) for d in (30, 10, 20)]
    for number, day in enumerate([*dates, None, None]):
        make_opportunity(f"Deal {number}", expected_close_on=day)
    listing = owner_client.get(reverse("opportunity_list"), {"sort": sort}).context["listing"]
    closes = [o.expected_close_on for o in listing.page]
    assert closes[3:] == [None, None]
    assert closes[:3] == sorted(dates, reverse=sort.startswith("-"))
