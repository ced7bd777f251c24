"""Addresses with ids or tokens the database could not take answer 404, never 500."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from funnel.contacts.models import Person


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/opportunities/99999999999999999999999/",
        "/organisations/99999999999999999999999/edit/",
        "/people/99999999999999999999999/",
        "/quotes/99999999999999999999999/reissue/",
        "/goals/99999999999999999999999/edit/",
        "/follow-ups/99999999999999999999999/invite.ics",
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(owner_client: Client, path: str) -> None:
    assert owner_client.get(path).status_code == 404


@pytest.mark.django_db
def test_a_calendar_address_that_cannot_be_a_token_is_not_found(client: Client) -> None:
    assert client.get("/calendar/..ics").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/calendar/%00.ics", "/calendar/a%00b.ics", "/people/?q=%00"])
def test_a_nul_byte_in_an_address_is_a_bad_request(owner_client: Client, path: str) -> None:
    """PostgreSQL can't take one in a query: refused before any view, signed in or not."""
    assert Client().get(path).status_code == 400
    assert owner_client.get(path).status_code == 400


@pytest.mark.django_db
def test_ids_in_links_have_no_thousands_separator(
    owner: User, owner_client: Client, person: Person
) -> None:
    """Numbers are shown as 1,742 for reading; in an address that is no id (the link 404s)."""
    from funnel.contacts.models import Organisation
    from funnel.sales.actions import create_opportunity
    from funnel.sales.models import Opportunity

    big = Organisation.objects.create(pk=1023, team=owner.profile.team, name="Big Ltd")
    deal = create_opportunity(
        opportunity=Opportunity(
            pk=2048, team=big.team, owner=owner, title="Big deal", organisation=big, currency="EUR"
        ),
        by=owner,
    )
    follow_up = deal.follow_ups.create(
        pk=1742, team=big.team, assigned_to=owner, due_at=deal.created, purpose="Call"
    )

    assert "?organisation=1023" in owner_client.get(big.get_absolute_url()).text
    assert "follow_up=1742" in owner_client.get("/today/").text
    page = owner_client.get(deal.get_absolute_url(), {"log": "1", "follow_up": str(follow_up.pk)})
    assert page.status_code == 200 and page.context["activity_form"]["follow_up"].value() == 1742
