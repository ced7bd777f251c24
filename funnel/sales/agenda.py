"""Loads Today's candidates from the database and hands them to funnel.sales.priorities.

Each group is read in priority order with two queries an index can answer (steps due by the
end of today, soonest first; then the rest by value times fit) and cut at the page's limit, so
Today costs the same number of queries with 20 or 20,000 opportunities.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from funnel.sales.facts import influence_facts, sales_cycle
from funnel.sales.models import Level, Opportunity
from funnel.sales.priorities import (
    LEVEL_GROUP,
    Agenda,
    AgendaSettings,
    Candidate,
    Group,
    build_agenda,
)
from funnel.sales.rules import OpportunityFacts

# Today is what to do now: the first few of each group, the rest a click away on the board.
ITEMS_PER_GROUP = 5
# What Today's items and the board's cards show: fetching only these keeps wide rows cheap.
CARD_FIELDS = [
    "title",
    "level",
    "value",
    "currency",
    "next_step",
    "next_step_at",
    "expected_close_on",
    "level_changed",
    "organisation__name",
    "organisation__fit_score",
    "organisation__fit_known",
    "main_contact__name",
]
# A few rows beyond the limit, so build_agenda makes the final cut even where SQLite's floating
# point puts two weights equal to the cent in the other order.
TIE_SLACK = 5


def agenda_for(
    user: User, *, now: datetime | None = None, limit: int | None = ITEMS_PER_GROUP
) -> Agenda:
    """Today for this user, in the time zone that is active (the user's, in views and CLI)."""
    now = now or timezone.now()
    settings = agenda_settings(user, now)
    opportunities = (
        Opportunity.objects.filter(owner=user)
        .select_related("organisation", "main_contact")
        .only(*CARD_FIELDS)
    )
    rows: list[Opportunity] = []
    for level in LEVEL_GROUP:
        group = opportunities.filter(level=level)
        take = None if limit is None else limit + TIE_SLACK
        rows += priority_slice(group, settings, limit=take, prospecting=level == Level.ABOVE)
    totals, left_out = group_counts(user, settings)
    return build_agenda(
        candidates(rows), settings=settings, totals=totals, left_out=left_out, limit=limit
    )


def priority_slice(
    rows: QuerySet[Opportunity],
    settings: AgendaSettings,
    *,
    offset: int = 0,
    limit: int | None = None,
    prospecting: bool = False,
) -> list[Opportunity]:
    """rows[offset:offset + limit] in priorities.priority_key order.

    Prospecting leaves poor fits out, unless a step with them is due.
    """
    due = Q(next_step_at__lt=settings.end_of_today)
    due_rows = rows.filter(due).order_by("next_step_at", "pk")
    later_rows = rows.exclude(due).order_by("-weight", "pk")
    if prospecting:
        later_rows = later_rows.filter(suggested_fit(settings))
    if limit is None:
        return [*due_rows[offset:], *later_rows]
    picked = list(due_rows[offset : offset + limit])
    if len(picked) == limit:
        return picked
    # Past the first page, where the due rows end decides where the others start.
    due_count = due_rows.count() if offset else len(picked)
    later_offset = max(offset - due_count, 0)
    return picked + list(later_rows[later_offset : later_offset + limit - len(picked)])


def suggested_fit(settings: AgendaSettings) -> Q:
    return Q(organisation__fit_score__isnull=True) | Q(
        organisation__fit_score__gte=settings.poor_fit_below
    )


def agenda_settings(user: User, now: datetime) -> AgendaSettings:
    today = timezone.localdate(now)
    start_of_tomorrow = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), datetime.min.time())
    )
    return AgendaSettings(
        now=now,
        end_of_today=start_of_tomorrow,
        today=today,
        cycle_days=sales_cycle(user, now=now).days,
        poor_fit_below=user.profile.team.poor_fit_below,
    )


def group_counts(user: User, settings: AgendaSettings) -> tuple[dict[Group, int], dict[Group, int]]:
    """Open objectives per group, and the poor fits left out of prospecting (one query)."""
    left_out = Q(level=Level.ABOVE, organisation__fit_score__lt=settings.poor_fit_below) & ~Q(
        next_step_at__lt=settings.end_of_today
    )
    counts = (
        Opportunity.objects.filter(owner=user, level__in=list(LEVEL_GROUP))
        .values_list("level")
        .annotate(total=Count("pk"), poor=Count("pk", filter=left_out))
        .order_by()
    )
    totals: dict[Group, int] = {}
    poor = 0
    for level, total, poor_here in counts:
        totals[LEVEL_GROUP[Level(level)]] = total
        poor += poor_here
    return totals, {Group.PROSPECTING: poor}


def candidates(rows: list[Opportunity]) -> list[Candidate]:
    influences = influence_facts([o.pk for o in rows])
    return [
        Candidate(
            id=o.pk,
            title=o.title,
            customer=o.customer_name,
            level=o.level,
            value=o.value,
            currency=o.currency,
            fit_score=o.organisation.fit_score if o.organisation else None,
            next_step=o.next_step,
            next_step_at=o.next_step_at,
            expected_close_on=o.expected_close_on,
            level_since=timezone.localdate(o.level_changed),
            facts=OpportunityFacts(o.level, o.expected_close_on, influences[o.pk]),
        )
        for o in rows
    ]


def agenda_payload(agenda: Agenda, *, user: User, day: date) -> dict[str, Any]:
    """The JSON contract of `funnel agenda --json` (documented in docs/agenda-json.md)."""
    return {
        "date": day.isoformat(),
        "user": user.get_username(),
        "items": [
            {
                "priority": int(item.group),
                "group": item.group.key,
                "kind": item.kind,
                "title": item.opportunity.title,
                "customer": item.opportunity.customer,
                "opportunity_id": item.opportunity.id,
                "due": timezone.localtime(item.due).isoformat() if item.due else None,
                "overdue": item.overdue,
                "reason": item.reason,
                "warnings": list(item.warnings),
            }
            for item in agenda.items
        ],
        "groups": [
            {
                "priority": int(summary.group),
                "group": summary.group.key,
                "total": summary.total,
                "shown": len(summary.items),
                "more": summary.more,
                "left_out": summary.left_out,
            }
            for summary in agenda.groups
        ],
    }
