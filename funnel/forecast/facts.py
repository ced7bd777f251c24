"""Loads the forecast's input from the database and keeps its result.

The outlook (funnel.forecast.outlook) is kept in the database under a version of what it was
computed from: the day, the settings it reads, and the user's opportunities (how many, the
last change; every move saves the opportunity, so a move changes the version). A page reads
it in one query while the version holds. The worker computes it afresh after a change
(funnel.assistant.tasks); a page that finds it stale computes it itself and keeps the result
in the cache for others, without writing: a GET never writes.
"""

import dataclasses
import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone

from funnel.accounts.models import Profile
from funnel.forecast.alerts import DrySpell, StopAhead
from funnel.forecast.model import Band, Basis, Forecast, Month
from funnel.forecast.models import StoredOutlook
from funnel.forecast.outlook import Outlook, outlook
from funnel.forecast.paths import OPEN, Conversion, Path
from funnel.sales.facts import sales_cycle
from funnel.sales.models import LevelChange, Opportunity

HISTORY = timedelta(days=3 * 366)  # what the outlook reads back: stays, stops, won by month
KEPT_SECONDS = 24 * 3600


def load_paths(profile: Profile, *, as_of: date) -> list[Path]:
    """The user's opportunities in their currency, as paths of local days, as far back as the
    outlook reads: open ones, and the others that moved within HISTORY of as_of."""
    zone = profile.zone
    since = datetime.combine(as_of - HISTORY, datetime.min.time(), zone)
    mine = Opportunity.objects.filter(owner_id=profile.user_id, currency=profile.currency).filter(
        Q(level__in=OPEN) | Q(level_changed__gte=since)
    )
    values = dict(mine.values_list("pk", "value"))
    moves: dict[int, list[tuple[date, str]]] = defaultdict(list)
    changes = LevelChange.objects.filter(opportunity__in=mine.values("pk")).order_by(
        "opportunity_id", "at", "pk"
    )
    for opportunity_id, at, level in changes.values_list("opportunity_id", "at", "to_level"):
        moves[opportunity_id].append((timezone.localdate(at, zone), level))
    return [Path(tuple(moves[pk]), float(value)) for pk, value in values.items() if moves.get(pk)]


def version_of(profile: Profile, *, as_of: date) -> str:
    """Changes when anything the outlook reads changes; one query."""
    opportunities = Opportunity.objects.filter(owner_id=profile.user_id).aggregate(
        count=Count("pk"), changed=Max("updated")
    )
    parts = [
        profile.user_id,
        as_of,
        str(profile.zone),
        profile.currency,
        profile.sales_cycle_days,
        profile.income_target,
        profile.income_tolerance,
        opportunities["count"],
        opportunities["changed"],
        FORMAT,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


FORMAT = 1  # raise when the stored data changes shape, so old rows read as stale


def compute(user: User, *, as_of: date, months: int = 6) -> Outlook:
    profile = user.profile
    moment = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), profile.zone)
    cycle = sales_cycle(user, now=min(moment, timezone.now()))
    return outlook(
        load_paths(profile, as_of=as_of),
        as_of=as_of,
        cycle_days=cycle.days,
        target=None if profile.income_target is None else float(profile.income_target),
        tolerance=profile.income_tolerance,
        months=months,
    )


def outlook_for(user: User, *, now: datetime | None = None) -> Outlook:
    """Today's outlook: the stored one while it holds, else computed (and cached, not stored)."""
    profile = user.profile
    as_of = timezone.localdate(now or timezone.now(), profile.zone)
    version = version_of(profile, as_of=as_of)
    stored = StoredOutlook.objects.filter(user=user, version=version).values_list("data", flat=True)
    for data in stored:
        return decode(data)
    key = "outlook:" + version
    cached: Outlook | None = cache.get(key)
    if cached is None:
        cached = compute(user, as_of=as_of)
        cache.set(key, cached, timeout=KEPT_SECONDS)
    return cached


def refresh(user: User, *, now: datetime) -> bool:
    """Compute and store the user's outlook if the stored one is stale; whether it was."""
    profile = user.profile
    as_of = timezone.localdate(now, profile.zone)
    version = version_of(profile, as_of=as_of)
    if StoredOutlook.objects.filter(user=user, version=version).exists():
        return False
    data = encode(compute(user, as_of=as_of))
    StoredOutlook.objects.update_or_create(
        user=user, defaults={"version": version, "computed": now, "data": data}
    )
    return True


def encode(value: Outlook) -> dict[str, Any]:
    """The outlook as JSON-ready data (DjangoJSONEncoder writes the dates)."""
    return dataclasses.asdict(value)


def decode(data: dict[str, Any]) -> Outlook:
    def day(text: str) -> date:
        return date.fromisoformat(text)

    def band(values: dict[str, float]) -> Band:
        return Band(**values)

    ahead = data["forecast"]
    return Outlook(
        as_of=day(data["as_of"]),
        cycle_days=data["cycle_days"],
        forecast=Forecast(
            as_of=day(ahead["as_of"]),
            months=[
                Month(
                    day(m["first"]),
                    band(m["total"]),
                    {name: band(b) for name, b in m["sources"].items()},
                )
                for m in ahead["months"]
            ],
            basis=Basis(**ahead["basis"]),
            per_prospect=ahead["per_prospect"],
        ),
        target=data["target"],
        target_is_average=data["target_is_average"],
        tolerance=data["tolerance"],
        dry_spell=(
            DrySpell(**{**data["dry_spell"], "month": day(data["dry_spell"]["month"])})
            if data["dry_spell"]
            else None
        ),
        stop_ahead=StopAhead(**data["stop_ahead"]) if data["stop_ahead"] else None,
        won_by_month=[(day(month), won) for month, won in data["won_by_month"]],
        funnel_by_week=[(day(week), counts) for week, counts in data["funnel_by_week"]],
        conversions=[Conversion(**c) for c in data["conversions"]],
    )
