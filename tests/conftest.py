"""Shared fixtures: a few named users, and Playwright driving Debian's Chromium."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from pytest_django import Settings

from funnel.accounts.actions import create_user
from funnel.contacts.models import Organisation, Person
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Level, Opportunity
from tests.helpers import new_client

# The real SMTP server fixtures (`mailbox`, `smtp`) for the worker's tests.
pytest_plugins = ["tests.smtp_helpers"]

PASSWORD = "correct-horse-battery"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def speak_english_in_utc() -> Iterator[None]:
    """Each request activates its user's language and time zone; no test inherits another's."""
    translation.activate("en")
    timezone.deactivate()
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Pages keep built results (the calendar feed) in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Real hashers are slow on purpose; tests create users, they don't need to resist attacks."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client() -> Client:
    """pytest-django's client, on the handler the tests' clients share (helpers.new_client)."""
    return new_client()


@pytest.fixture
def owner(db: None) -> User:
    return create_user(username="anna", password=PASSWORD, first_name="Anna", last_name="Rossi")


@pytest.fixture
def anna(owner: User) -> User:
    """The owner, living in Rome: the commands print in her time zone."""
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return owner


@pytest.fixture
def outsider(db: None) -> User:
    """Someone with an account of their own, who must never see the owner's records."""
    return create_user(username="mallory", password=PASSWORD)


@pytest.fixture
def owner_client(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client: Client, outsider: User) -> Client:
    client.force_login(outsider)
    return client


@pytest.fixture
def organisation(owner: User) -> Organisation:
    return Organisation.objects.create(
        team=owner.profile.team,
        name="Ferretti Arredamenti",
        sector="Furniture",
        size=45,
        country="IT",
        city="Bologna",
    )


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return Person.objects.create(
        team=organisation.team,
        name="Giulia Ferretti",
        job_title="CEO",
        organisation=organisation,
        language="it",
    )


@pytest.fixture
def opportunity(owner: User, organisation: Organisation, person: Person) -> Opportunity:
    return create_opportunity(
        opportunity=Opportunity(
            team=owner.profile.team,
            owner=owner,
            title="Operations review",
            organisation=organisation,
            main_contact=person,
            value=12000,
            currency="EUR",
        ),
        by=owner,
    )


@pytest.fixture
def make_opportunity(owner: User, organisation: Organisation) -> Callable[..., Opportunity]:
    """Opportunities of the owner's team, created the way the app creates them."""

    def make(title: str = "Website redesign", **fields: Any) -> Opportunity:
        fields.setdefault("organisation", organisation)
        fields.setdefault("level", Level.ABOVE)
        fields.setdefault("currency", "EUR")
        opportunity = Opportunity(team=owner.profile.team, owner=owner, title=title, **fields)
        return create_opportunity(opportunity=opportunity, by=owner)

    return make


@pytest.fixture
def outsider_organisation(outsider: User) -> Organisation:
    return Organisation.objects.create(team=outsider.profile.team, name="Mallory Trading")


@pytest.fixture
def outsider_person(outsider_organisation: Organisation) -> Person:
    return Person.objects.create(
        team=outsider_organisation.team, name="Mallory Spy", organisation=outsider_organisation
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def pytest_report_header(config: pytest.Config) -> str:
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
