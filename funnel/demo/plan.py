"""A year of a consultant's selling and following up, planned as plain data.

Pure: the same random generator state and `today` give the same plan, and nothing touches the
database, so funnel.demo.generate only has to write it.
"""

import datetime as dt
import random
from collections import defaultdict

from funnel.accounts.models import Profile
from funnel.demo.activities import plan_history, plan_networking
from funnel.demo.contacts import plan_organisations, plan_people
from funnel.demo.followups import plan_follow_ups
from funnel.demo.profile import plan_ratings
from funnel.demo.records import ActivityPlan, DemoPlan, OpportunityPlan
from funnel.demo.selling import (
    LEVEL_MIX,
    plan_influences,
    plan_opportunity,
    plan_sources,
    plan_timelines,
    push_through,
    stage_influences,
)
from funnel.demo.workdays import moment, shift, weekday_after, weekday_on_or_before
from funnel.sales.models import Level
from funnel.sales.rules import CYCLE_WINDOW, normal_sales_cycle

# Of the 40 organisations, 36 have at least one opportunity, 18 a second, 6 a third: 60 in all.
WITH_DEALS, WITH_TWO, WITH_THREE = 36, 18, 6


def plan_demo(rng: random.Random, today: dt.date) -> DemoPlan:
    organisations = plan_organisations(rng)
    order = rng.sample(range(len(organisations)), len(organisations))
    slots = order[:WITH_DEALS] + order[:WITH_TWO] + order[:WITH_THREE]
    levels = [level for level, count in LEVEL_MIX.items() for _ in range(count)]
    rng.shuffle(levels)
    people = plan_people(rng, organisations, headcounts(order))
    staff = defaultdict(list)
    for index, person in enumerate(people):
        staff[person.organisation].append(index)

    timelines = plan_timelines(rng, levels, today)
    sources = plan_sources(rng, slots, timelines)
    push_through(rng, timelines, sources)
    titles: dict[int, set[str]] = defaultdict(set)
    opportunities: list[OpportunityPlan] = []
    activities: list[ActivityPlan] = []
    for index, (org, timeline) in enumerate(zip(slots, timelines, strict=True)):
        opportunity = plan_opportunity(
            rng, org, organisations[org], staff[org], timeline, sources[index], titles[org]
        )
        opportunity.influences = plan_influences(
            rng, timeline, staff[org], opportunity.main_contact, people
        )
        opportunity.moves, history = plan_history(rng, index, opportunity, timeline, today)
        stage_influences(opportunity, timeline.overridden)
        opportunities.append(opportunity)
        activities += history
    activities += plan_networking(rng, today, people, set(order[WITH_DEALS:]))
    plan = DemoPlan(organisations, people, opportunities, activities)
    date_records(rng, plan, today)
    settle_close_dates(plan)
    plan_ratings(rng, plan)
    plan_follow_ups(rng, plan, today)
    return plan


def headcounts(order: list[int]) -> list[int]:
    """Three people where there are three deals, one at the quietest places, else two: 80."""
    counts = [2] * len(order)
    for org in order[:WITH_THREE]:
        counts[org] = 3
    for org in order[-WITH_THREE:]:
        counts[org] = 1
    return counts


def date_records(rng: random.Random, plan: DemoPlan, today: dt.date) -> None:
    """Backdate every record to when it first appeared in the story."""
    first_seen: dict[int, dt.datetime] = {}
    last_done: dict[int, dt.datetime] = {}
    for entry in sorted(plan.activities, key=lambda entry: entry.occurred):
        if entry.person is not None:
            first_seen.setdefault(entry.person, entry.occurred)
        if entry.opportunity is not None:
            last_done[entry.opportunity] = entry.occurred
    for index, opportunity in enumerate(plan.opportunities):
        moves = [move.at for move in opportunity.moves]
        done = last_done.get(index, opportunity.started)
        opportunity.updated = max([opportunity.started, *moves, done])
    date_contacts(rng, plan, first_seen, today)


def date_contacts(
    rng: random.Random, plan: DemoPlan, first_seen: dict[int, dt.datetime], today: dt.date
) -> None:
    """An organisation appears with its first person or deal; a person at their first activity."""
    earliest: dict[int, list[dt.datetime]] = defaultdict(list)
    for person, seen in first_seen.items():
        earliest[plan.people[person].organisation].append(seen)
    for opportunity in plan.opportunities:
        earliest[opportunity.organisation].append(opportunity.started)
    for index, organisation in enumerate(plan.organisations):
        if earliest[index]:
            organisation.created = min(earliest[index])
        else:  # a contact from before the demo's year, never worked on
            day = weekday_on_or_before(shift(today, -rng.randint(400, 600)))
            organisation.created = moment(rng, day)
    for index, person_plan in enumerate(plan.people):
        organisation_created = plan.organisations[person_plan.organisation].created
        person_plan.created = first_seen.get(index, organisation_created)


def settle_close_dates(plan: DemoPlan) -> None:
    """On moving a deal to Best few, she expected it to close within half her normal cycle.

    The cycle is the one the app measures at that moment: the median of the wins before it
    (funnel.demo.generate replays the moves in this order), or the profile's setting until five.
    """
    wins = [
        (move.at, (move.at.date() - opportunity.first_contact_on).days)
        for opportunity in plan.opportunities
        for move in opportunity.moves
        if move.to_level == Level.WON
    ]
    setting = Profile._meta.get_field("sales_cycle_days").get_default()
    for opportunity in plan.opportunities:
        for move in opportunity.moves:
            if move.to_level != Level.BEST_FEW or move.override_reason:
                continue
            since = move.at - CYCLE_WINDOW
            won_in = [days for at, days in wins if since <= at < move.at]
            cycle = normal_sales_cycle(won_in, setting_days=setting).days
            day = move.at.date()
            close = max(opportunity.expected_close_on or day, weekday_after(day))
            move.expected_close_on = min(close, shift(day, cycle // 2))
