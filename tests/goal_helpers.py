"""What the goal tests share: a frozen week, goals and the records they count."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User

from funnel.contacts.models import Organisation
from funnel.goals.models import Goal, Period
from funnel.sales.actions import create_opportunity, move_opportunity
from funnel.sales.models import Activity, Level, LevelChange, Opportunity

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # a Thursday; the week began on 30 Nov
THIS_WEEK = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
LAST_WEEK = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
D = Decimal


@pytest.fixture
def frozen_db(db: None) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def goal(user: User, metric: str, target: int | str = 1, **fields: object) -> Goal:
    fields.setdefault("period", Period.WEEK)
    fields.setdefault("reward", "a dinner out")
    fields.setdefault("starts_on", dt.date(2026, 11, 1))
    return Goal.objects.create(owner=user, metric=metric, target=D(target), **fields)


def new(
    owner: User,
    organisation: Organisation,
    at: dt.datetime,
    title: str = "Prospect",
    level: str = Level.ABOVE,
    **fields: object,
) -> Opportunity:
    fields.setdefault("currency", "EUR")
    opportunity = Opportunity(
        team=owner.profile.team,
        owner=owner,
        title=title,
        organisation=organisation,
        level=level,
        **fields,
    )
    return create_opportunity(opportunity=opportunity, by=owner, at=at)


def move(opportunity: Opportunity, to_level: str, at: dt.datetime) -> LevelChange:
    return move_opportunity(
        opportunity=opportunity, to_level=to_level, by=opportunity.owner, at=at, override_reason="x"
    )


def log(
    opportunity: Opportunity,
    at: dt.datetime,
    kind: str = "call",
    minutes: int = 0,
    by: User | None = None,
) -> Activity:
    return Activity.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        by=by or opportunity.owner,
        kind=kind,
        occurred=at,
        minutes=minutes,
    )
