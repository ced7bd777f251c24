"""Organisations: the list with search, sort and pages, the form, deletion and access."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.accounts.models import Team
from funnel.contacts.models import Organisation, Person
from funnel.sales.models import Activity, Opportunity
from tests.helpers import present

LIST = reverse("organisation_list")
CREATE = reverse("organisation_create")


def make_organisation(team: Team, name: str, **fields: object) -> Organisation:
    return Organisation.objects.create(team=team, name=name, **fields)


def names_in_order(content: str, names: list[str]) -> list[str]:
    """The given names sorted by where they first appear on the page."""
    return sorted(names, key=content.index)


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Bianchi Logistica",
        "sector": "Logistics",
        "size": "120",
        "country": "IT",
        "city": "Verona",
        "website": "https://bianchi.example",
        "notes": "",
    }
    return {**data, **overrides}


# The list page


def test_the_list_shows_the_users_organisations(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(LIST)
    assert response.status_code == 200
    assert organisation.name in response.text
    assert "Bologna" in response.text


def test_the_list_does_not_show_other_teams_organisations(
    owner_client: Client, outsider_organisation: Organisation
) -> None:
    response = owner_client.get(LIST)
    assert outsider_organisation.name not in response.text
    assert "No organisations yet" in response.text


def test_a_new_user_sees_that_there_are_no_organisations_yet(owner_client: Client) -> None:
    response = owner_client.get(LIST)
    assert "No organisations yet" in response.text
    assert "Nothing matches your search" not in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ferretti", "Ferretti Arredamenti"),  # name, any case
        ("FURNIT", "Ferretti Arredamenti"),  # sector
        ("torino", "Rossi Meccanica"),  # city
        ("engineer", "Rossi Meccanica"),
    ],
)
def test_search_finds_organisations_by_name_sector_or_city(
    owner: User, owner_client: Client, query: str, found: str
) -> None:
    team = owner.profile.team
    make_organisation(team, "Ferretti Arredamenti", sector="Furniture", city="Bologna")
    make_organisation(team, "Rossi Meccanica", sector="Engineering", city="Torino")
    response = owner_client.get(LIST, {"q": query})
    other = {"Ferretti Arredamenti", "Rossi Meccanica"} - {found}
    assert found in response.text
    assert other.pop() not in response.text


def test_a_search_that_matches_nothing_says_so(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(LIST, {"q": "zzz-nothing"})
    assert "Nothing matches your search" in response.text
    assert "No organisations yet" not in response.text
    assert organisation.name not in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alfa Srl", "beta spa", "Gamma Ltd"]),  # case does not matter
        ("-name", ["Gamma Ltd", "beta spa", "Alfa Srl"]),
        ("size", ["Gamma Ltd", "Alfa Srl", "beta spa"]),
        ("-size", ["beta spa", "Alfa Srl", "Gamma Ltd"]),
    ],
)
def test_the_list_sorts_by_the_chosen_column(
    owner: User, owner_client: Client, sort: str, expected: list[str]
) -> None:
    team = owner.profile.team
    make_organisation(team, "Gamma Ltd", size=5)
    make_organisation(team, "Alfa Srl", size=50)
    make_organisation(team, "beta spa", size=500)
    response = owner_client.get(LIST, {"sort": sort})
    assert names_in_order(response.text, expected) == expected


def test_an_unknown_sort_falls_back_to_the_name(owner: User, owner_client: Client) -> None:
    team = owner.profile.team
    make_organisation(team, "Zeta Srl")
    make_organisation(team, "Alfa Srl")
    response = owner_client.get(LIST, {"sort": "password"})
    assert response.status_code == 200
    assert names_in_order(response.text, ["Zeta Srl", "Alfa Srl"]) == ["Alfa Srl", "Zeta Srl"]


def test_the_list_shows_25_organisations_per_page(owner: User, owner_client: Client) -> None:
    team = owner.profile.team
    for number in range(1, 31):
        make_organisation(team, f"Company {number:02}")
    first = owner_client.get(LIST)
    second = owner_client.get(LIST, {"page": 2})
    assert len(first.context["listing"].page) == 25
    assert "Company 25" in first.text
    assert "Company 26" not in first.text
    assert second.status_code == 200
    assert len(second.context["listing"].page) == 5
    assert "Company 26" in second.text
    assert "Company 30" in second.text
    assert "Company 01" not in second.text


def test_search_and_pages_work_together(owner: User, owner_client: Client) -> None:
    team = owner.profile.team
    for number in range(1, 31):
        make_organisation(team, f"Company {number:02}", city="Milano" if number % 2 else "Roma")
    response = owner_client.get(LIST, {"q": "milano"})
    assert response.context["listing"].page.paginator.count == 15
    assert "Company 02" not in response.text


def test_the_list_counts_people_and_opportunities(
    owner_client: Client, organisation: Organisation, opportunity: Opportunity
) -> None:
    Person.objects.create(team=organisation.team, name="Marco Neri", organisation=organisation)
    response = owner_client.get(LIST)
    row = response.context["listing"].page[0]
    assert (row.people_count, row.opportunity_count) == (2, 1)


# Creating and editing


def test_creating_an_organisation_opens_its_page(owner: User, owner_client: Client) -> None:
    response = owner_client.post(CREATE, form_data())
    organisation = Organisation.objects.get(name="Bianchi Logistica")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.team == owner.profile.team
    assert (organisation.size, organisation.city) == (120, "Verona")


def test_a_website_without_a_scheme_is_taken_as_https(owner_client: Client) -> None:
    owner_client.post(CREATE, form_data(website="bianchi.example"))
    assert Organisation.objects.get().website == "https://bianchi.example"


def test_the_team_comes_from_the_user_not_from_the_form(
    owner: User, owner_client: Client, outsider: User
) -> None:
    owner_client.post(CREATE, form_data(team=str(outsider.profile.team.pk)))
    assert Organisation.objects.get().team == owner.profile.team


def test_bad_data_is_shown_back_with_errors_and_nothing_is_saved(owner_client: Client) -> None:
    response = owner_client.post(CREATE, form_data(name="", size="0", website="not a website"))
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "size", "website"}
    assert "This field is required." in response.text
    assert "Enter a valid URL." in response.text
    assert not Organisation.objects.exists()


def test_a_duplicate_name_in_the_same_team_is_an_error_not_a_crash(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.post(CREATE, form_data(name="FERRETTI arredamenti"))
    assert response.status_code == 422
    assert "You already have an organisation with this name." in response.text
    assert Organisation.objects.count() == 1


def test_another_team_may_use_the_same_name(
    outsider: User, outsider_client: Client, organisation: Organisation
) -> None:
    response = outsider_client.post(CREATE, form_data(name=organisation.name))
    assert response.status_code == 302
    assert Organisation.objects.filter(name=organisation.name).count() == 2
    assert Organisation.objects.filter(team=outsider.profile.team, name=organisation.name).exists()


def test_editing_an_organisation_saves_the_changes(
    owner_client: Client, organisation: Organisation
) -> None:
    url = reverse("organisation_edit", args=[organisation.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, form_data(name=organisation.name, city="Modena"))
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    organisation.refresh_from_db()
    assert organisation.city == "Modena"


def test_renaming_onto_another_organisations_name_is_refused(
    owner_client: Client, organisation: Organisation
) -> None:
    other = make_organisation(organisation.team, "Bianchi Logistica")
    url = reverse("organisation_edit", args=[other.pk])
    response = owner_client.post(url, form_data(name="ferretti ARREDAMENTI"))
    assert "You already have an organisation with this name." in response.text
    other.refresh_from_db()
    assert other.name == "Bianchi Logistica"


def test_the_detail_page_shows_people_and_opportunities(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    organisation = present(opportunity.organisation)
    response = owner_client.get(reverse("organisation_detail", args=[organisation.pk]))
    assert response.status_code == 200
    assert opportunity.title in response.text
    assert person.name in response.text
    assert "Furniture" in response.text


# Deleting


def test_the_delete_page_says_how_many_opportunities_go_and_that_people_stay(
    owner_client: Client,
    organisation: Organisation,
    opportunity: Opportunity,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    make_opportunity("Second project")
    response = owner_client.get(reverse("organisation_delete", args=[organisation.pk]))
    assert response.status_code == 200
    assert "This organisation has 2 opportunities." in response.text
    assert "1 person is linked to it: they will be kept, without an organisation." in response.text
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_delete_page_of_an_unused_organisation_says_nothing_else_is_linked(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(reverse("organisation_delete", args=[organisation.pk]))
    assert "Nothing else is linked to it." in response.text
    assert "This organisation has" not in response.text
    assert "will be kept" not in response.text


def test_deleting_an_organisation_deletes_its_opportunities_but_keeps_its_people(
    owner: User,
    owner_client: Client,
    organisation: Organisation,
    person: Person,
    opportunity: Opportunity,
) -> None:
    Activity.objects.create(team=owner.profile.team, opportunity=opportunity, notes="Call")
    response = owner_client.post(reverse("organisation_delete", args=[organisation.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert not Activity.objects.exists()
    person.refresh_from_db()
    assert person.organisation is None


# Access


@pytest.mark.parametrize(
    "name", ["organisation_detail", "organisation_edit", "organisation_delete"]
)
def test_an_outsider_gets_404_on_someone_elses_organisation(
    outsider_client: Client, organisation: Organisation, name: str
) -> None:
    url = reverse(name, args=[organisation.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, form_data(name="Taken over")).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Ferretti Arredamenti"


def test_an_outsider_cannot_delete_someone_elses_organisation(
    outsider_client: Client, organisation: Organisation, opportunity: Opportunity
) -> None:
    outsider_client.post(reverse("organisation_delete", args=[organisation.pk]))
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("organisation_list", []),
        ("organisation_create", []),
        ("organisation_detail", [1]),
        ("organisation_edit", [1]),
        ("organisation_delete", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(
    client: Client, db: None, name: str, args: list[int]
) -> None:
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_anonymous_post_creates_nothing(client: Client, db: None) -> None:
    client.post(CREATE, form_data())
    assert not Organisation.objects.exists()
