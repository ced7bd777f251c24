"""Loads the plain facts the funnel's rules (funnel.sales.rules) work on."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from funnel.accounts.models import Profile
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.sales.rules import (
    CYCLE_WINDOW,
    InfluenceFacts,
    OpportunityFacts,
    SalesCycle,
    drift_warnings,
    normal_sales_cycle,
)


def opportunity_facts(
    opportunity: Opportunity, influences: Iterable[BuyingInfluence] | None = None
) -> OpportunityFacts:
    """The gates' view of one opportunity; pass its influences (with their people) if loaded."""
    if influences is None:
        facts = influence_facts([opportunity.pk])[opportunity.pk]
    else:
        facts = [
            InfluenceFacts(i.person.name, i.role, i.status, i.fit_confirmed) for i in influences
        ]
    return OpportunityFacts(
        level=opportunity.level, expected_close_on=opportunity.expected_close_on, influences=facts
    )


def influence_facts(opportunity_ids: Sequence[int]) -> dict[int, list[InfluenceFacts]]:
    """The buying influences of these opportunities, as the gates read them (one query)."""
    facts: dict[int, list[InfluenceFacts]] = defaultdict(list)
    rows = (
        BuyingInfluence.objects.filter(opportunity__in=opportunity_ids)
        .order_by("role", "pk")
        .values_list("opportunity_id", "person__name", "role", "status", "fit_confirmed")
    )
    for opportunity_id, name, role, status, fit_confirmed in rows:
        facts[opportunity_id].append(InfluenceFacts(name, role, status, fit_confirmed))
    return facts


def drift_of(opportunity: Opportunity, *, today: date, cycle_days: int) -> list[str]:
    """Why this opportunity is drifting, if it is (funnel.sales.rules.drift_warnings)."""
    return drift_warnings(
        opportunity.level,
        since=timezone.localdate(opportunity.level_changed),
        expected_close_on=opportunity.expected_close_on,
        today=today,
        cycle_days=cycle_days,
    )


def sales_cycle(user: User, *, now: datetime | None = None) -> SalesCycle:
    """The user's normal sales cycle: measured from their won deals of the last two years.

    Days are counted in the user's own time zone, whatever zone is active (CLI, demo). Today's
    measure is kept in the cache under a version of the won deals (how many, the last change):
    winning, editing, reopening or deleting one, by any path, measures afresh.
    """
    won = Opportunity.objects.filter(owner=OuterRef("user_id"), level=Level.WON).order_by()
    profile = (
        Profile.objects.only("sales_cycle_days", "time_zone")
        .annotate(
            won=Subquery(won.values("owner").annotate(n=Count("pk")).values("n")),
            last_won_change=Subquery(won.values("owner").annotate(at=Max("updated")).values("at")),
        )
        .get(user=user)
    )
    zone = profile.zone
    moment = now or timezone.now()
    today = timezone.localdate(moment, zone)
    # Only today's measure is kept; a look back in time (the demo's history) measures afresh.
    if today == timezone.localdate(timezone.now(), zone):
        version = [user.pk, today, profile.won, profile.last_won_change]
        key = "sales-cycle:" + hashlib.sha256(repr(version).encode()).hexdigest()
        measured: tuple[int | None, int] | None = cache.get(key)
        if measured is None:
            measured = measure_cycle(user, moment, zone)
            cache.set(key, measured, timeout=KEPT_SECONDS)
    else:
        measured = measure_cycle(user, moment, zone)
    days, deals = measured
    if days is None:
        return SalesCycle(days=profile.sales_cycle_days, won_deals=0)
    return SalesCycle(days=days, won_deals=deals)


KEPT_SECONDS = 24 * 3600


def measure_cycle(user: User, now: datetime, zone: ZoneInfo) -> tuple[int | None, int]:
    """(median days, won deals), or (None, 0) while there are too few won deals to trust."""
    won = Opportunity.objects.filter(
        owner=user, level=Level.WON, level_changed__range=(now - CYCLE_WINDOW, now)
    ).values_list("first_contact_on", "level_changed")
    durations = [(timezone.localdate(won_at, zone) - first).days for first, won_at in won]
    cycle = normal_sales_cycle(durations, setting_days=0)
    return (cycle.days, cycle.won_deals) if cycle.measured else (None, 0)
