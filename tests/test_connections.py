"""The server keeps each thread's database connection between requests: opening an SQLite
file and setting its pragmas would cost as much as a light page (PostgreSQL: a login)."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client


@pytest.mark.django_db(transaction=True)
def test_two_requests_in_a_row_use_the_same_connection(client: Client, owner: User) -> None:
    client.force_login(owner)
    client.get("/today/")
    first = connection.connection
    client.get("/funnel/")
    assert first is not None
    assert connection.connection is first
