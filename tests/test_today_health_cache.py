"""Today's prospecting health is measured once and kept for the day, until what it reads
changes: then the next look shows the change."""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.contacts.models import Organisation
from funnel.fit.actions import delete_opportunity
from funnel.goals.models import Goal
from funnel.prospecting.models import BlockOutcome
from funnel.quotes import actions as quotes
from funnel.quotes.models import Quote
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity
from funnel.today import slowdowns
from funnel.today.slowdowns import slowdowns_for
from tests.today_helpers import weekly_block

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # a Thursday
LAST_THURSDAY = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)  # a block's, last week
NO_BLOCK = "No prospecting time is planned on your calendar."
NO_GOAL = "You have no goal, so slowing down costs you nothing you can see."
WAITING = "More is waiting in unsigned quotes than you won in the last 90 days."


def prospected(hours: str, planned: str) -> str:
    return f"You prospected {hours} hours a week lately, against the {planned} you planned."


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def customer(organisation: Organisation) -> Organisation:
    """Today shows the health card once there is a customer (before, a welcome)."""
    return organisation


def prospecting_call(user: User, opportunity: Opportunity, minutes: int = 120) -> Activity:
    """Time above the funnel, last week."""
    return Activity.objects.create(
        team=user.profile.team,
        opportunity=opportunity,
        by=user,
        minutes=minutes,
        occurred=NOW - dt.timedelta(days=7),
    )


def a_quote(opportunity: Opportunity, amount: int = 30000) -> Quote:
    return Quote.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        number=f"Q-{amount}",
        amount=Decimal(amount),
        currency="EUR",
        sent_on=dt.date(2026, 11, 20),
        valid_until=dt.date(2026, 12, 20),
        status=Quote.Status.SENT,
    )


def today(client: Client) -> str:
    response = client.get(reverse("today"))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def measures(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the weekly prospecting is measured rather than taken from the cache."""
    calls: list[int] = []
    measure = slowdowns.weekly_prospecting

    def counted(*args: Any) -> list[int]:
        calls.append(1)
        return measure(*args)

    monkeypatch.setattr(slowdowns, "weekly_prospecting", counted)
    return calls


def test_a_second_look_takes_the_measure_kept(
    owner: User, owner_client: Client, opportunity: Opportunity, measures: list[int]
) -> None:
    weekly_block(owner)
    prospecting_call(owner, opportunity)
    with CaptureQueriesContext(connection) as first:
        today(owner_client)
    with CaptureQueriesContext(connection) as second:
        text = today(owner_client)
    assert len(measures) == 1
    assert len(second) < len(first)
    assert prospected("1.0", "2.0") in text


def test_the_measure_is_kept_per_user(
    owner: User, outsider: User, opportunity: Opportunity, measures: list[int]
) -> None:
    weekly_block(owner)
    prospecting_call(owner, opportunity)
    assert prospected("1.0", "2.0") in [s.finding for s in slowdowns_for(owner, NOW)]
    assert NO_BLOCK in [s.finding for s in slowdowns_for(outsider, NOW)]
    assert len(measures) == 2


def test_another_day_is_measured_afresh(owner: User, measures: list[int]) -> None:
    weekly_block(owner)
    slowdowns_for(owner, NOW)
    slowdowns_for(owner, NOW - dt.timedelta(days=7))  # not today's: measured, not kept
    slowdowns_for(owner, NOW - dt.timedelta(days=7))
    slowdowns_for(owner, NOW)
    assert len(measures) == 3
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        slowdowns_for(owner, NOW + dt.timedelta(days=1))
    assert len(measures) == 4


# Each kind of input, changed, shows on the next look


def test_an_activity_logged_or_deleted_shows_at_once(
    owner: User,
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    weekly_block(owner)
    prospect = make_opportunity("New prospect")
    assert prospected("0.0", "2.0") in today(owner_client)
    prospecting_call(owner, prospect)
    assert prospected("1.0", "2.0") in today(owner_client)
    prospecting_call(owner, prospect, minutes=240)
    assert prospected("3.0", "2.0") not in today(owner_client)  # 3 of 2 planned: healthy
    delete_opportunity(opportunity=prospect)  # its activities go with it
    assert prospected("0.0", "2.0") in today(owner_client)


def test_an_activity_edited_shows_at_once(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    """The pages don't edit activities; the admin does."""
    weekly_block(owner)
    call = prospecting_call(owner, opportunity)
    assert prospected("1.0", "2.0") in today(owner_client)
    call.minutes = 60
    call.save()
    assert prospected("0.5", "2.0") in today(owner_client)


def test_an_activity_logged_this_week_keeps_the_measure_of_the_weeks_before(
    owner: User, owner_client: Client, opportunity: Opportunity, measures: list[int]
) -> None:
    weekly_block(owner)
    today(owner_client)
    Activity.objects.create(team=owner.profile.team, opportunity=opportunity, by=owner, minutes=30)
    assert prospected("0.0", "2.0") in today(owner_client)  # this week is not measured yet
    assert len(measures) == 1


def test_a_block_planned_changed_or_stopped_shows_at_once(
    owner: User, owner_client: Client
) -> None:
    assert NO_BLOCK in today(owner_client)
    block = weekly_block(owner)
    assert prospected("0.0", "2.0") in today(owner_client)
    block.minutes = 240
    block.save()
    assert prospected("0.0", "4.0") in today(owner_client)
    block.delete()
    assert NO_BLOCK in today(owner_client)


def test_a_block_marked_kept_or_missed_shows_at_once(owner: User, owner_client: Client) -> None:
    block = weekly_block(owner)
    assert prospected("0.0", "2.0") in today(owner_client)
    BlockOutcome.objects.create(block=block, original_start=LAST_THURSDAY, outcome="honoured")
    assert prospected("1.0", "2.0") in today(owner_client)
    BlockOutcome.objects.filter(block=block).update(outcome="missed", updated=NOW)
    assert prospected("0.0", "2.0") in today(owner_client)


def test_a_goal_set_or_removed_shows_at_once(owner: User, owner_client: Client) -> None:
    assert NO_GOAL in today(owner_client)
    goal = Goal.objects.create(
        owner=owner, metric="prospects", period="week", target=5, reward="A dinner out"
    )
    assert NO_GOAL not in today(owner_client)
    goal.delete()
    assert NO_GOAL in today(owner_client)


def test_a_quote_sent_or_accepted_shows_at_once(
    owner_client: Client, opportunity: Opportunity
) -> None:
    assert WAITING not in today(owner_client)
    quote = a_quote(opportunity)
    assert WAITING in today(owner_client)
    quotes.accept_quote(quote=quote, today=NOW.date())
    assert WAITING not in today(owner_client)


def test_a_deal_won_or_its_value_changed_shows_at_once(
    owner: User,
    owner_client: Client,
    opportunity: Opportunity,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    a_quote(opportunity)
    assert WAITING in today(owner_client)
    signed = make_opportunity("Signed", value=Decimal(50000), level=Level.BEST_FEW)
    move_opportunity(opportunity=signed, to_level=Level.WON, by=owner, override_reason="Test")
    assert WAITING not in today(owner_client)
    signed.value = Decimal(10000)
    signed.save()
    assert WAITING in today(owner_client)
    move_opportunity(opportunity=signed, to_level=Level.IN, by=owner, override_reason="Test")
    signed.value = Decimal(90000)  # reopened, it still counts as won lately, as before
    signed.save()
    assert WAITING not in today(owner_client)


def test_a_new_currency_shows_at_once(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    a_quote(opportunity)
    assert WAITING in today(owner_client)
    owner.profile.currency = "USD"
    owner.profile.save()
    assert WAITING not in today(owner_client)  # the quote is in euros


def test_a_new_time_zone_measures_its_own_weeks(
    owner: User, owner_client: Client, measures: list[int]
) -> None:
    weekly_block(owner)
    today(owner_client)
    owner.profile.time_zone = "Pacific/Auckland"
    owner.profile.save()
    today(owner_client)
    assert len(measures) == 2
