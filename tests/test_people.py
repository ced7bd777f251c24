"""People: the form with its email and phone rows, the list, the detail page and deletion."""

from collections.abc import Callable, Sequence

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.sales.models import Activity, BuyingInfluence, Opportunity
from tests.helpers import present

LIST = reverse("person_list")
CREATE = reverse("person_create")


def rows(prefix: str, entries: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    """The POST data of an inline formset, management form included."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, entry in enumerate(entries):
        data.update({f"{prefix}-{index}-{field}": value for field, value in entry.items()})
    return data


def person_data(
    *,
    emails: Sequence[dict[str, str]] = (),
    phones: Sequence[dict[str, str]] = (),
    **fields: str,
) -> dict[str, str]:
    data = {
        "name": "Marco Bianchi",
        "job_title": "Operations manager",
        "organisation": "",
        "preferred_channel": "email",
        "language": "it",
        "notes": "",
        **fields,
    }
    return {**data, **rows("emails", list(emails)), **rows("phones", list(phones))}


TWO_EMAILS = [
    {"kind": "work", "address": "marco@bianchi.example"},
    {"kind": "personal", "address": "marco.b@mail.example"},
]
A_PHONE = [{"kind": "mobile", "number": "+39 333 123 4567"}]


# Creating and editing


def test_creating_a_person_saves_their_emails_and_phone(
    owner: User, owner_client: Client, organisation: Organisation
) -> None:
    data = person_data(organisation=str(organisation.pk), emails=TWO_EMAILS, phones=A_PHONE)
    response = owner_client.post(CREATE, data)
    person = Person.objects.get(name="Marco Bianchi")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.team == owner.profile.team
    assert person.organisation == organisation
    assert [(e.kind, e.address) for e in person.emails.all()] == [
        ("work", "marco@bianchi.example"),
        ("personal", "marco.b@mail.example"),
    ]
    assert [p.number for p in person.phones.all()] == ["+39 333 123 4567"]


def test_the_new_person_page_shows_their_emails_and_phone(owner_client: Client) -> None:
    response = owner_client.post(
        CREATE, person_data(emails=TWO_EMAILS, phones=A_PHONE), follow=True
    )
    assert "marco@bianchi.example" in response.text
    assert "marco.b@mail.example" in response.text
    assert "+39 333 123 4567" in response.text


def test_empty_email_and_phone_rows_are_ignored(owner_client: Client) -> None:
    blank = [{"kind": "work", "address": ""}]
    blank_phone = [{"kind": "mobile", "number": ""}]
    response = owner_client.post(CREATE, person_data(emails=blank, phones=blank_phone))
    assert response.status_code == 302
    person = Person.objects.get()
    assert not person.emails.exists()
    assert not person.phones.exists()


@pytest.mark.parametrize(
    ("emails", "phones", "error"),
    [
        ([{"kind": "work", "address": "not-an-email"}], [], "Enter a valid email address."),
        (
            [],
            [{"kind": "mobile", "number": "call me maybe"}],
            "Enter a phone number using digits, spaces and + ( ) - . / only.",
        ),
    ],
)
def test_an_invalid_email_or_phone_is_shown_and_nothing_is_saved(
    owner_client: Client,
    emails: list[dict[str, str]],
    phones: list[dict[str, str]],
    error: str,
) -> None:
    response = owner_client.post(CREATE, person_data(emails=emails, phones=phones))
    assert response.status_code == 422
    assert error in response.text
    assert not Person.objects.exists()
    assert not EmailAddress.objects.exists()
    assert not PhoneNumber.objects.exists()


def test_the_same_email_twice_is_refused_not_a_crash(owner_client: Client) -> None:
    same = [{"kind": "work", "address": "marco@bianchi.example"}] * 2
    response = owner_client.post(CREATE, person_data(emails=same))
    assert response.status_code == 422
    assert "Please correct the duplicate data for address" in response.text
    assert not Person.objects.exists()


def test_a_person_without_a_name_is_refused(owner_client: Client) -> None:
    response = owner_client.post(CREATE, person_data(name="", emails=TWO_EMAILS))
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert not Person.objects.exists()
    assert not EmailAddress.objects.exists()


def test_the_organisation_dropdown_offers_only_the_users_own_organisations(
    owner_client: Client, organisation: Organisation, outsider_organisation: Organisation
) -> None:
    response = owner_client.get(CREATE)
    assert list(response.context["form"].fields["organisation"].queryset) == [organisation]
    assert organisation.name in response.text
    assert outsider_organisation.name not in response.text


def test_another_teams_organisation_cannot_be_posted(
    owner_client: Client, outsider_organisation: Organisation
) -> None:
    data = person_data(organisation=str(outsider_organisation.pk), emails=TWO_EMAILS)
    response = owner_client.post(CREATE, data)
    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert not Person.objects.exists()


def test_the_organisation_is_filled_in_when_coming_from_its_page(
    owner_client: Client, organisation: Organisation
) -> None:
    response = owner_client.get(CREATE, {"organisation": organisation.pk})
    assert response.context["form"].initial["organisation"] == organisation.pk


def test_another_teams_organisation_is_not_filled_in_from_the_address(
    owner_client: Client, outsider_organisation: Organisation
) -> None:
    response = owner_client.get(CREATE, {"organisation": outsider_organisation.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["organisation"] is None
    assert outsider_organisation.name not in response.text


def test_editing_a_person_can_change_and_remove_their_emails(
    owner_client: Client, person: Person
) -> None:
    kept = person.emails.create(address="giulia@ferretti.example")
    dropped = person.emails.create(address="old@ferretti.example")
    emails = [
        {"id": str(kept.pk), "kind": "work", "address": "giulia@ferretti.example"},
        {"id": str(dropped.pk), "kind": "work", "address": dropped.address, "DELETE": "on"},
        {"kind": "personal", "address": "giulia@home.example"},
    ]
    data = person_data(name=person.name, organisation=str(person.organisation_id))
    data.update(rows("emails", emails, initial=2))
    response = owner_client.post(reverse("person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    assert [e.address for e in person.emails.all()] == [
        "giulia@ferretti.example",
        "giulia@home.example",
    ]


# The list and the detail page


def test_the_list_shows_people_with_their_first_email_and_phone(
    owner_client: Client, person: Person
) -> None:
    person.emails.create(address="giulia@ferretti.example")
    person.phones.create(number="+39 051 123456")
    response = owner_client.get(LIST)
    assert person.name in response.text
    assert "giulia@ferretti.example" in response.text
    assert "+39 051 123456" in response.text
    assert present(person.organisation).name in response.text


def test_a_new_user_has_no_people_yet(owner_client: Client, outsider_person: Person) -> None:
    response = owner_client.get(LIST)
    assert "No people yet" in response.text
    assert outsider_person.name not in response.text


def test_search_by_email_finds_the_person_once_even_with_two_matching_addresses(
    owner_client: Client, person: Person
) -> None:
    person.emails.create(address="giulia@ferretti-arredamenti.example")
    person.emails.create(address="g.ferretti@ferretti-arredamenti.example")
    response = owner_client.get(LIST, {"q": "arredamenti.example"})
    assert response.context["listing"].page.paginator.count == 1
    assert response.text.count(f'href="{person.get_absolute_url()}"') == 1


def test_search_by_organisation_name_finds_its_people(owner_client: Client, person: Person) -> None:
    Person.objects.create(team=person.team, name="Luca Verdi")
    response = owner_client.get(LIST, {"q": "arredamenti"})
    assert person.name in response.text
    assert "Luca Verdi" not in response.text


def test_the_people_list_sorts_names_regardless_of_case(owner: User, owner_client: Client) -> None:
    team = owner.profile.team
    for name in ["Zoe Conti", "anna Neri", "Marta Gallo"]:
        Person.objects.create(team=team, name=name)
    text = owner_client.get(LIST).text
    assert text.index("anna Neri") < text.index("Marta Gallo") < text.index("Zoe Conti")


def test_the_detail_page_shows_roles_and_contact_history(
    owner: User, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role=BuyingInfluence.Role.ECONOMIC
    )
    Activity.objects.create(
        team=owner.profile.team,
        opportunity=opportunity,
        person=person,
        kind=Activity.Kind.MEETING,
        notes="Walked through the budget",
    )
    Activity.objects.create(
        team=owner.profile.team,
        person=person,
        kind=Activity.Kind.LETTER,
        notes="Sent a card for their anniversary",
    )
    response = owner_client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert "Economic buyer" in response.text
    assert opportunity.title in response.text
    assert "Walked through the budget" in response.text
    assert "Sent a card for their anniversary" in response.text


def test_the_detail_page_of_someone_new_says_nothing_is_logged(
    owner_client: Client, person: Person
) -> None:
    response = owner_client.get(person.get_absolute_url())
    assert "No contact logged yet." in response.text
    assert "Not a buying influence in any opportunity yet." in response.text


# Deleting


@pytest.fixture
def sole_customer(owner: User, make_opportunity: Callable[..., Opportunity]) -> Person:
    """A person who is the only customer of an opportunity: it has no organisation."""
    person = Person.objects.create(team=owner.profile.team, name="Paolo Freelance")
    make_opportunity("Bookkeeping setup", organisation=None, main_contact=person)
    return person


def test_the_only_customer_of_an_opportunity_cannot_be_deleted(
    owner_client: Client, sole_customer: Person
) -> None:
    url = reverse("person_delete", args=[sole_customer.pk])
    page = owner_client.get(url)
    assert "This person cannot be deleted yet." in page.text
    assert "Bookkeeping setup" in page.text
    response = owner_client.post(url)
    assert response.status_code == 200
    assert Person.objects.filter(pk=sole_customer.pk).exists()
    assert Opportunity.objects.get(title="Bookkeeping setup").main_contact == sole_customer


def test_the_delete_page_says_what_goes_and_what_stays(
    owner: User, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role=BuyingInfluence.Role.USER
    )
    Activity.objects.create(team=owner.profile.team, person=person, notes="Card")
    response = owner_client.get(reverse("person_delete", args=[person.pk]))
    assert "1 role as a buying influence" in response.text
    assert "1 logged activity not tied to an opportunity" in response.text
    assert "1 opportunity will have no main contact." in response.text
    assert "cannot be deleted" not in response.text


def test_deleting_a_person_keeps_the_activities_of_their_opportunities(
    owner: User, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    team = owner.profile.team
    on_opportunity = Activity.objects.create(
        team=team, opportunity=opportunity, person=person, notes="Call about the quote"
    )
    Activity.objects.create(team=team, person=person, notes="Birthday card")
    BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role=BuyingInfluence.Role.COACH
    )
    person.emails.create(address="giulia@ferretti.example")
    response = owner_client.post(reverse("person_delete", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Person.objects.filter(pk=person.pk).exists()
    on_opportunity.refresh_from_db()
    assert on_opportunity.person is None
    assert list(Activity.objects.all()) == [on_opportunity]
    assert not BuyingInfluence.objects.exists()
    assert not EmailAddress.objects.exists()
    opportunity.refresh_from_db()
    assert opportunity.main_contact is None
    assert opportunity.organisation == person.organisation


def test_deleting_a_person_keeps_their_organisation(
    owner_client: Client, person: Person, organisation: Organisation
) -> None:
    owner_client.post(reverse("person_delete", args=[person.pk]))
    assert Organisation.objects.filter(pk=organisation.pk).exists()


# Access


@pytest.mark.parametrize("name", ["person_detail", "person_edit", "person_delete"])
def test_an_outsider_gets_404_on_someone_elses_person(
    outsider_client: Client, person: Person, name: str
) -> None:
    url = reverse(name, args=[person.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, person_data(name="Renamed")).status_code == 404
    person.refresh_from_db()
    assert person.name == "Giulia Ferretti"


def test_an_outsider_does_not_see_someone_elses_people_in_the_list(
    outsider_client: Client, person: Person
) -> None:
    response = outsider_client.get(LIST, {"q": "Giulia"})
    assert person.name not in response.text


@pytest.mark.parametrize("name", ["person_list", "person_create"])
def test_anonymous_visitors_are_sent_to_log_in(client: Client, db: None, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
