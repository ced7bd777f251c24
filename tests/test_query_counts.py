"""Pages issue as many queries for 30 rows as for 3: no query per row (N+1)."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership, Team
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import rate
from funnel.fit.models import FitCriterion
from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.sales.actions import move_opportunity
from funnel.sales.models import OPEN_LEVELS, Activity, BuyingInfluence, Level, Opportunity
from tests.helpers import present

FEW, MANY = 3, 30
ROLES = [BuyingInfluence.Role.USER, BuyingInfluence.Role.TECHNICAL, BuyingInfluence.Role.COACH]


def count_queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def assert_same_queries_when_the_data_grows(
    client: Client,
    url: str,
    add_rows: Callable[[range], None],
    assert_num_queries: DjangoAssertNumQueries,
    **params: str,
) -> None:
    """Measure the page with FEW rows, add rows up to MANY, and expect the same count.

    A first look measures the day's sales cycle and keeps it (two queries) until a won deal
    changes, so the look after each change is not the one compared.
    """
    add_rows(range(FEW))
    count_queries(client, url, params)
    few = count_queries(client, url, params)
    add_rows(range(FEW, MANY))
    count_queries(client, url, params)
    with assert_num_queries(few):
        response = client.get(url, params)
    assert response.status_code == 200
    assert f"Row {MANY - 1:02}" in response.text  # the new rows are really on the page


@pytest.fixture
def team(owner: User) -> Team:
    return owner.profile.team


def a_person(team: Team, index: int, organisation: Organisation | None = None) -> Person:
    person = Person.objects.create(
        team=team, name=f"Row {index:02} person", job_title="Buyer", organisation=organisation
    )
    person.emails.create(address=f"person{index}@example.com")
    person.phones.create(number=f"+39 051 0000{index:02}")
    return person


def test_the_organisation_list_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            organisation = Organisation.objects.create(
                team=team, name=f"Row {index:02}", country="IT", city="Bologna", size=10
            )
            a_person(team, index, organisation)
            make_opportunity(f"Deal {index:02}", organisation=organisation)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("organisation_list"),
        add_rows,
        django_assert_num_queries,
        sort="-name",
    )


def test_the_person_list_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client, team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            organisation = Organisation.objects.create(team=team, name=f"Company {index:02}")
            a_person(team, index, organisation)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("person_list"),
        add_rows,
        django_assert_num_queries,
        sort="-name",
    )


def test_the_person_list_when_searching_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client, team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_person(team, index)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("person_list"),
        add_rows,
        django_assert_num_queries,
        q="example.com",
        sort="-name",
    )


def test_the_opportunity_list_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            organisation = Organisation.objects.create(team=team, name=f"Company {index:02}")
            contact = a_person(team, index, organisation)
            make_opportunity(
                f"Row {index:02}",
                organisation=organisation,
                main_contact=contact,
                level=OPEN_LEVELS[index % len(OPEN_LEVELS)],
            )

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("opportunity_list"),
        add_rows,
        django_assert_num_queries,
        sort="-title",
    )


def test_the_opportunity_detail_makes_as_many_queries_for_30_rows_as_for_3(
    owner: User,
    owner_client: Client,
    team: Team,
    opportunity: Opportunity,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            person = a_person(team, index, opportunity.organisation)
            BuyingInfluence.objects.create(
                opportunity=opportunity, person=person, role=ROLES[index % len(ROLES)]
            )
            Activity.objects.create(
                team=team,
                opportunity=opportunity,
                person=person,
                by=owner,
                minutes=10,
                outcome=Activity.Outcome.REACHED,
                notes=f"Note {index}",
            )
            actions.schedule(
                follow_up=FollowUp(
                    team=team,
                    opportunity=opportunity,
                    person=person,
                    assigned_to=owner,
                    due_at=timezone.now() + dt.timedelta(days=index - 5),
                    purpose=f"Step {index}",
                )
            )
            opportunity.refresh_from_db()
            to_level = Level.IN if opportunity.level == Level.ABOVE else Level.ABOVE
            # Moving down needs the fit confirmed first; an override keeps the history growing.
            move_opportunity(
                opportunity=opportunity, to_level=to_level, by=owner, override_reason="Test"
            )

    assert_same_queries_when_the_data_grows(
        owner_client, opportunity.get_absolute_url(), add_rows, django_assert_num_queries
    )


def test_the_organisation_detail_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    organisation: Organisation,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            contact = a_person(team, index, organisation)
            make_opportunity(f"Deal {index:02}", organisation=organisation, main_contact=contact)

    assert_same_queries_when_the_data_grows(
        owner_client, organisation.get_absolute_url(), add_rows, django_assert_num_queries
    )


def test_the_person_detail_makes_as_many_queries_for_30_rows_as_for_3(
    owner: User,
    owner_client: Client,
    team: Team,
    person: Person,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            opportunity = make_opportunity(f"Row {index:02}")
            BuyingInfluence.objects.create(
                opportunity=opportunity, person=person, role=ROLES[index % len(ROLES)]
            )
            Activity.objects.create(
                team=team,
                opportunity=opportunity,
                person=person,
                by=owner,
                outcome=Activity.Outcome.REPLIED,
                notes=f"Note {index}",
            )
            person.emails.create(address=f"giulia{index}@example.com")
            person.phones.create(number=f"+39 051 1111{index:02}")

    assert_same_queries_when_the_data_grows(
        owner_client, person.get_absolute_url(), add_rows, django_assert_num_queries
    )


def test_the_today_page_makes_as_many_queries_for_30_rows_as_for_3(
    owner: User,
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            contact = a_person(team, index)
            opportunity = make_opportunity(f"Row {index:02}", main_contact=contact)
            Activity.objects.create(
                team=team,
                opportunity=opportunity,
                person=contact,
                by=owner,
                occurred=opportunity.created,
            )

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("today"), add_rows, django_assert_num_queries
    )


def a_funnel_row(
    team: Team,
    index: int,
    make_opportunity: Callable[..., Opportunity],
    fits: tuple[int | None, ...] = (None, 45, 90),
) -> None:
    """An open opportunity at a level that turns with the index, with what Today and the board
    show about it: a fit, a buying influence, a due step or none, a close date that drifted."""
    organisation = Organisation.objects.create(
        team=team, name=f"Company {index:02}", fit_score=fits[index % len(fits)]
    )
    contact = a_person(team, index, organisation)
    level = OPEN_LEVELS[index % len(OPEN_LEVELS)]
    due = [None, timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=2)]
    opportunity = make_opportunity(
        f"Row {index:02}",
        organisation=organisation,
        main_contact=contact,
        level=level,
        value=1000 + index,
        next_step="Call",
        next_step_at=due[index // 3 % 3],
        expected_close_on=timezone.localdate() - dt.timedelta(days=index),
    )
    BuyingInfluence.objects.create(
        opportunity=opportunity, person=contact, role=ROLES[index % len(ROLES)]
    )


def test_the_today_page_with_every_level_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_funnel_row(team, index, make_opportunity)

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("today"), add_rows, django_assert_num_queries
    )


def test_today_with_follow_ups_of_every_kind_makes_as_many_queries_for_30_rows_as_for_3(
    owner: User,
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """Missed and due follow-ups, requests, stop rules, nurture touches and after-sale steps."""
    teammate = create_user(username="luca", password="x-luca-x")
    Membership.objects.create(team=team, user=teammate)
    now = timezone.now()

    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_funnel_row(team, index, make_opportunity)
            opportunity = Opportunity.objects.get(title=f"Row {index:02}")
            kind = index % 5
            if kind == 0:  # a request
                request = Activity(
                    team=team, opportunity=opportunity, kind=Activity.Kind.REQUEST, occurred=now
                )
                actions.log_activity(activity=request, by=owner)
            elif kind == 1:  # a stop rule fires
                opportunity.attempts_without_answer = 9
                opportunity.save()
            elif kind == 2:  # parked in nurture, a touch due
                move_opportunity(
                    opportunity=opportunity, to_level=Level.NURTURE, by=owner, reason="x"
                )
                opportunity.follow_ups.planned().update(due_at=now - dt.timedelta(hours=1))
            elif kind == 3:  # won, waiting for the delivery date
                move_opportunity(
                    opportunity=opportunity, to_level=Level.WON, by=owner, override_reason="x"
                )
            actions.schedule(
                follow_up=FollowUp(
                    team=team,
                    opportunity=opportunity,
                    assigned_to=teammate if index % 2 else owner,
                    due_at=now - dt.timedelta(hours=index),
                    purpose=f"Step {index}",
                )
            )

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("today"), add_rows, django_assert_num_queries
    )


def test_the_board_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_funnel_row(team, index, make_opportunity)

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("funnel_board"), add_rows, django_assert_num_queries
    )


def test_the_boards_show_more_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client: Client,
    team: Team,
    make_opportunity: Callable[..., Opportunity],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_funnel_row(team, index, make_opportunity)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("board_column", args=[OPEN_LEVELS[(MANY - 1) % len(OPEN_LEVELS)]]),
        add_rows,
        django_assert_num_queries,
        offset="0",
    )


def test_the_opportunity_detail_makes_as_many_queries_for_30_fit_criteria_as_for_3(
    owner_client: Client,
    team: Team,
    opportunity: Opportunity,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    FitCriterion.objects.filter(team=team).delete()

    def add_rows(indexes: range) -> None:
        for index in indexes:
            criterion = FitCriterion.objects.create(
                team=team, kind=FitCriterion.Kind.PSYCHOGRAPHIC, name=f"Row {index:02}"
            )
            rate(
                organisation=present(opportunity.organisation),
                criterion=criterion,
                value=index % 5 + 1,
            )

    assert_same_queries_when_the_data_grows(
        owner_client, opportunity.get_absolute_url(), add_rows, django_assert_num_queries
    )
