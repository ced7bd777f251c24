"""Addresses with ids or tokens the database could not take answer 404, never 500."""

import pytest
from django.test import Client


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
def test_an_id_too_large_for_the_database_is_not_found(owner_client, path):
    assert owner_client.get(path).status_code == 404


@pytest.mark.django_db
def test_a_calendar_address_that_cannot_be_a_token_is_not_found(client):
    assert client.get("/calendar/..ics").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/calendar/%00.ics", "/calendar/a%00b.ics", "/people/?q=%00"])
def test_a_nul_byte_in_an_address_is_a_bad_request(owner_client, path):
    """PostgreSQL can't take one in a query: refused before any view, signed in or not."""
    assert Client().get(path).status_code == 400
    assert owner_client.get(path).status_code == 400
