"""Loads the figures funnel.today.health diagnoses prospecting slowdowns from.

The weekly prospecting, measured from the blocks and the activities (time per level, each
block's occurrences), is kept in the cache for the day under a version of what it reads: the
blocks and their outcomes as read, and the version of the activity minutes measured
(funnel.prospecting.allocation.minutes_version, as for time per level). A change to any of
them measures afresh. The open quotes, what was won lately and the goals are read on each
look: a sum or a count each, as cheap as a version of them would be.
"""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from funnel.goals.models import Goal
from funnel.prospecting import rules as blocks
from funnel.prospecting.allocation import minutes_by_day, minutes_version
from funnel.prospecting.facts import Loaded, load
from funnel.quotes.models import Quote
from funnel.sales.models import Level, LevelChange
from funnel.today.health import Slowdown, diagnose

WEEKS = 4  # docs/method.md §4: prospecting that fades is seen over the last four weeks
WON_WINDOW = timedelta(days=90)
KEPT_SECONDS = 24 * 3600


class Prospecting(TypedDict):
    """What is measured from the blocks and activities, and kept: minutes above the funnel each
    of the last weeks (oldest first), and the minutes of the blocks planned this week."""

    weekly_minutes: list[int]
    planned_per_week: int


def slowdowns_for(user: User, now: datetime) -> list[Slowdown]:
    zone = user.profile.zone
    this_week, next_week = blocks.week_of(now, zone)
    starts = [this_week - timedelta(weeks=n) for n in range(WEEKS, 0, -1)]
    planned = load(user, since=starts[0], zone=zone)

    def measured() -> Prospecting:
        return {
            "weekly_minutes": weekly_prospecting(user, planned, starts, this_week),
            "planned_per_week": sum(
                o.block.minutes for o in planned.planned_in(this_week, next_week)
            ),
        }

    # Only today's measure is kept; a look at another day measures afresh.
    day = timezone.localdate(now, zone)
    if day == timezone.localdate(timezone.now(), zone):
        # The blocks and their outcomes as read, changes and all, are their own version.
        version = [user.pk, day, str(zone), minutes_version(user, starts[0], this_week)]
        version.append(planned.rows)
        key = "prospecting-health:" + hashlib.sha256(repr(version).encode()).hexdigest()
        prospecting: Prospecting | None = cache.get(key)
        if prospecting is None:
            prospecting = measured()
            cache.set(key, prospecting, timeout=KEPT_SECONDS)
    else:
        prospecting = measured()
    return diagnose(
        **prospecting,
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
