"""Goals with rewards on their page and on Today: setting, changing and removing them,
one goal per metric and period, and queries that stay flat."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from funnel.contacts.models import Organisation
from funnel.goals.facts import goals_for_today
from funnel.goals.models import Goal, Metric, Period
from funnel.sales.models import Level
from tests import goal_helpers
from tests.goal_helpers import EARLIER, LAST_WEEK, NOW, THIS_WEEK, D, goal, log, move, new

# Fixtures shared with the other goal tests (in goal_helpers.py).
frozen_db = goal_helpers.frozen_db


# The goals page -------------------------------------------------------------------------------


def test_the_page_shows_progress_and_the_reward_still_to_claim(
    frozen_db: None, owner_client: Client, owner: User
) -> None:
    goal(owner, Metric.PROSPECTS, 5, reward="a dinner out")
    response = owner_client.get(reverse("goals"))
    assert response.status_code == 200
    assert "New prospects added" in response.text
    assert 'value="0"' in response.text
    assert "Reward when you reach it: a dinner out" in response.text
    assert "Reward unlocked" not in response.text


def test_a_reached_goal_unlocks_its_reward_with_a_celebration(
    frozen_db: None, owner_client: Client, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.PROSPECTS, 2, reward="a dinner out")
    new(owner, organisation, THIS_WEEK)
    new(owner, organisation, NOW)
    response = owner_client.get(reverse("goals"))
    assert "🎉" in response.text
    assert "Reward unlocked: a dinner out" in response.text
    assert 'class="goal-reward is-unlocked"' in response.text
    assert 'value="100"' in response.text


def test_the_page_shows_the_history_met_and_missed(
    frozen_db: None, owner_client: Client, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.PROSPECTS, 1, starts_on=dt.date(2026, 11, 16))
    new(owner, organisation, LAST_WEEK)
    response = owner_client.get(reverse("goals"))
    assert "Met in 1 of 2 past periods" in response.text
    assert "Missed" in response.text
    assert 'class="badge goal-met"' in response.text


def test_value_goals_say_other_currencies_do_not_count(
    frozen_db: None, owner_client: Client, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.VALUE_WON, 10000)
    move(new(owner, organisation, EARLIER, value=5000, currency="USD"), Level.WON, NOW)
    response = owner_client.get(reverse("goals"))
    assert "€0 of €10,000" in response.text
    assert "not counted toward the target" in response.text
    assert "$5,000" in response.text


def test_a_goal_is_set_from_the_page(frozen_db: None, owner_client: Client, owner: User) -> None:
    response = owner_client.post(
        reverse("goals"),
        {
            "metric": "prospecting_hours",
            "period": "month",
            "target": "7.5",
            "reward": "a dinner out",
            "starts_on": "2026-12-01",
        },
    )
    assert response.status_code == 302
    saved = Goal.objects.get()
    assert (saved.owner, saved.metric, saved.target) == (owner, "prospecting_hours", D("7.5"))
    page = owner_client.get(reverse("goals"))
    assert "0 h of 7.5 h" in page.text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reward": "  "}, "Write the reward you will claim"),
        ({"target": "0"}, "Set a target above zero."),
        ({"target": "-3"}, "Set a target above zero."),
        ({"target": "lots"}, "Enter a number."),
        ({"target": ""}, "Set a target: how many"),
        ({"target": "2.5"}, "This goal counts things: use a whole number."),
        ({"metric": "happiness"}, "Select a valid choice."),
        ({"period": "fortnight"}, "Select a valid choice."),
        ({"starts_on": "someday"}, "Enter a valid date."),
    ],
)
def test_bad_input_gets_clear_errors(
    frozen_db: None, owner_client: Client, data: dict[str, str], error: str
) -> None:
    fields = {
        "metric": "first_meetings",
        "period": "week",
        "target": "3",
        "reward": "a dinner out",
        "starts_on": "2026-12-01",
    }
    response = owner_client.post(reverse("goals"), {**fields, **data})
    assert response.status_code == 422
    assert error in response.text
    assert not Goal.objects.exists()


def test_a_goal_is_changed_and_removed(frozen_db: None, owner_client: Client, owner: User) -> None:
    weekly = goal(owner, Metric.FIRST_MEETINGS, 3)
    edit = reverse("goal_edit", args=[weekly.pk])
    assert owner_client.get(edit).status_code == 200
    bad = owner_client.post(edit, {"metric": "first_meetings", "period": "week", "target": "0"})
    assert bad.status_code == 422
    data = {
        "metric": "first_meetings",
        "period": "month",
        "target": "10",
        "reward": "a weekend away",
        "starts_on": "2026-11-01",
    }
    assert owner_client.post(edit, data).status_code == 302
    weekly.refresh_from_db()
    assert (weekly.period, weekly.target, weekly.reward) == ("month", D(10), "a weekend away")
    assert owner_client.post(reverse("goal_delete", args=[weekly.pk])).status_code == 302
    assert not Goal.objects.exists()


# One goal per metric and period --------------------------------------------------------------

A_GOAL = {
    "metric": "first_meetings",
    "period": "week",
    "target": "3",
    "reward": "a new book",
    "starts_on": "2026-12-01",
}
ONE_EACH = "You already have a goal counting the same thing over the same period."


def test_the_same_goal_twice_is_refused_in_words_and_what_was_typed_stays(
    frozen_db: None, owner_client: Client, owner: User
) -> None:
    goal(owner, Metric.FIRST_MEETINGS, 2, reward="a dinner out")
    response = owner_client.post(reverse("goals"), A_GOAL)
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["period"]  # said beside the field to change
    assert form.errors["period"] == [
        "You already have a goal counting the same thing over the same period. "
        "Change that goal instead, or choose another period."
    ]
    assert ONE_EACH in response.text
    assert 'value="a new book"' in response.text  # the reward typed, ready to fix
    assert Goal.objects.get().reward == "a dinner out"


@pytest.mark.parametrize("other", [{"period": "month"}, {"metric": "prospects"}])
def test_the_same_metric_each_month_or_another_metric_each_week_is_welcome(
    frozen_db: None, owner_client: Client, owner: User, other: dict[str, str]
) -> None:
    goal(owner, Metric.FIRST_MEETINGS, 2)
    response = owner_client.post(reverse("goals"), {**A_GOAL, **other})
    assert response.status_code == 302
    assert Goal.objects.count() == 2


def test_someone_elses_identical_goal_does_not_stand_in_the_way(
    frozen_db: None, owner_client: Client, owner: User, outsider: User
) -> None:
    goal(outsider, Metric.FIRST_MEETINGS, 2)
    assert owner_client.post(reverse("goals"), A_GOAL).status_code == 302
    assert Goal.objects.of(owner).count() == 1


def test_a_goal_cannot_be_changed_into_another_one_already_set(
    frozen_db: None, owner_client: Client, owner: User
) -> None:
    goal(owner, Metric.FIRST_MEETINGS, 2, reward="a dinner out")
    monthly = goal(owner, Metric.FIRST_MEETINGS, 8, period=Period.MONTH, reward="a weekend")
    edit = reverse("goal_edit", args=[monthly.pk])
    response = owner_client.post(edit, {**A_GOAL, "reward": "a weekend"})
    assert response.status_code == 422
    assert ONE_EACH in response.context["form"].errors["period"][0]
    assert ONE_EACH in response.text
    monthly.refresh_from_db()
    assert monthly.period == Period.MONTH
    # Saving a goal unchanged is not a clash with itself.
    unchanged = {**A_GOAL, "period": "month", "target": "9", "reward": "a weekend"}
    assert owner_client.post(edit, unchanged).status_code == 302


def test_the_database_itself_keeps_one_goal_per_metric_and_period(
    frozen_db: None, owner: User
) -> None:
    goal(owner, Metric.PROSPECTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        goal(owner, Metric.PROSPECTS, 5, reward="twice")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_oldest_of_goals_set_twice(owner: User, outsider: User) -> None:
    before = [("goals", "0001_goals_with_rewards")]
    after = [("goals", "0002_one_goal_per_metric_and_period")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("goals", "Goal")
        for user, period, reward, month in [
            (owner, "week", "the second", 3),
            (owner, "week", "the first", 1),
            (owner, "week", "the third", 5),
            (owner, "month", "monthly", 4),
            (outsider, "week", "theirs", 6),
        ]:
            made = old.objects.create(
                owner_id=user.pk, metric="prospects", period=period, target=1, reward=reward
            )
            old.objects.filter(pk=made.pk).update(
                created=dt.datetime(2026, month, 1, tzinfo=dt.UTC)
            )
        MigrationExecutor(connection).migrate(after)
        kept = sorted(Goal.objects.values_list("owner__username", "period", "reward"))
        assert kept == [
            ("anna", "month", "monthly"),
            ("anna", "week", "the first"),
            ("mallory", "week", "theirs"),
        ]
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_an_outsider_cannot_see_or_change_anothers_goals(
    frozen_db: None, owner: User, outsider_client: Client
) -> None:
    secret = goal(owner, Metric.VALUE_WON, 50000, reward="a trip to Lisbon")
    assert "a trip to Lisbon" not in outsider_client.get(reverse("goals")).text
    edit = reverse("goal_edit", args=[secret.pk])
    assert outsider_client.get(edit).status_code == 404
    data = {"metric": "prospects", "period": "week", "target": "1", "reward": "mine"}
    assert outsider_client.post(edit, data).status_code == 404
    assert outsider_client.post(reverse("goal_delete", args=[secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert secret.reward == "a trip to Lisbon"


def test_the_page_needs_a_login(frozen_db: None, client: Client) -> None:
    assert client.get(reverse("goals")).status_code == 302


# Today's card ---------------------------------------------------------------------------------


def test_todays_card_without_goals_teaches_the_method(frozen_db: None, owner: User) -> None:
    html = render_to_string("goals/today_card.html", {"goals_today": goals_for_today(owner, NOW)})
    assert "a reward to claim when you reach it" in html
    assert "Set a goal" in html
    assert reverse("goals") in html


def test_todays_card_shows_progress_and_unlocked_rewards(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.PROSPECTS, 1, reward="a dinner out")
    goal(owner, Metric.QUALIFIED, 2, reward="new running shoes")
    new(owner, organisation, NOW)
    goals_today = goals_for_today(owner, NOW)
    assert [c.goal.reward for c in goals_today.unlocked] == ["a dinner out"]
    html = render_to_string("goals/today_card.html", {"goals_today": goals_today})
    assert "Reward unlocked: a dinner out" in html
    assert "Reward when you reach it: new running shoes" in html
    assert "All goals" in html


# Query counts: flat as goals and data grow --------------------------------------------------

FEW, MANY = 3, 30
SOME_METRICS = [Metric.PROSPECTS, Metric.FIRST_MEETINGS, Metric.VALUE_WON]
PERIODS = [Period.WEEK, Period.MONTH, Period.QUARTER]


# One goal per metric and period: the first rows set all nine, every row adds data.
GOALS = [(metric, period) for period in PERIODS for metric in SOME_METRICS]


def add_goals_and_data(owner: User, organisation: Organisation, rows: range) -> None:
    for i in rows:
        if i < len(GOALS):
            goal(owner, GOALS[i][0], i + 1, period=GOALS[i][1])
        prospect = new(owner, organisation, EARLIER + dt.timedelta(hours=i), title=f"Row {i:02}")
        log(prospect, THIS_WEEK, kind="meeting", minutes=30)
        move(prospect, Level.WON, THIS_WEEK + dt.timedelta(minutes=i))


def test_the_goals_page_queries_stay_flat(
    frozen_db: None,
    owner_client: Client,
    owner: User,
    organisation: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    add_goals_and_data(owner, organisation, range(FEW))
    owner_client.get(reverse("goals"))
    with CaptureQueriesContext(connection) as few:
        owner_client.get(reverse("goals"))
    add_goals_and_data(owner, organisation, range(FEW, MANY))
    with django_assert_num_queries(len(few)):
        response = owner_client.get(reverse("goals"))
    assert response.text.count('class="card goal"') == len(GOALS)


def test_the_today_loader_queries_stay_flat(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            goals_for_today(User.objects.get(pk=owner.pk), NOW)
        return len(captured) - 1  # the User fetched for the look

    add_goals_and_data(owner, organisation, range(FEW))
    few = queries()
    add_goals_and_data(owner, organisation, range(FEW, MANY))
    assert queries() == few == 2 + len(SOME_METRICS)  # profile, goals, one per metric


def test_every_metric_costs_one_query(frozen_db: None, owner: User) -> None:
    for metric in Metric.values:
        goal(owner, metric)
    with CaptureQueriesContext(connection) as captured:
        cards = goals_for_today(User.objects.get(pk=owner.pk), NOW).cards
    assert len(cards) == len(Metric.values)
    # Prospecting time is read as the time-allocation report reads it (with the user's teams and
    # the version of the period's activities), and with the prospecting blocks kept.
    assert len(captured) == 1 + 2 + len(Metric.values) + 3


def test_weekly_goals_come_first(frozen_db: None, owner_client: Client, owner: User) -> None:
    goal(owner, Metric.VALUE_WON, 9000, period=Period.QUARTER, reward="quarterly")
    goal(owner, Metric.PROSPECTS, 2, period=Period.MONTH, reward="monthly")
    goal(owner, Metric.QUALIFIED, 1, period=Period.WEEK, reward="weekly")
    text = owner_client.get(reverse("goals")).text
    assert text.index("weekly") < text.index("monthly") < text.index("quarterly")
