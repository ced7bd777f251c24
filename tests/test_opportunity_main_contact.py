"""An opportunity's main contact works at its organisation: the picker offers that
organisation's people first, follows the organisation as it changes (htmx), and the form says
in words why someone else can't be chosen."""

import re

import pytest
from django import forms
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.contacts.models import Organisation, Person
from funnel.sales.forms import LongSelect
from funnel.sales.models import Opportunity
from tests.helpers import present
from tests.opportunity_helpers import opportunity_data

CREATE = reverse("opportunity_create")
PICKER = {"HX-Request": "true", "HX-Target": "main-contact"}


def edit_url(opportunity: Opportunity) -> str:
    return reverse("opportunity_edit", args=[opportunity.pk])


def menu(html: str) -> list[str]:
    """The main contact menu as a user reads it: group labels and options, in order."""
    select = re.search(r'<select name="main_contact".*?</select>', html, re.S)
    assert select is not None
    found = re.findall(r'<optgroup label="([^"]*)"|<option value="[^"]*"[^>]*>([^<]*)<', select[0])
    return [f"[{group}]" if group else option for group, option in found]


@pytest.fixture
def bianchi(owner: User) -> Organisation:
    return Organisation.objects.create(team=owner.profile.team, name="Bianchi Logistica")


@pytest.fixture
def marco(bianchi: Organisation) -> Person:
    return Person.objects.create(team=bianchi.team, name="Marco Bianchi", organisation=bianchi)


@pytest.fixture
def freelancer(owner: User) -> Person:
    return Person.objects.create(team=owner.profile.team, name="Paolo Freelance")


@pytest.fixture
def paolo(person: Person) -> Person:
    """A second person at the customer, Ferretti Arredamenti."""
    return Person.objects.create(
        team=person.team, name="Paolo Ferretti", organisation=person.organisation
    )


# The picker


def test_the_organisations_people_come_first_each_with_their_organisation(
    owner_client: Client, opportunity: Opportunity, paolo: Person, marco: Person, freelancer: Person
) -> None:
    response = owner_client.get(edit_url(opportunity))
    assert menu(response.text) == [
        "—",
        "[People at Ferretti Arredamenti]",
        "Giulia Ferretti (Ferretti Arredamenti)",
        "Paolo Ferretti (Ferretti Arredamenti)",
        "[Other people]",
        "Marco Bianchi (Bianchi Logistica)",
        "Paolo Freelance",
    ]
    assert "Someone at the organisation: its people come first." in response.text


def test_without_an_organisation_everyone_is_listed_with_their_organisation(
    owner_client: Client, person: Person, marco: Person, freelancer: Person
) -> None:
    assert menu(owner_client.get(CREATE).text) == [
        "—",
        "Giulia Ferretti (Ferretti Arredamenti)",
        "Marco Bianchi (Bianchi Logistica)",
        "Paolo Freelance",
    ]


def test_an_organisation_without_people_yet_leaves_one_plain_list(
    owner_client: Client, person: Person, bianchi: Organisation
) -> None:
    response = owner_client.get(CREATE, {"organisation": bianchi.pk})
    assert menu(response.text) == ["—", "Giulia Ferretti (Ferretti Arredamenti)"]


def test_choosing_another_organisation_redraws_only_the_picker_with_its_people_first(
    owner_client: Client, person: Person, marco: Person
) -> None:
    response = owner_client.get(
        CREATE, {"organisation": present(marco.organisation_id)}, headers=PICKER
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'name="title"' not in response.text
    assert 'id="main-contact"' in response.text
    assert menu(response.text)[1:3] == [
        "[People at Bianchi Logistica]",
        "Marco Bianchi (Bianchi Logistica)",
    ]


def test_the_picker_keeps_the_contact_chosen_and_says_at_once_why_it_no_longer_fits(
    owner_client: Client, opportunity: Opportunity, person: Person, bianchi: Organisation
) -> None:
    asked = {"organisation": bianchi.pk, "main_contact": person.pk}
    response = owner_client.get(edit_url(opportunity), asked, headers=PICKER)
    assert f'<option value="{person.pk}" selected>' in response.text
    assert (
        "Giulia Ferretti works at Ferretti Arredamenti, not at Bianchi Logistica." in response.text
    )
    opportunity.refresh_from_db()
    assert opportunity.organisation_id == person.organisation_id  # nothing saved by asking


def test_the_page_asks_for_the_picker_when_the_organisation_changes(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.get(edit_url(opportunity))
    picker = re.search(r'<div id="main-contact"[^>]*>', response.text)
    assert picker is not None
    assert f'hx-get="{edit_url(opportunity)}"' in picker[0]
    assert 'hx-trigger="change from:#id_organisation"' in picker[0]
    assert 'hx-include="#id_organisation, #id_main_contact"' in picker[0]


def test_an_opportunity_saved_before_the_rule_shows_the_mismatch_on_its_edit_page(
    owner_client: Client, opportunity: Opportunity, marco: Person
) -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(main_contact=marco)
    response = owner_client.get(edit_url(opportunity))
    assert "Marco Bianchi works at Bianchi Logistica, not at Ferretti Arredamenti." in response.text


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "abc"])
def test_a_strange_id_in_the_address_is_not_found_not_a_crash(
    owner_client: Client, person: Person, value: str
) -> None:
    for name in ("organisation", "main_contact"):
        headers: dict[str, str]
        for headers in ({}, PICKER):
            response = owner_client.get(CREATE, {name: value}, headers=headers)
            assert response.status_code == 404


def test_an_empty_choice_in_the_address_is_no_choice(owner_client: Client, person: Person) -> None:
    response = owner_client.get(CREATE, {"organisation": "", "main_contact": ""}, headers=PICKER)
    assert menu(response.text) == ["—", "Giulia Ferretti (Ferretti Arredamenti)"]


def test_someone_elses_organisation_in_the_address_shows_none_of_their_people(
    owner_client: Client, person: Person, outsider_person: Person
) -> None:
    asked = {
        "organisation": present(outsider_person.organisation_id),
        "main_contact": outsider_person.pk,
    }
    response = owner_client.get(CREATE, asked, headers=PICKER)
    assert "Mallory" not in response.text
    assert menu(response.text) == ["—", "Giulia Ferretti (Ferretti Arredamenti)"]


def test_an_outsider_gets_404_for_the_edit_pages_picker(
    outsider_client: Client, opportunity: Opportunity
) -> None:
    asked = {"organisation": present(opportunity.organisation_id)}
    assert outsider_client.get(edit_url(opportunity), asked, headers=PICKER).status_code == 404


def queries_for(client: Client, url: str, data: dict[str, int], headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data=data, headers=headers).status_code == 200
    return len(captured)


def test_the_picker_costs_as_many_queries_for_300_people_as_for_3(
    owner_client: Client, owner: User, opportunity: Opportunity, bianchi: Organisation
) -> None:
    team = owner.profile.team
    asked = {"organisation": bianchi.pk, "main_contact": present(opportunity.main_contact_id)}
    pages: list[tuple[str, dict[str, str]]] = [
        (CREATE, {}),
        (edit_url(opportunity), {}),
        (edit_url(opportunity), PICKER),
    ]
    few = [queries_for(owner_client, url, data=asked, headers=h) for url, h in pages]
    Person.objects.bulk_create(
        Person(team=team, name=f"Person {n:03}", organisation=bianchi if n % 2 else None)
        for n in range(300)
    )
    many = [queries_for(owner_client, url, data=asked, headers=h) for url, h in pages]
    assert many == few
    assert menu(owner_client.get(CREATE).text).count("Person 001 (Bianchi Logistica)") == 1


# The rule, when saving


def test_a_contact_at_another_organisation_is_refused_naming_both_and_nothing_is_lost(
    owner_client: Client, organisation: Organisation, marco: Person
) -> None:
    data = opportunity_data(organisation=str(organisation.pk), main_contact=str(marco.pk))
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert response.context["form"].errors["main_contact"] == [
        "Marco Bianchi works at Bianchi Logistica, not at Ferretti Arredamenti. Choose someone "
        "at Ferretti Arredamenti, or change the organisation to Bianchi Logistica."
    ]
    assert 'value="Warehouse automation"' in response.text
    assert not Opportunity.objects.exists()


def test_without_script_the_refused_form_lists_the_chosen_organisations_people_first(
    owner_client: Client, organisation: Organisation, person: Person, marco: Person
) -> None:
    data = opportunity_data(organisation=str(organisation.pk), main_contact=str(marco.pk))
    response = owner_client.post(CREATE, data)
    assert menu(response.text)[1:3] == [
        "[People at Ferretti Arredamenti]",
        "Giulia Ferretti (Ferretti Arredamenti)",
    ]
    assert f'<option value="{marco.pk}" selected>' in response.text


def test_a_contact_without_an_organisation_cannot_speak_for_one(
    owner_client: Client, organisation: Organisation, freelancer: Person
) -> None:
    data = opportunity_data(organisation=str(organisation.pk), main_contact=str(freelancer.pk))
    response = owner_client.post(CREATE, data)
    assert response.context["form"].errors["main_contact"] == [
        "Paolo Freelance has no organisation on their page, so cannot be the main contact for "
        "Ferretti Arredamenti. Choose someone at Ferretti Arredamenti, or add Paolo Freelance "
        "to it first."
    ]
    assert not Opportunity.objects.exists()


def test_a_contact_of_the_organisation_is_accepted(
    owner_client: Client, organisation: Organisation, person: Person
) -> None:
    data = opportunity_data(organisation=str(organisation.pk), main_contact=str(person.pk))
    assert owner_client.post(CREATE, data).status_code == 302
    saved = Opportunity.objects.get()
    assert (saved.organisation, saved.main_contact) == (organisation, person)


def test_a_contact_alone_brings_their_organisation_as_the_customer(
    owner_client: Client, person: Person
) -> None:
    assert (
        owner_client.post(CREATE, opportunity_data(main_contact=str(person.pk))).status_code == 302
    )
    saved = Opportunity.objects.get()
    assert (saved.organisation, saved.customer_name) == (
        person.organisation,
        "Ferretti Arredamenti",
    )


def test_a_private_customer_without_an_organisation_stays_one(
    owner_client: Client, freelancer: Person
) -> None:
    assert (
        owner_client.post(CREATE, opportunity_data(main_contact=str(freelancer.pk))).status_code
        == 302
    )
    assert Opportunity.objects.get().organisation is None


def test_editing_into_another_organisation_without_changing_the_contact_is_refused(
    owner_client: Client, opportunity: Opportunity, bianchi: Organisation
) -> None:
    data = opportunity_data(
        title="Operations review",
        organisation=str(bianchi.pk),
        main_contact=str(opportunity.main_contact_id),
    )
    response = owner_client.post(edit_url(opportunity), data)
    assert response.status_code == 422
    assert "Giulia Ferretti works at Ferretti Arredamenti, not at Bianchi Logistica." in (
        response.text
    )
    opportunity.refresh_from_db()
    assert present(opportunity.organisation).name == "Ferretti Arredamenti"


def test_an_outsider_gets_404_when_saving_someone_elses_opportunity(
    outsider_client: Client, opportunity: Opportunity, outsider_organisation: Organisation
) -> None:
    data = opportunity_data(organisation=str(outsider_organisation.pk))
    assert outsider_client.post(edit_url(opportunity), data).status_code == 404


def test_the_long_menu_writes_what_djangos_select_would(owner: User) -> None:
    choices = [
        ("", "—"),
        ("People at <Ferretti> & Co", [(1, 'Giulia "G" Ferretti'), (2, "Paolo <b>")]),
        ("Other people", [(3, "Marco d'Este")]),
    ]
    attrs = {"id": "id_main_contact", "aria-describedby": "id_main_contact_helptext"}
    ours = LongSelect(choices=choices).render("main_contact", 2, attrs)
    django = forms.Select(choices=choices).render("main_contact", 2, attrs)
    assert " ".join(ours.split()) == " ".join(django.replace("><", "> <").split()).replace(
        "> <", "><"
    )
