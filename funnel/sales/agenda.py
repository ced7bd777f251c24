"""Loads Today's candidates from the database and hands them to funnel.sales.priorities.

Each group is fetched with one query ordered like priorities.priority_key and cut at the page's
limit, so Today costs the same number of queries with 20 or 20,000 opportunities.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from funnel.accounts.models import Team
from funnel.sales.facts import sales_cycle
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.sales.priorities import (
    LEVEL_GROUP,
    UNKNOWN_FIT,
    Agenda,
    Candidate,
    Group,
    Settings,
    build_agenda,
)
from funnel.sales.rules import InfluenceFacts, OpportunityFacts

ITEMS_PER_GROUP = 10
# SQLite multiplies value by fit in floating point, so two weights equal to the cent can come
# out in either order; a few extra rows let priorities.build_agenda make the final cut exactly.
TIE_SLACK = 5


def agenda_for(
    user: User, *, now: datetime | None = None, limit: int | None = ITEMS_PER_GROUP
) -> Agenda:
    """Today for this user, in the time zone that is active (the user's, in views and CLI)."""
    now = now or timezone.now()
    settings = agenda_settings(user, now)
    opportunities = Opportunity.objects.filter(owner=user).select_related(
        "organisation", "main_contact"
    )
    prospect_ok = Q(organisation__fit_score__isnull=True) | Q(
        organisation__fit_score__gte=settings.poor_fit_below
    )
    due = Q(next_step_at__lt=settings.end_of_today)
    rows: list[Opportunity] = []
    for level in LEVEL_GROUP:
        group = opportunities.filter(level=level)
        if level == Level.ABOVE:
            group = group.filter(prospect_ok | due)
        ordered = in_priority_order(group, settings)
        rows += list(ordered[: limit + TIE_SLACK] if limit else ordered)
    totals, left_out = group_counts(user, settings, prospect_ok | due)
    return build_agenda(
        candidates(rows), settings=settings, totals=totals, left_out=left_out, limit=limit
    )


def agenda_settings(user: User, now: datetime) -> Settings:
    today = timezone.localdate(now)
    start_of_tomorrow = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), datetime.min.time())
    )
    team = Team.objects.only("poor_fit_below").get(pk=user.profile.team_id)
    return Settings(
        now=now,
        end_of_today=start_of_tomorrow,
        today=today,
        cycle_days=sales_cycle(user, now=now).days,
        poor_fit_below=team.poor_fit_below,
    )


def in_priority_order(
    opportunities: QuerySet[Opportunity], settings: Settings
) -> QuerySet[Opportunity]:
    """The SQL twin of priorities.priority_key, so a LIMIT keeps the right rows."""
    return opportunities.annotate(
        urgency=Case(
            When(next_step_at__lt=settings.now, then=Value(0)),
            When(next_step_at__lt=settings.end_of_today, then=Value(1)),
            default=Value(2),
        ),
        due_order=Case(When(next_step_at__lt=settings.end_of_today, then=F("next_step_at"))),
        weight=ExpressionWrapper(
            F("value") * Coalesce("organisation__fit_score", Value(UNKNOWN_FIT)),
            output_field=DecimalField(),
        ),
    ).order_by("urgency", "due_order", "-weight", "pk")


def group_counts(
    user: User, settings: Settings, suggested: Q
) -> tuple[dict[Group, int], dict[Group, int]]:
    counts = (
        Opportunity.objects.filter(owner=user, level__in=list(LEVEL_GROUP))
        .values("level")
        .annotate(total=Count("pk"), left_out=Count("pk", filter=~suggested))
        .order_by()
    )
    totals = {LEVEL_GROUP[Level(row["level"])]: row["total"] for row in counts}
    left_out = {
        Group.PROSPECTING: sum(row["left_out"] for row in counts if row["level"] == Level.ABOVE)
    }
    return totals, left_out


def candidates(rows: list[Opportunity]) -> list[Candidate]:
    influences: dict[int, list[InfluenceFacts]] = defaultdict(list)
    for row in (
        BuyingInfluence.objects.filter(opportunity__in=[o.pk for o in rows])
        .order_by("role", "pk")
        .values("opportunity_id", "person__name", "role", "status", "fit_confirmed")
    ):
        influences[row["opportunity_id"]].append(
            InfluenceFacts(row["person__name"], row["role"], row["status"], row["fit_confirmed"])
        )
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
