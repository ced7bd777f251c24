"""What the demo tests share: the demo, built once per module inside a transaction rolled
back at the end, and ways into it."""

import dataclasses
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker

from funnel.demo.generate import build_demo
from funnel.sales.models import Opportunity

USERNAME, PASSWORD = "demo", "demo-funnel"
ROME = ZoneInfo("Europe/Rome")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def a_deal() -> Opportunity:
    """Any of the demo's deals: all of them are the demo consultant's, in her team."""
    deal = Opportunity.objects.first()
    assert deal is not None
    return deal


@dataclasses.dataclass
class Built:
    summary: str
    seconds: float
    queries: int


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Built]:
    """Built once for the whole module, inside a transaction rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            summary = build_demo(username=USERNAME, password=PASSWORD)
            seconds = time.perf_counter() - start
        yield Built(summary, seconds, len(queries))
        transaction.set_rollback(True)
    # After the browser tests this fixture's connection is not the one the test run closes (the
    # connection follows the async context Playwright leaves behind): close it, or PostgreSQL
    # can't drop the test database at the end.
    with django_db_blocker.unblock():
        connection.close()
