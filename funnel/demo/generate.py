"""`funnel demo`: fill an empty database with a believable year of a consultant's selling.

The story is planned as plain data first (funnel.demo.plan), then written here. Opportunities
go through the real sales actions, their moves replayed in the order they happened, so their
level history is the one the app itself records and every move meets the funnel's gates as
they stood then (or carries the override reason she gave). Activities and follow-ups are
written by funnel.demo.write_followups, partly through the follow-up actions; her prospecting
block, goals and quotes by funnel.demo.method. Everything else is bulk-inserted, then backdated
to when it happened in the story.
"""

import datetime as dt
import random
from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership, Team
from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.demo.method import write_method
from funnel.demo.plan import plan_demo
from funnel.demo.profile import CRITERIA
from funnel.demo.records import DemoPlan, InfluencePlan, OpportunityPlan
from funnel.demo.workdays import ROME
from funnel.demo.write_followups import Rows, write_activities
from funnel.fit.actions import refresh_fit
from funnel.fit.models import FitCriterion, Rating
from funnel.followup.models import FollowUp
from funnel.quotes.models import Quote
from funnel.sales.actions import create_opportunity, move_opportunity
from funnel.sales.models import BuyingInfluence, Level, Opportunity

COLLEAGUE = "luca"  # her junior colleague, who takes the smallest prospects' follow-ups


def build_demo(
    *, username: str, password: str, today: dt.date | None = None, seed: int = 2026
) -> str:
    """Create the consultant and her year of selling; return a one-line summary.

    Everything she did happens before `today` (hers, in Rome), so a `today` later than the
    real date would put activities in the future; only follow-ups lie ahead. The database
    must be empty and migrated. Her colleague logs in with the same password.
    """
    today = today or timezone.localdate(timezone=ROME)
    plan = plan_demo(random.Random(seed), today)
    # Her dates are Rome's, as the app's are when she is logged in.
    with transaction.atomic(), timezone.override(ROME):
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
        write_plan(plan, user, add_colleague(user.profile.team, password), today)
    return summary(user.profile.team)


def add_colleague(team: Team, password: str) -> User:
    colleague = create_user(
        username=COLLEAGUE,
        password=password,
        email="luca.ferri@example.com",
        first_name="Luca",
        last_name="Ferri",
        time_zone="Europe/Rome",
        currency="EUR",
        language="",
    )
    Membership.objects.create(team=team, user=colleague, role=Membership.Role.MEMBER)
    return colleague


def write_plan(plan: DemoPlan, user: User, colleague: User, today: dt.date) -> None:
    team = user.profile.team
    organisations = write_organisations(team, plan)
    people = write_people(team, plan, organisations)
    opportunities = [
        write_opportunity(user, opportunity, organisations, people)
        for opportunity in plan.opportunities
    ]
    replay_moves(user, plan, opportunities, people)
    BuyingInfluence.objects.filter(opportunity__team=team).delete()
    write_influences(
        (opportunities[index], influence, people)
        for index, opportunity in enumerate(plan.opportunities)
        for influence in opportunity.influences
    )
    write_profile(team, plan, organisations)
    write_activities(plan, Rows(user, colleague, opportunities, people))
    finish_opportunities(plan, opportunities)
    write_method(plan, user, opportunities, today)


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
    """Created through the real action, above the funnel, when it was first contacted."""
    return create_opportunity(
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


def replay_moves(
    user: User, plan: DemoPlan, opportunities: list[Opportunity], people: list[Person]
) -> None:
    """Every move of the year in the order it happened, so the normal sales cycle each gate
    sees is measured from the deals won before it. A win at the same moment as another move
    counts only after it, as funnel.demo.plan.settle_close_dates assumes."""
    moves = sorted(
        (move.at, move.to_level == Level.WON, index, step)
        for index, opportunity in enumerate(plan.opportunities)
        for step, move in enumerate(opportunity.moves)
    )
    for _at, _won, index, step in moves:
        move, opportunity = plan.opportunities[index].moves[step], opportunities[index]
        if move.influences is not None:
            opportunity.influences.all().delete()
            write_influences((opportunity, influence, people) for influence in move.influences)
        if move.expected_close_on is not None:
            opportunity.expected_close_on = move.expected_close_on
        move_opportunity(
            opportunity=opportunity,
            to_level=move.to_level,
            by=user,
            at=move.at,
            reason=move.reason,
            override_reason=move.override_reason,
        )


def write_influences(rows: Iterable[tuple[Opportunity, InfluencePlan, list[Person]]]) -> None:
    BuyingInfluence.objects.bulk_create(
        BuyingInfluence(
            opportunity=opportunity,
            person=people[influence.person],
            role=influence.role,
            status=influence.status,
            fit_confirmed=influence.fit_confirmed,
            notes=influence.notes,
        )
        for opportunity, influence, people in rows
    )


def finish_opportunities(plan: DemoPlan, opportunities: list[Opportunity]) -> None:
    """Close dates and follow-up plans as they stand today; created and updated when the story
    says (the timestamps Django keeps itself say "now", and bulk_update leaves them be)."""
    for row, opportunity in zip(opportunities, plan.opportunities, strict=True):
        assert opportunity.updated, "plan_demo dates every opportunity"
        row.expected_close_on = opportunity.expected_close_on
        row.follow_up_every_days = opportunity.follow_up_every_days
        row.follow_up_channel = opportunity.follow_up_channel
        row.follow_up_agreed = opportunity.follow_up_every_days is not None
        row.created, row.updated = opportunity.started, opportunity.updated
    Opportunity.objects.bulk_update(
        opportunities,
        [
            "expected_close_on",
            "follow_up_every_days",
            "follow_up_channel",
            "follow_up_agreed",
            "created",
            "updated",
        ],
    )


def write_profile(team: Team, plan: DemoPlan, organisations: list[Organisation]) -> None:
    """Her demographic criteria, her ratings on the psychographic ones, and every fit score."""
    FitCriterion.objects.bulk_create(
        FitCriterion(
            team=team,
            kind=FitCriterion.Kind.DEMOGRAPHIC,
            name=criterion.name,
            weight=criterion.weight,
            attribute=criterion.attribute,
            accepted=criterion.accepted,
            minimum=criterion.minimum,
            maximum=criterion.maximum,
            position=position,
        )
        for position, criterion in enumerate(CRITERIA)
    )
    traits = list(
        team.fit_criteria.filter(kind=FitCriterion.Kind.PSYCHOGRAPHIC).order_by("position")
    )
    Rating.objects.bulk_create(
        Rating(organisation=row, criterion=trait, value=value)
        for row, organisation in zip(organisations, plan.organisations, strict=True)
        if organisation.ratings
        for trait, value in zip(traits, organisation.ratings, strict=True)
    )
    refresh_fit(organisations=team.organisations.all())


def summary(team: Team) -> str:
    return (
        f"Demo data: {team.organisations.count()} organisations, {team.people.count()} people, "
        f"{team.opportunities.count()} opportunities, {team.activities.count()} activities, "
        f"{FollowUp.objects.filter(team=team).count()} follow-ups, "
        f"{Quote.objects.filter(team=team).count()} quotes."
    )
