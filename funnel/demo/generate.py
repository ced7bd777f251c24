"""`funnel demo`: fill an empty database with a believable year of a consultant's selling.

The story is planned as plain data first (funnel.demo.plan), then written here. Opportunities
go through the real sales actions so their level history is the one the app itself records;
everything else is bulk-inserted, then backdated to when it happened in the story.
"""

import datetime as dt
import random
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from funnel.accounts.actions import create_user
from funnel.accounts.models import Team
from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.demo.plan import plan_demo
from funnel.demo.records import DemoPlan, OpportunityPlan
from funnel.sales.actions import create_opportunity, move_opportunity
from funnel.sales.models import Activity, BuyingInfluence, Level, Opportunity


def build_demo(
    *, username: str, password: str, today: dt.date | None = None, seed: int = 2026
) -> str:
    """Create the consultant and her year of selling; return a one-line summary.

    Everything happens before `today`, so a `today` later than the real date would put
    activities in the future. The database must be empty and migrated.
    """
    plan = plan_demo(random.Random(seed), today or timezone.localdate())
    with transaction.atomic():
        user = create_user(
            username=username,
            password=password,
            email="sofia.bianchi@example.com",
            first_name="Sofia",
            last_name="Bianchi",
            time_zone="Europe/Rome",
            currency="EUR",
            language="",
        )
        write_plan(plan, user)
    return summary(user.profile.team)


def write_plan(plan: DemoPlan, user: User) -> None:
    team = user.profile.team
    organisations = write_organisations(team, plan)
    people = write_people(team, plan, organisations)
    opportunities = [
        write_opportunity(user, opportunity, organisations, people)
        for opportunity in plan.opportunities
    ]
    BuyingInfluence.objects.bulk_create(
        BuyingInfluence(
            opportunity=opportunities[index],
            person=people[influence.person],
            role=influence.role,
            status=influence.status,
            fit_confirmed=influence.fit_confirmed,
            notes=influence.notes,
        )
        for index, opportunity in enumerate(plan.opportunities)
        for influence in opportunity.influences
    )
    Activity.objects.bulk_create(
        Activity(
            team=team,
            by=user,
            kind=entry.kind,
            occurred=entry.occurred,
            channel=entry.channel,
            outcome=entry.outcome,
            minutes=entry.minutes,
            notes=entry.notes,
            person=None if entry.person is None else people[entry.person],
            opportunity=None if entry.opportunity is None else opportunities[entry.opportunity],
        )
        for entry in plan.activities
    )
    Activity.objects.filter(team=team).update(created=F("occurred"))


Dated = TypeVar("Dated", Organisation, Person)


def backdate(model: type[Dated], rows: list[Dated], times: list[dt.datetime | None]) -> None:
    """Set created/updated to when the story says; bulk_update skips auto_now, so they stay."""
    for row, created in zip(rows, times, strict=True):
        assert created, "plan_demo dates every organisation and person"
        row.created = row.updated = created
    model.objects.bulk_update(rows, ["created", "updated"])


def write_organisations(team: Team, plan: DemoPlan) -> list[Organisation]:
    rows = Organisation.objects.bulk_create(
        Organisation(
            team=team,
            name=org.name,
            sector=org.sector,
            size=org.size,
            country=org.country,
            city=org.city,
            website=org.website,
            notes=org.notes,
        )
        for org in plan.organisations
    )
    backdate(Organisation, rows, [org.created for org in plan.organisations])
    return rows


def write_people(team: Team, plan: DemoPlan, organisations: list[Organisation]) -> list[Person]:
    rows = Person.objects.bulk_create(
        Person(
            team=team,
            name=person.name,
            job_title=person.job_title,
            organisation=organisations[person.organisation],
            language=person.language,
            preferred_channel=person.preferred_channel,
            notes=person.notes,
        )
        for person in plan.people
    )
    backdate(Person, rows, [person.created for person in plan.people])
    pairs = list(zip(rows, plan.people, strict=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(person=row, kind=kind, address=address)
        for row, person in pairs
        for kind, address in person.emails
    )
    PhoneNumber.objects.bulk_create(
        PhoneNumber(person=row, kind=kind, number=number)
        for row, person in pairs
        for kind, number in person.phones
    )
    return rows


def write_opportunity(
    user: User,
    plan: OpportunityPlan,
    organisations: list[Organisation],
    people: list[Person],
) -> Opportunity:
    """Created and moved through the real actions, then set back to when it all happened."""
    opportunity = create_opportunity(
        opportunity=Opportunity(
            team=user.profile.team,
            owner=user,
            title=plan.title,
            organisation=organisations[plan.organisation],
            main_contact=people[plan.main_contact],
            value=plan.value,
            currency=plan.currency,
            level=Level.ABOVE,
            source=plan.source,
            first_contact_on=plan.first_contact_on,
            expected_close_on=plan.expected_close_on,
        ),
        by=user,
        at=plan.started,
    )
    for move in plan.moves:
        move_opportunity(
            opportunity=opportunity,
            to_level=move.to_level,
            by=user,
            at=move.at,
            reason=move.reason,
        )
    # The timestamps Django keeps itself say "now"; the story says when it all happened.
    Opportunity.objects.filter(pk=opportunity.pk).update(
        created=plan.started,
        updated=plan.updated,
    )
    return opportunity


def summary(team: Team) -> str:
    return (
        f"Demo data: {team.organisations.count()} organisations, {team.people.count()} people, "
        f"{team.opportunities.count()} opportunities, {team.activities.count()} activities."
    )
