"""Addresses with ids or tokens the database could not take answer 404, never 500."""

import pytest


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
@pytest.mark.parametrize("path", ["/calendar/%00.ics", "/calendar/a%00b.ics", "/calendar/..ics"])
def test_a_calendar_address_that_cannot_be_a_token_is_not_found(client, path):
    assert client.get(path).status_code == 404
