"""Loads the plain facts the funnel's rules (funnel.sales.rules) work on."""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from funnel.accounts.models import Profile
from funnel.sales.models import Level, LevelChange, Opportunity
from funnel.sales.rules import (
    CYCLE_WINDOW,
    InfluenceFacts,
    OpportunityFacts,
    SalesCycle,
    median_days_per_level,
    normal_sales_cycle,
)


def opportunity_facts(opportunity: Opportunity) -> OpportunityFacts:
    influences = opportunity.influences.select_related("person").order_by("role", "pk")
    return OpportunityFacts(
        level=opportunity.level,
        expected_close_on=opportunity.expected_close_on,
        influences=[
            InfluenceFacts(
                name=influence.person.name,
                role=influence.role,
                status=influence.status,
                fit_confirmed=influence.fit_confirmed,
            )
            for influence in influences
        ],
    )


def sales_cycle(user: User, *, now: datetime | None = None) -> SalesCycle:
    """The user's normal sales cycle: measured from their won deals of the last two years.

    Days are counted in the user's own time zone, whatever zone is active (CLI, demo).
    """
    now = now or timezone.now()
    setting, zone = Profile.objects.values_list("sales_cycle_days", "time_zone").get(user=user)
    won = Opportunity.objects.filter(
        owner=user, level=Level.WON, level_changed__range=(now - CYCLE_WINDOW, now)
    ).values_list("first_contact_on", "level_changed")
    local = ZoneInfo(zone)
    durations = [(timezone.localdate(won_at, local) - first).days for first, won_at in won]
    return normal_sales_cycle(durations, setting_days=setting)


def median_days_per_level_of(user: User) -> dict[str, float]:
    histories: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    moves = LevelChange.objects.filter(opportunity__owner=user).order_by(
        "opportunity_id", "at", "pk"
    )
    for opportunity_id, at, to_level in moves.values_list("opportunity_id", "at", "to_level"):
        histories[opportunity_id].append((at, to_level))
    return median_days_per_level(list(histories.values()))
