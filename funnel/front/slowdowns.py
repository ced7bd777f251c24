"""Loads the figures funnel.front.health diagnoses prospecting slowdowns from."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from funnel.front.health import Slowdown, diagnose
from funnel.goals.models import Goal
from funnel.prospecting import rules as blocks
from funnel.prospecting.facts import Loaded, load
from funnel.quotes.models import Quote
from funnel.sales.allocation import minutes_by_day
from funnel.sales.models import Level, LevelChange

WEEKS = 4  # METHOD.md §4: prospecting that fades is seen over the last four weeks
WON_WINDOW = timedelta(days=90)


def slowdowns_for(user: User, now: datetime) -> list[Slowdown]:
    zone = user.profile.zone
    this_week, next_week = blocks.week_of(now, zone)
    starts = [this_week - timedelta(weeks=n) for n in range(WEEKS, 0, -1)]
    planned = load(user, since=starts[0], zone=zone)
    return diagnose(
        weekly_minutes=weekly_prospecting(user, planned, starts, this_week),
        planned_per_week=sum(o.block.minutes for o in planned.planned_in(this_week, next_week)),
        open_quotes=open_quotes(user),
        won=won_lately(user, now),
        active_goals=Goal.objects.of(user).filter(starts_on__lte=timezone.localdate(now)).count(),
    )


def weekly_prospecting(
    user: User, planned: Loaded, starts: list[datetime], end: datetime
) -> list[int]:
    """Minutes above the funnel each week, activities and honoured blocks, oldest first."""
    weekly = [0] * len(starts)
    for (day, level), minutes in minutes_by_day(user, starts[0], end).items():
        if level == Level.ABOVE:
            weekly[week_index(day, starts)] += minutes
    for index, start in enumerate(starts):
        done = [o for o in planned.between(start, start + timedelta(weeks=1)) if o.slot[0] >= start]
        weekly[index] += blocks.spent_minutes(done)
    return weekly


def week_index(day: date, starts: list[datetime]) -> int:
    return max(i for i, start in enumerate(starts) if day >= start.date())


def open_quotes(user: User) -> Decimal:
    currency = user.profile.currency
    rows = Quote.objects.visible_to(user).open().filter(opportunity__owner=user, currency=currency)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def won_lately(user: User, now: datetime) -> Decimal:
    won = LevelChange.objects.filter(
        opportunity__owner=user,
        opportunity__currency=user.profile.currency,
        to_level=Level.WON,
        at__gte=now - WON_WINDOW,
    )
    return won.aggregate(total=Sum("opportunity__value"))["total"] or Decimal(0)
