"""A year of a solo consultant's selling, planned as plain data.

Pure: the same random generator state and `today` give the same plan, and nothing touches the
database, so funnel.demo.generate only has to write it.
"""

import datetime as dt
import random
from collections import defaultdict

from funnel.demo.activities import plan_history, plan_networking
from funnel.demo.contacts import plan_organisations, plan_people
from funnel.demo.records import ActivityPlan, DemoPlan, OpportunityPlan
from funnel.demo.selling import (
    LEVEL_MIX,
    plan_influences,
    plan_opportunity,
    plan_sources,
    plan_timeline,
)
from funnel.demo.workdays import moment, shift, weekday_on_or_before

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

    timelines = [plan_timeline(rng, level, today) for level in levels]
    sources = plan_sources(rng, slots, timelines)
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
        opportunities.append(opportunity)
        activities += history
    activities += plan_networking(rng, today, people, set(order[WITH_DEALS:]))
    plan = DemoPlan(organisations, people, opportunities, activities)
    date_records(rng, plan, today)
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
