"""Loads Today's candidates from the database and hands them to funnel.today.priorities.

Each group is read in priority order with two queries an index can answer (steps due by the
end of today, soonest first; then the rest by value times fit) and cut at the page's limit, so
Today costs the same number of queries with 20 or 20,000 opportunities.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from funnel.accounts.models import Membership, team_ids
from funnel.followup.facts import stop_rule_suspects
from funnel.followup.models import FollowUp, Kind
from funnel.sales.facts import influence_facts, sales_cycle
from funnel.sales.models import OPEN_LEVELS, Level, Opportunity
from funnel.sales.rules import InfluenceFacts, OpportunityFacts
from funnel.today.priorities import (
    LEVEL_GROUP,
    Agenda,
    AgendaSettings,
    Candidate,
    FollowUpFacts,
    Group,
    build_agenda,
)

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
    "attempts_without_answer",
    "progress_at",
    "stop_after_attempts",
    "stop_after_days",
]
# Follow-ups that bring an opportunity to Today whatever its rank: requests to answer, steps a
# colleague delegated, nurture touches and after-sale steps. Beyond this many, the lists have them.
MY_FOLLOW_UPS = 50
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
    take = None if limit is None else limit + TIE_SLACK
    for level in OPEN_LEVELS:
        group = opportunities.filter(level=level)
        rows += priority_slice(group, settings, limit=take, prospecting=level == Level.ABOVE)
    rows += stop_rule_rows(opportunities, settings, limit=take)
    mine = my_follow_ups(user, settings)
    rows += [follow_up.opportunity for follow_up in mine]
    totals, left_out = group_counts(user, settings)
    totals[Group.KEEP_IN_TOUCH] = len(
        {f.opportunity_id for f in mine if f.opportunity.level not in OPEN_LEVELS}
    )
    return build_agenda(
        candidates(rows, user=user),
        settings=settings,
        totals=totals,
        left_out=left_out,
        limit=limit,
    )


def stop_rule_rows(
    opportunities: QuerySet[Opportunity], settings: AgendaSettings, *, limit: int | None
) -> list[Opportunity]:
    days = settings.stop_after_days or 2 * settings.cycle_days
    return stop_rule_suspects(
        opportunities,
        attempts=settings.stop_after_attempts,
        idle_since=settings.now - timedelta(days=days),
        limit=limit,
    )


def my_follow_ups(user: User, settings: AgendaSettings) -> list[FollowUp]:
    """The user's follow-ups Today shows whatever the opportunity's rank (MY_FOLLOW_UPS each):
    requests and won deals waiting for a delivery date; nurture touches and after-sale steps
    due; steps delegated to them on a colleague's opportunity. Small queries an index answers.
    """
    mine = (
        FollowUp.objects.planned()
        .filter(assigned_to=user)
        .select_related("opportunity__organisation", "opportunity__main_contact")
    )
    # Unordered: sorting by time would make SQLite pick the index without the kind.
    waiting = (
        mine.filter(kind__in=[Kind.REQUEST, Kind.POST_SALE])
        .filter(Q(kind=Kind.REQUEST) | Q(due_at__isnull=True))
        .order_by()
    )
    due = mine.filter(due_at__lt=settings.end_of_today).order_by("due_at", "pk")
    keep_in_touch = due.filter(kind__in=[Kind.NURTURE, Kind.POST_SALE])
    rows = [*waiting[:MY_FOLLOW_UPS], *keep_in_touch[:MY_FOLLOW_UPS]]
    colleagues = teammates(user)
    if colleagues:
        rows += due.filter(opportunity__owner__in=colleagues)[:MY_FOLLOW_UPS]
    return rows


def teammates(user: User) -> list[int]:
    """Who else is in the user's teams: nobody, for most users, and then no query for it."""
    return list(
        Membership.objects.filter(team_id__in=team_ids(user))
        .exclude(user=user)
        .values_list("user_id", flat=True)
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
        stop_after_attempts=user.profile.stop_after_attempts,
        stop_after_days=user.profile.stop_after_days,
    )


def group_counts(user: User, settings: AgendaSettings) -> tuple[dict[Group, int], dict[Group, int]]:
    """Open objectives per group, and the poor fits left out of prospecting (one query)."""
    left_out = Q(level=Level.ABOVE, organisation__fit_score__lt=settings.poor_fit_below) & ~Q(
        next_step_at__lt=settings.end_of_today
    )
    counts = (
        Opportunity.objects.filter(owner=user, level__in=OPEN_LEVELS)
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


def candidates(rows: list[Opportunity], *, user: User | None = None) -> list[Candidate]:
    """Each opportunity once, with its influences and the follow-up the item is about."""
    unique = list({o.pk: o for o in rows}.values())
    influences = influence_facts([o.pk for o in unique])
    follow_ups, waiting = follow_up_facts([o.pk for o in unique], user=user)
    return [
        candidate(o, influences[o.pk], follow_ups.get(o.pk), waiting=o.pk in waiting)
        for o in unique
    ]


def candidate(
    o: Opportunity,
    influences: list[InfluenceFacts],
    follow_up: FollowUpFacts | None,
    *,
    waiting: bool = False,
) -> Candidate:
    return Candidate(
        id=o.pk,
        title=o.title,
        customer=o.customer_name,
        level=o.level,
        value=o.value,
        currency=o.currency,
        fit_score=o.organisation.fit_score if o.organisation else None,
        next_step=o.next_step,
        next_step_at=follow_up.due_at if follow_up else o.next_step_at,
        expected_close_on=o.expected_close_on,
        level_since=timezone.localdate(o.level_changed),
        facts=OpportunityFacts(o.level, o.expected_close_on, influences),
        follow_up=follow_up,
        attempts=o.attempts_without_answer,
        progress_at=o.progress_at,
        stop_after_attempts=o.stop_after_attempts,
        stop_after_days=o.stop_after_days,
        waiting_for_delivery=waiting,
    )


def follow_up_facts(
    opportunity_ids: list[int], *, user: User | None
) -> tuple[dict[int, FollowUpFacts], set[int]]:
    """For each opportunity, the planned follow-up to show: a request to answer first, then the
    user's own, then the soonest; and the won ones waiting for a delivery date (one query)."""
    planned = (
        FollowUp.objects.planned()
        .filter(opportunity__in=opportunity_ids)
        .select_related("assigned_to")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
    chosen: dict[int, FollowUp] = {}
    waiting = set()
    for follow_up in planned:
        if follow_up.kind == Kind.POST_SALE and follow_up.due_at is None:
            waiting.add(follow_up.opportunity_id)
        current = chosen.get(follow_up.opportunity_id)
        if current is None or rank(follow_up, user) < rank(current, user):
            chosen[follow_up.opportunity_id] = follow_up
    return {pk: facts_of(follow_up, user) for pk, follow_up in chosen.items()}, waiting


def rank(follow_up: FollowUp, user: User | None) -> int:
    if follow_up.kind == Kind.REQUEST:
        return 0
    return 1 if user is not None and follow_up.assigned_to_id == user.pk else 2


def facts_of(follow_up: FollowUp, user: User | None) -> FollowUpFacts:
    colleague = user is not None and follow_up.assigned_to_id != user.pk
    return FollowUpFacts(
        id=follow_up.pk,
        kind=follow_up.kind,
        purpose=follow_up.purpose,
        channel=follow_up.get_channel_display(),
        due_at=follow_up.due_at,
        minutes=follow_up.minutes,
        assigned_to=display_name(follow_up.assigned_to) if colleague else "",
    )


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


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
                "follow_up_id": item.opportunity.follow_up.id
                if item.opportunity.follow_up
                else None,
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
