"""Today keeps prospecting in view: blocks, goals, quotes to chase and the slowdowns."""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from funnel.contacts.models import Organisation
from funnel.goals.models import Goal
from funnel.quotes.models import Quote
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity
from funnel.today.slowdowns import slowdowns_for
from tests.today_helpers import weekly_block

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def a_quote(opportunity: Opportunity, amount: int, *, sent: dt.date, valid_until: dt.date) -> Quote:
    return Quote.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        number=f"Q-{amount}",
        amount=Decimal(amount),
        currency="EUR",
        sent_on=sent,
        valid_until=valid_until,
        status=Quote.Status.SENT,
    )


def today(client: Client) -> str:
    return client.get(reverse("today")).text


def test_a_new_account_is_told_the_cures_of_the_slowdowns(
    owner_client: Client, organisation: Organisation
) -> None:
    text = today(owner_client)
    assert "Keep prospecting" in text
    assert "No prospecting time is planned on your calendar." in text
    assert f'<a href="{reverse("prospecting_blocks")}">Plan a weekly prospecting block' in text
    assert f'<a href="{reverse("goals")}">Set a goal, and the reward' in text


def test_todays_block_a_goal_and_an_expiring_quote_show_on_today(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    weekly_block(owner)
    Goal.objects.create(
        owner=owner, metric="prospects", period="week", target=5, reward="A dinner out"
    )
    a_quote(opportunity, 12000, sent=dt.date(2026, 10, 30), valid_until=dt.date(2026, 11, 29))
    text = today(owner_client)
    assert "A dinner out" in text
    assert "Q-12000" in text
    assert "Prospecting" in text
    assert "Set a goal, and the reward" not in text


def test_more_in_unsigned_quotes_than_won_lately_is_named(
    owner: User, opportunity: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    a_quote(opportunity, 30000, sent=dt.date(2026, 11, 20), valid_until=dt.date(2026, 12, 20))
    signed = make_opportunity("Signed", value=Decimal(10000), level=Level.BEST_FEW)
    move_opportunity(opportunity=signed, to_level=Level.WON, by=owner, override_reason="Test")
    kinds = [s.kind for s in slowdowns_for(owner, NOW)]
    assert "intentional" in kinds


def test_kept_blocks_and_prospecting_activities_count_as_prospecting(
    owner: User, opportunity: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    block = weekly_block(owner, minutes=180)
    for week in range(1, 5):  # the four Thursdays before this one, each kept
        start = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC) - dt.timedelta(weeks=week)
        block.outcomes.create(original_start=start, outcome="honoured")
    Activity.objects.create(
        team=owner.profile.team,
        opportunity=opportunity,
        by=owner,
        minutes=60,
        occurred=NOW - dt.timedelta(days=3),
    )
    assert "unaware" not in [s.kind for s in slowdowns_for(owner, NOW)]


def test_the_slowdowns_cost_the_same_queries_with_more_data(
    owner: User, opportunity: Opportunity, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(5):
        weekly_block(owner, weekday=["MO", "TU", "WE", "TH", "FR"][n])
        a_quote(opportunity, 1000 + n, sent=dt.date(2026, 11, 20), valid_until=dt.date(2026, 12, 1))
    with django_assert_max_num_queries(8):
        slowdowns_for(owner, NOW)


def test_reports_show_the_goals_and_the_slowdowns(
    owner: User, owner_client: Client, organisation: Organisation
) -> None:
    Goal.objects.create(
        owner=owner, metric="prospects", period="week", target=5, reward="A dinner out"
    )
    text = owner_client.get(reverse("reports")).text
    assert "A dinner out" in text
    assert "No prospecting time is planned on your calendar." in text
    assert "Coming here" not in text
