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
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    FloatField,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from funnel.accounts.models import Profile
from funnel.forecast.alerts import DrySpell, StopAhead
from funnel.forecast.model import Band, Basis, Forecast, Month
from funnel.forecast.models import StoredOutlook
from funnel.forecast.outlook import Outlook, outlook
from funnel.forecast.paths import CODE, EPOCH, OPEN, Conversion, FloatArray, History, IntArray
from funnel.sales.facts import sales_cycle
from funnel.sales.models import LevelChange, Opportunity

HISTORY = timedelta(days=3 * 366)  # what the outlook reads back: stays, stops, won by month
KEPT_SECONDS = 24 * 3600


def load_history(profile: Profile, *, as_of: date) -> History:
    """The user's opportunities in their currency as far back as the outlook reads (open
    ones, and the others that moved within HISTORY of as_of), their moves on local days, and
    when each entered the funnel: its first contact, or its first move if that came sooner.

    Tens of thousands of moves are read as plain numbers (seconds since 1970, level codes) and
    turned into local days in one pass: building a datetime per move would cost most of the
    forecast's time.
    """
    since = datetime.combine(as_of - HISTORY, datetime.min.time(), profile.zone)
    mine = Opportunity.objects.filter(owner_id=profile.user_id, currency=profile.currency).filter(
        Q(level__in=OPEN) | Q(level_changed__gte=since)
    )
    opportunities = mine.annotate(
        worth=Cast("value", FloatField()), first_contact=DayOrdinal("first_contact_on")
    ).order_by("pk")
    ids, values, first_contact = columns(
        opportunities.values_list("pk", "worth", "first_contact"), 3
    )
    moves = (
        LevelChange.objects.filter(opportunity__in=mine.values("pk"))
        .annotate(seconds=EpochSeconds("at"), code=LEVEL_CODE)
        .order_by("opportunity_id", "at", "pk")
        .values_list("opportunity_id", "seconds", "code")
    )
    opportunity, seconds, code = columns(moves, 3)
    known = np.isin(opportunity, ids)
    return History.from_columns(
        path=np.searchsorted(ids, opportunity[known]).astype(np.int64),
        day=local_days(seconds[known].astype(np.int64), profile.zone),
        level=code[known].astype(np.int64),
        value=values.astype(np.float64),
        first_contact=first_contact.astype(np.int64),
        as_of=as_of,
    )


def columns(rows: QuerySet[Any, Any], width: int) -> list[FloatArray]:
    """A values_list of numbers as one array per column. The rows are fetched straight from
    the cursor: Django's per-value converters would cost more than the query itself."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        table = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, width)
    return [table[:, i] for i in range(width)]


class EpochSeconds(Func):
    """A moment as whole seconds since 1970 (UTC). On SQLite through julianday(), which is
    quicker than strftime('%s'); the ten-thousandth of a second added keeps a moment on the
    second from being read as the one before it by floating point."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST((julianday(%(expressions)s) - 2440587.5) * 86400 + 0.0001 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)


class DayOrdinal(Func):
    """A date as its proleptic Gregorian ordinal (date.toordinal())."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(julianday(%(expressions)s) - 1721424.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(%(expressions)s - DATE '0001-01-01' + 1)"
        return self.as_sql(compiler, connection, template=template, **extra)


LEVEL_CODE = Case(
    *[When(to_level=level, then=Value(code)) for level, code in CODE.items()],
    default=Value(CODE["lost"]),
    output_field=IntegerField(),
)


def local_days(seconds: IntArray, zone: ZoneInfo) -> IntArray:
    """Each moment (seconds since 1970, UTC) as the ordinal of its day in zone.

    A zone's offset only changes at its transitions: they are found day by day over the span
    (to the quarter hour within a day that has one), and each moment takes the offset in force.
    """
    if not seconds.size:
        return seconds
    quarter, day = 900, 86400

    def offset(moment: int) -> int:
        return int(datetime.fromtimestamp(moment, UTC).astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    first, last = int(seconds.min()) // day * day, int(seconds.max()) // day * day + day
    starts, offsets = [first], [offset(first)]
    for midnight in range(first + day, last + day, day):
        if offset(midnight) != offsets[-1]:
            changed = next(
                m
                for m in range(midnight - day + quarter, midnight + 1, quarter)
                if offset(m) != offsets[-1]
            )
            starts.append(changed)
            offsets.append(offset(changed))
    in_force = np.searchsorted(np.array(starts), seconds, side="right") - 1
    return np.asarray((seconds + np.array(offsets)[in_force]) // day + EPOCH, dtype=np.int64)


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
        load_history(profile, as_of=as_of),
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
