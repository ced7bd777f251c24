"""What the calendar tests share: a winter Monday in Rome, follow-ups to put in a calendar,
and the two parsers that read the result (icalendar, and vobject, which builds its own
time zones from the feed's VTIMEZONE)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject  # type: ignore[import-untyped]  # vobject publishes no type hints
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.sales.models import Opportunity

T = TypeVar("T")

NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)  # a winter Monday, 10:00 in Rome
ROME = ZoneInfo("Europe/Rome")
DASH = " \N{EN DASH} "  # between a follow-up's purpose and its customer


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def rome(owner: User) -> None:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])


def at_rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ROME)


def follow_up(
    opportunity: Opportunity,
    due_at: dt.datetime | None,
    purpose: str = "Call about the offer",
    **fields: Any,
) -> FollowUp:
    fields.setdefault("assigned_to", opportunity.owner)
    return actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team,
            opportunity=opportunity,
            person=opportunity.main_contact,
            due_at=due_at,
            purpose=purpose,
            **fields,
        )
    )


def feed_url(user: User) -> str:
    user.profile.refresh_from_db()
    return reverse("calendar_feed", args=[user.profile.calendar_token])


def feed(client: Client, user: User) -> bytes:
    response = client.get(feed_url(user))
    assert response.status_code == 200
    return response.content


def by_icalendar(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(body).events}


def by_vobject(body: bytes) -> dict[str, vobject.base.Component]:
    parsed = vobject.readOne(body.decode())
    return {event.uid.value: event for event in getattr(parsed, "vevent_list", [])}


def only(events: dict[str, T]) -> T:
    assert len(events) == 1
    return next(iter(events.values()))
