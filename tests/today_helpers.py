"""What the Today tests share: a fixed moment, the agenda's settings at it, a weekly block."""

import datetime as dt

from django.contrib.auth.models import User

from funnel.prospecting import rules
from funnel.prospecting.models import Block
from funnel.today.priorities import Agenda, AgendaSettings, GroupSummary

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SETTINGS = AgendaSettings(
    now=NOW,
    end_of_today=dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
    today=dt.date(2026, 11, 30),
    cycle_days=90,
    poor_fit_below=40,
)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def later(days: int = 3) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def ids(summary: GroupSummary) -> list[int]:
    return [item.opportunity.id for item in summary.items]


def group(result: Agenda, key: str) -> GroupSummary:
    return next(summary for summary in result.groups if summary.group.key == key)


def weekly_block(user: User, weekday: str = "TH", minutes: int = 120) -> Block:
    first = dt.date(2026, 10, 1)
    rule = rules.build_rule(
        weekdays=(weekday,), interval=1, until=None, first=dt.datetime.combine(first, dt.time(9))
    )
    return Block.objects.create(
        team=user.profile.team,
        owner=user,
        title="Prospecting",
        starts_on=first,
        start_time=dt.time(9),
        minutes=minutes,
        rule=rule,
    )
