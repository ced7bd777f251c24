"""Writing her activities and follow-ups (planned in funnel.demo.followups).

Most activities, and the follow-ups they carried out, are bulk-inserted. Requests, their answers
and nurture touches go through funnel.followup.actions.log_activity in the order they happened,
so the app plans what follows them itself: a time to answer by, the next touch. The steps after
a sale are those each win created (funnel.sales.actions.move_opportunity): the delivery dates are
set through the app, and the cards and calls after the sale carry the steps out. Last, each
opportunity's stop-rule state and next step are brought up to date, as logging would have.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Now

from funnel.accounts.models import Team
from funnel.contacts.models import Person
from funnel.demo.records import ActivityPlan, DemoPlan, FollowUpPlan
from funnel.followup.actions import (
    log_activity,
    refresh_stop_state,
    set_delivery_date,
    sync_next_step,
)
from funnel.followup.models import FollowUp, Kind, Status
from funnel.sales.models import Activity, Opportunity


@dataclass
class Rows:
    """The database rows the plan's indexes point at, and who does the work."""

    user: User
    colleague: User
    opportunities: list[Opportunity]
    people: list[Person]

    def activity(self, entry: ActivityPlan) -> Activity:
        return Activity(
            team=self.user.profile.team,
            by=self.user,
            kind=entry.kind,
            occurred=entry.occurred,
            channel=entry.channel,
            outcome=entry.outcome,
            minutes=entry.minutes,
            notes=entry.notes,
            person=None if entry.person is None else self.people[entry.person],
            opportunity=None
            if entry.opportunity is None
            else self.opportunities[entry.opportunity],
        )

    def follow_up(self, plan: FollowUpPlan, opportunity: int, **state: object) -> FollowUp:
        return FollowUp(
            team=self.user.profile.team,
            opportunity=self.opportunities[opportunity],
            person=None if plan.person is None else self.people[plan.person],
            assigned_to=self.colleague if plan.delegated else self.user,
            kind=Kind.FOLLOW_UP,
            due_at=plan.due_at,
            minutes=plan.minutes,
            channel=plan.channel,
            purpose=plan.purpose,
            value_to_bring=plan.value_to_bring,
            **state,
        )


def write_activities(plan: DemoPlan, rows: Rows) -> None:
    """Every activity and follow-up of the plan, in the order the module docstring gives."""
    team = rows.user.profile.team
    bulk = [entry for entry in plan.activities if not entry.logged]
    written = Activity.objects.bulk_create(rows.activity(entry) for entry in bulk)
    pairs = list(zip(bulk, written, strict=True))
    write_done(pairs, rows)
    for deal, opportunity in zip(plan.opportunities, rows.opportunities, strict=True):
        if deal.delivery_on:
            set_delivery_date(opportunity=opportunity, delivery_on=deal.delivery_on)
    complete_post_sale_steps(pairs, rows)
    for entry in sorted((e for e in plan.activities if e.logged), key=lambda e: e.occurred):
        log(entry, rows)
    write_next(plan, rows)
    for opportunity in rows.opportunities:
        if opportunity.is_open:  # a move set the others' state; their stop rules are off
            refresh_stop_state(opportunity)
        sync_next_step(opportunity)
    Activity.objects.filter(team=team).update(created=F("occurred"))
    backdate(team)


def write_done(pairs: list[tuple[ActivityPlan, Activity]], rows: Rows) -> None:
    """The follow-ups the contacts carried out, each with the contact's outcome."""
    FollowUp.objects.bulk_create(
        rows.follow_up(
            entry.carries,
            entry.opportunity,
            status=Status.DONE,
            outcome=entry.outcome,
            activity=activity,
        )
        for entry, activity in pairs
        if entry.carries and entry.opportunity is not None
    )


def write_next(plan: DemoPlan, rows: Rows) -> None:
    """Each open opportunity's next follow-up, where the app does not plan it itself."""
    FollowUp.objects.bulk_create(
        rows.follow_up(deal.next_follow_up, index)
        for index, deal in enumerate(plan.opportunities)
        if deal.next_follow_up
    )


def complete_post_sale_steps(pairs: list[tuple[ActivityPlan, Activity]], rows: Rows) -> None:
    """Each step done by the card or call that carried it out, as log_activity would mark it."""
    steps: dict[int, list[FollowUp]] = defaultdict(list)
    created = FollowUp.objects.filter(team=rows.user.profile.team, kind=Kind.POST_SALE)
    for step in created.order_by("pk"):  # each win's steps in the order of her sequence
        steps[step.opportunity_id].append(step)
    done = []
    for entry, activity in pairs:
        if entry.post_sale_step is None or entry.opportunity is None:
            continue
        step = steps[rows.opportunities[entry.opportunity].pk][entry.post_sale_step]
        step.status, step.outcome, step.activity = Status.DONE, entry.outcome, activity
        done.append(step)
    FollowUp.objects.bulk_update(done, ["status", "outcome", "activity"])


def log(entry: ActivityPlan, rows: Rows) -> None:
    """Through the app: an answer carries out the request it answers."""
    activity = rows.activity(entry)
    assert activity.opportunity, "only activities on an opportunity are logged"
    waiting = None
    if entry.kind != Activity.Kind.REQUEST:
        waiting = activity.opportunity.follow_ups.planned().filter(kind=Kind.REQUEST).first()
    log_activity(activity=activity, by=rows.user, follow_up=waiting)


def backdate(team: Team) -> None:
    """Each follow-up was planned at the contact before it was due, and last changed when it
    was carried out, or when planned (bulk_update and update() skip auto_now)."""
    follow_ups = FollowUp.objects.filter(team=team)
    due = Coalesce(OuterRef("due_at"), Now())
    before = Activity.objects.filter(opportunity=OuterRef("opportunity"), occurred__lt=due)
    planned_at = Subquery(before.order_by("-occurred").values("occurred")[:1])
    follow_ups.update(created=Coalesce(planned_at, F("created")))
    done_at = Activity.objects.filter(pk=OuterRef("activity")).values("occurred")
    follow_ups.filter(activity__isnull=False).update(updated=Subquery(done_at))
    follow_ups.filter(activity__isnull=True).update(updated=F("created"))
