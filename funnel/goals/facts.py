"""Loads what goals count: one aggregate per metric over the whole range, per local day.

The number of queries depends on which metrics the goals use, never on how many goals or
periods there are, nor on how much data: rows come back grouped by day.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Count, Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from funnel.goals import rules
from funnel.goals.models import Goal, Metric
from funnel.prospecting.allocation import minutes_by_day
from funnel.prospecting.facts import load
from funnel.prospecting.rules import spent_minutes
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, Level, LevelChange

Daily = dict[date, Decimal]
QUALIFIED_TO = [Level.IN, Level.BEST_FEW, Level.WON]
MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True)
class Span:
    """Local days [first, last) in the user's time zone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.first, time.min, self.zone)

    @property
    def ends(self) -> datetime:
        return datetime.combine(self.last, time.min, self.zone)


def per_day(rows: QuerySet[Any], moment: str, zone: ZoneInfo, amount: Any) -> Daily:
    """Rows grouped by the local day of their `moment` field, with `amount` for each day."""
    grouped = (
        rows.annotate(day=TruncDate(moment, tzinfo=zone))
        .order_by()
        .values("day")
        .annotate(amount=amount)
        .values_list("day", "amount")
    )
    return {day: Decimal(total or 0) for day, total in grouped}


def changes_in(user: User, span: Span) -> QuerySet[LevelChange]:
    return LevelChange.objects.filter(
        opportunity__owner=user, at__gte=span.starts, at__lt=span.ends
    )


def new_prospects(user: User, span: Span) -> Daily:
    """Objectives created: their first level change has no level before it."""
    return per_day(changes_in(user, span).filter(from_level=""), "at", span.zone, Count("pk"))


def prospecting_minutes(user: User, span: Span) -> Daily:
    """Minutes the user spent on objectives that were above the funnel at the time.

    Measured as the time-allocation report measures it (funnel.prospecting.allocation), day by day.
    """
    days: dict[date, Decimal] = defaultdict(Decimal)
    for (day, level), minutes in minutes_by_day(user, span.starts, span.ends).items():
        if level == Level.ABOVE:
            days[day] += minutes
    # Prospecting blocks kept count too, on the day they took place.
    kept = load(user, since=span.starts, zone=span.zone).between(span.starts, span.ends)
    for occurrence in kept:
        if occurrence.slot[0] >= span.starts:
            day = timezone.localdate(occurrence.slot[0], span.zone)
            days[day] += spent_minutes([occurrence])
    return dict(days)


def prospecting_hours(user: User, span: Span) -> Daily:
    minutes = prospecting_minutes(user, span)
    return {day: amount / MINUTES_PER_HOUR for day, amount in minutes.items()}


def first_meetings(user: User, span: Span) -> Daily:
    """The first meeting on each of the user's objectives, on the day it happened."""
    firsts = (
        Activity.objects.filter(opportunity__owner=user, kind=Activity.Kind.MEETING)
        .order_by()
        .values("opportunity")
        .annotate(first=Min("occurred"))
        .filter(first__gte=span.starts, first__lt=span.ends)
        .values_list("first", flat=True)
    )
    days: Daily = {}
    for moment in firsts:
        day = timezone.localdate(moment, span.zone)
        days[day] = days.get(day, rules.ZERO) + 1
    return days


def qualified(user: User, span: Span) -> Daily:
    moves = changes_in(user, span).filter(from_level=Level.ABOVE, to_level__in=QUALIFIED_TO)
    return per_day(moves, "at", span.zone, Count("pk"))


def proposals_sent(user: User, span: Span) -> Daily:
    sent = (
        Quote.objects.filter(
            opportunity__owner=user, sent_on__gte=span.first, sent_on__lt=span.last
        )
        .exclude(status=Quote.Status.DRAFT)
        .order_by()
        .values("sent_on")
        .annotate(amount=Count("pk"))
        .values_list("sent_on", "amount")
    )
    return {day: Decimal(amount) for day, amount in sent if day is not None}


def value_won(user: User, span: Span) -> dict[str, Daily]:
    """Value of the objectives moved to won, per currency and local day."""
    rows = (
        changes_in(user, span)
        .filter(to_level=Level.WON)
        .annotate(day=TruncDate("at", tzinfo=span.zone))
        .order_by()
        .values("opportunity__currency", "day")
        .annotate(amount=Sum("opportunity__value"))
        .values_list("opportunity__currency", "day", "amount")
    )
    won: dict[str, Daily] = {}
    for currency, day, amount in rows:
        won.setdefault(currency, {})[day] = Decimal(amount)
    return won


COUNTERS: dict[str, Callable[[User, Span], Daily]] = {
    Metric.PROSPECTS: new_prospects,
    Metric.PROSPECTING_HOURS: prospecting_hours,
    Metric.FIRST_MEETINGS: first_meetings,
    Metric.QUALIFIED: qualified,
    Metric.PROPOSALS: proposals_sent,
}


@dataclass
class Counts:
    """Each metric per local day; value won in the main currency, other currencies apart."""

    daily: dict[str, Daily] = field(default_factory=dict)
    other_currencies: dict[str, Daily] = field(default_factory=dict)


def load_counts(user: User, metrics: Iterable[str], span: Span, currency: str) -> Counts:
    counts = Counts()
    for metric in sorted(set(metrics)):
        if metric == Metric.VALUE_WON:
            won = value_won(user, span)
            counts.daily[metric] = won.pop(currency, {})
            counts.other_currencies = won
        else:
            counts.daily[metric] = COUNTERS[metric](user, span)
    return counts


@dataclass(frozen=True)
class GoalCard:
    """A goal with this period's progress and, on the goals page, its past periods."""

    goal: Goal
    current: rules.PeriodResult
    started: bool
    history: list[rules.PeriodResult]
    # Value won this period in currencies other than the main one: shown, not counted.
    others: list[tuple[str, Decimal]]

    @property
    def times_met(self) -> int:
        return rules.times_met(self.history)


def goal_cards(
    user: User, goals: Sequence[Goal], today: date, *, with_history: bool
) -> list[GoalCard]:
    """Each goal's progress, from one query per metric used (none without goals)."""
    if not goals:
        return []
    starts = [(g.starts_on if with_history else today, g.period) for g in goals]
    first, last = rules.span(starts, today)
    span = Span(first, last, user.profile.zone)
    counts = load_counts(user, [g.metric for g in goals], span, user.profile.currency)
    totals: dict[tuple[str, str], dict[date, Decimal]] = {}
    for g in goals:
        if (g.metric, g.period) not in totals:
            daily = counts.daily[g.metric]
            totals[g.metric, g.period] = rules.totals_by_period(daily, g.period)
    return [card(g, today, totals[g.metric, g.period], counts, with_history) for g in goals]


def card(
    goal: Goal, today: date, totals: dict[date, Decimal], counts: Counts, with_history: bool
) -> GoalCard:
    start = rules.period_bounds(today, goal.period)[0]
    current = rules.result(start, goal.period, totals, goal.target)
    history = []
    if with_history:
        history = rules.history(
            starts_on=goal.starts_on,
            today=today,
            period=goal.period,
            totals=totals,
            target=goal.target,
        )
    others = []
    if goal.metric == Metric.VALUE_WON:
        for currency, daily in sorted(counts.other_currencies.items()):
            amount = rules.totals_by_period(daily, goal.period).get(start, rules.ZERO)
            if amount:
                others.append((currency, amount))
    started = goal.starts_on <= current.last_day
    return GoalCard(goal, current, started, history, others)


@dataclass(frozen=True)
class TodayGoals:
    cards: list[GoalCard]
    currency: str

    @property
    def unlocked(self) -> list[GoalCard]:
        return [c for c in self.cards if c.current.progress.met]


def goals_for_today(user: User, now: datetime) -> TodayGoals:
    """Every goal already started, with this period's progress: Today's goals card."""
    today = timezone.localdate(now, user.profile.zone)
    goals = sorted(Goal.objects.of(user).filter(starts_on__lte=today), key=Goal.sort_key)
    cards = goal_cards(user, goals, today, with_history=False)
    return TodayGoals(cards, user.profile.currency)
