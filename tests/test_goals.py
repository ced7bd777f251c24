"""Goals with rewards (METHOD.md §4): periods, what each metric counts, the page and Today."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.accounts.models import Profile
from funnel.goals import rules
from funnel.goals.facts import goal_cards, goals_for_today
from funnel.goals.models import Goal, Metric, Period
from funnel.quotes.models import Quote
from funnel.sales.actions import create_opportunity, move_opportunity
from funnel.sales.models import Activity, Level, Opportunity

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # a Thursday; the week began on 30 Nov
THIS_WEEK = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
LAST_WEEK = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
D = Decimal


# Rules: plain dates in, plain data out -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "bounds"),
    [
        (dt.date(2026, 11, 30), "week", (dt.date(2026, 11, 30), dt.date(2026, 12, 7))),
        (dt.date(2026, 12, 6), "week", (dt.date(2026, 11, 30), dt.date(2026, 12, 7))),
        (dt.date(2026, 12, 2), "week", (dt.date(2026, 11, 30), dt.date(2026, 12, 7))),
        (dt.date(2026, 12, 31), "week", (dt.date(2026, 12, 28), dt.date(2027, 1, 4))),
        (dt.date(2026, 12, 1), "month", (dt.date(2026, 12, 1), dt.date(2027, 1, 1))),
        (dt.date(2026, 12, 31), "month", (dt.date(2026, 12, 1), dt.date(2027, 1, 1))),
        (dt.date(2028, 2, 29), "month", (dt.date(2028, 2, 1), dt.date(2028, 3, 1))),
        (dt.date(2026, 11, 15), "quarter", (dt.date(2026, 10, 1), dt.date(2027, 1, 1))),
        (dt.date(2026, 1, 1), "quarter", (dt.date(2026, 1, 1), dt.date(2026, 4, 1))),
        (dt.date(2026, 3, 31), "quarter", (dt.date(2026, 1, 1), dt.date(2026, 4, 1))),
        (dt.date(2026, 7, 1), "quarter", (dt.date(2026, 7, 1), dt.date(2026, 10, 1))),
    ],
)
def test_a_period_runs_from_its_first_day_to_the_day_after_its_last(day, period, bounds):
    assert rules.period_bounds(day, period) == bounds


def test_an_unknown_period_is_an_error():
    with pytest.raises(ValueError):
        rules.period_bounds(dt.date(2026, 1, 1), "fortnight")


def test_a_week_across_a_month_end_adds_up_days_of_both_months():
    daily = {dt.date(2026, 11, 30): D(2), dt.date(2026, 12, 6): D(1), dt.date(2026, 12, 7): D(5)}
    assert rules.totals_by_period(daily, "week") == {
        dt.date(2026, 11, 30): D(3),
        dt.date(2026, 12, 7): D(5),
    }
    assert rules.totals_by_period(daily, "month") == {
        dt.date(2026, 11, 1): D(2),
        dt.date(2026, 12, 1): D(6),
    }


@pytest.mark.parametrize(
    ("value", "target", "percent", "met"),
    [
        (D(0), D(5), 0, False),
        (D(3), D(5), 60, False),
        (D(5), D(5), 100, True),
        (D(8), D(5), 100, True),
        (D("1.5"), D(4), 37, False),
    ],
)
def test_progress_fills_the_bar_up_to_the_target(value, target, percent, met):
    assert rules.progress(value, target) == rules.Progress(value, target, percent, met)


def test_history_lists_each_finished_period_since_the_start_newest_first():
    totals = {dt.date(2026, 11, 9): D(3), dt.date(2026, 11, 23): D(2), dt.date(2026, 11, 30): D(9)}
    results = rules.history(
        starts_on=dt.date(2026, 11, 11),
        today=dt.date(2026, 12, 3),
        period="week",
        totals=totals,
        target=D(2),
    )
    assert [(r.first_day, r.last_day, r.progress.met) for r in results] == [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 29), True),
        (dt.date(2026, 11, 16), dt.date(2026, 11, 22), False),
        (dt.date(2026, 11, 9), dt.date(2026, 11, 15), True),
    ]
    assert rules.times_met(results) == 2


def test_a_goal_started_this_period_has_no_history_yet():
    results = rules.history(
        starts_on=dt.date(2026, 10, 1),
        today=dt.date(2026, 12, 31),
        period="quarter",
        totals={},
        target=D(1),
    )
    assert results == []


def test_the_span_covers_every_goal_from_its_first_period_to_the_current_one():
    starts = [(dt.date(2026, 11, 11), "week"), (dt.date(2026, 12, 2), "quarter")]
    assert rules.span(starts, dt.date(2026, 12, 3)) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))


# What each metric counts ----------------------------------------------------------------------


@pytest.fixture
def frozen_db(db):
    with time_machine.travel(NOW, tick=False):
        yield


def goal(user: User, metric: str, target: int | str = 1, **fields) -> Goal:
    fields.setdefault("period", Period.WEEK)
    fields.setdefault("reward", "a dinner out")
    fields.setdefault("starts_on", dt.date(2026, 11, 1))
    return Goal.objects.create(owner=user, metric=metric, target=D(target), **fields)


def this_period(user: User) -> dict[str, Decimal]:
    fresh = User.objects.get(pk=user.pk)
    return {c.goal.metric: c.current.progress.value for c in goals_for_today(fresh, NOW).cards}


def new(owner, organisation, at, title="Prospect", level=Level.ABOVE, **fields) -> Opportunity:
    fields.setdefault("currency", "EUR")
    opportunity = Opportunity(
        team=owner.profile.team,
        owner=owner,
        title=title,
        organisation=organisation,
        level=level,
        **fields,
    )
    return create_opportunity(opportunity=opportunity, by=owner, at=at)


def move(opportunity, to_level, at):
    return move_opportunity(
        opportunity=opportunity, to_level=to_level, by=opportunity.owner, at=at, override_reason="x"
    )


def log(opportunity, at, kind="call", minutes=0, by=None):
    return Activity.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        by=by or opportunity.owner,
        kind=kind,
        occurred=at,
        minutes=minutes,
    )


def test_new_prospects_are_the_objectives_created_this_period(
    frozen_db, owner, organisation, outsider, outsider_organisation
):
    goal(owner, Metric.PROSPECTS)
    new(owner, organisation, THIS_WEEK)
    new(owner, organisation, NOW, level=Level.IN)
    new(owner, organisation, LAST_WEEK)
    new(outsider, outsider_organisation, THIS_WEEK)
    assert this_period(owner) == {Metric.PROSPECTS: 2}


def test_prospecting_hours_count_time_on_objectives_above_the_funnel_then(
    frozen_db, owner, organisation
):
    goal(owner, Metric.PROSPECTING_HOURS)
    prospect = new(owner, organisation, EARLIER)
    log(prospect, LAST_WEEK, minutes=300)  # last week
    log(prospect, THIS_WEEK, minutes=60)
    log(prospect, THIS_WEEK + dt.timedelta(hours=2), minutes=30)
    move(prospect, Level.IN, THIS_WEEK + dt.timedelta(hours=4))
    log(prospect, NOW, minutes=120)  # in the funnel by then: selling, not prospecting
    qualified = new(owner, organisation, EARLIER, level=Level.IN)
    log(qualified, THIS_WEEK, minutes=45)
    assert this_period(owner) == {Metric.PROSPECTING_HOURS: D("1.5")}


def test_a_first_meeting_counts_once_in_the_period_it_happened(frozen_db, owner, organisation):
    goal(owner, Metric.FIRST_MEETINGS)
    met_before = new(owner, organisation, EARLIER)
    log(met_before, LAST_WEEK, kind="meeting")
    log(met_before, THIS_WEEK, kind="meeting")
    met_now = new(owner, organisation, EARLIER)
    log(met_now, THIS_WEEK, kind="meeting")
    log(met_now, NOW, kind="meeting")
    log(met_now, NOW, kind="call")
    called = new(owner, organisation, EARLIER)
    log(called, NOW, kind="call")
    assert this_period(owner) == {Metric.FIRST_MEETINGS: 1}


def test_qualified_counts_moves_from_above_into_the_funnel_or_further(
    frozen_db, owner, organisation
):
    goal(owner, Metric.QUALIFIED)
    move(new(owner, organisation, EARLIER), Level.IN, THIS_WEEK)
    move(new(owner, organisation, EARLIER), Level.WON, NOW)
    move(new(owner, organisation, EARLIER), Level.IN, LAST_WEEK)
    move(new(owner, organisation, EARLIER, level=Level.IN), Level.BEST_FEW, THIS_WEEK)
    new(owner, organisation, THIS_WEEK, level=Level.IN)
    assert this_period(owner) == {Metric.QUALIFIED: 2}


def test_proposals_sent_are_quotes_sent_this_period(frozen_db, owner, opportunity, outsider):
    goal(owner, Metric.PROPOSALS)

    def quote(number, status, sent_on):
        valid = sent_on and sent_on + dt.timedelta(days=30)
        Quote.objects.create(
            team=opportunity.team,
            opportunity=opportunity,
            number=number,
            amount=1000,
            currency="EUR",
            status=status,
            sent_on=sent_on,
            valid_until=valid,
        )

    quote("Q1", "sent", dt.date(2026, 11, 30))
    quote("Q2", "accepted", dt.date(2026, 12, 3))
    quote("Q3", "draft", None)
    quote("Q4", "sent", dt.date(2026, 11, 29))
    assert this_period(owner) == {Metric.PROPOSALS: 2}


def test_value_won_counts_the_main_currency_and_shows_the_others(frozen_db, owner, organisation):
    goal(owner, Metric.VALUE_WON, 10000)
    move(new(owner, organisation, EARLIER, value=12000), Level.WON, THIS_WEEK)
    move(new(owner, organisation, EARLIER, value=5000, currency="USD"), Level.WON, NOW)
    move(new(owner, organisation, EARLIER, value=7000), Level.WON, LAST_WEEK)
    new(owner, organisation, THIS_WEEK, value=99000)
    [card] = goals_for_today(User.objects.get(pk=owner.pk), NOW).cards
    assert card.current.progress.value == 12000
    assert card.current.progress.met
    assert card.others == [("USD", D(5000))]


def test_periods_follow_the_users_time_zone(frozen_db, owner, organisation):
    Profile.objects.filter(user=owner).update(time_zone="Pacific/Auckland")
    goal(owner, Metric.PROSPECTS)
    new(owner, organisation, dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC))  # Monday there
    new(owner, organisation, dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC))  # still Sunday
    assert this_period(owner) == {Metric.PROSPECTS: 1}


def test_goals_not_started_yet_are_not_on_today(frozen_db, owner):
    goal(owner, Metric.PROSPECTS, starts_on=dt.date(2027, 1, 1))
    assert goals_for_today(owner, NOW).cards == []


def test_history_says_which_past_periods_met_the_target(frozen_db, owner, organisation):
    weekly = goal(owner, Metric.PROSPECTS, 2, starts_on=dt.date(2026, 11, 12))
    for at in [dt.datetime(2026, 11, 10, tzinfo=dt.UTC), dt.datetime(2026, 11, 11, tzinfo=dt.UTC)]:
        new(owner, organisation, at)
    new(owner, organisation, dt.datetime(2026, 11, 17, tzinfo=dt.UTC))
    new(owner, organisation, LAST_WEEK)
    new(owner, organisation, LAST_WEEK)
    [card] = goal_cards(owner, [weekly], NOW.date(), with_history=True)
    assert [(r.first_day, r.progress.value, r.progress.met) for r in card.history] == [
        (dt.date(2026, 11, 23), 2, True),
        (dt.date(2026, 11, 16), 1, False),
        (dt.date(2026, 11, 9), 2, True),
    ]
    assert card.times_met == 2


# The goals page -------------------------------------------------------------------------------


def test_the_page_shows_progress_and_the_reward_still_to_claim(frozen_db, owner_client, owner):
    goal(owner, Metric.PROSPECTS, 5, reward="a dinner out")
    response = owner_client.get(reverse("goals"))
    assert response.status_code == 200
    assert "New prospects added" in response.text
    assert 'value="0"' in response.text
    assert "Reward when you reach it: a dinner out" in response.text
    assert "Reward unlocked" not in response.text


def test_a_reached_goal_unlocks_its_reward_with_a_celebration(
    frozen_db, owner_client, owner, organisation
):
    goal(owner, Metric.PROSPECTS, 2, reward="a dinner out")
    new(owner, organisation, THIS_WEEK)
    new(owner, organisation, NOW)
    response = owner_client.get(reverse("goals"))
    assert "🎉" in response.text
    assert "Reward unlocked: a dinner out" in response.text
    assert 'class="goal-reward is-unlocked"' in response.text
    assert 'value="100"' in response.text


def test_the_page_shows_the_history_met_and_missed(frozen_db, owner_client, owner, organisation):
    goal(owner, Metric.PROSPECTS, 1, starts_on=dt.date(2026, 11, 16))
    new(owner, organisation, LAST_WEEK)
    response = owner_client.get(reverse("goals"))
    assert "Met in 1 of 2 past periods" in response.text
    assert "Missed" in response.text
    assert 'class="badge goal-met"' in response.text


def test_value_goals_say_other_currencies_do_not_count(
    frozen_db, owner_client, owner, organisation
):
    goal(owner, Metric.VALUE_WON, 10000)
    move(new(owner, organisation, EARLIER, value=5000, currency="USD"), Level.WON, NOW)
    response = owner_client.get(reverse("goals"))
    assert "€0 of €10,000" in response.text
    assert "not counted toward the target" in response.text
    assert "$5,000" in response.text


def test_a_goal_is_set_from_the_page(frozen_db, owner_client, owner):
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
def test_bad_input_gets_clear_errors(frozen_db, owner_client, data, error):
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


def test_a_goal_is_changed_and_removed(frozen_db, owner_client, owner):
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
    assert (weekly.period, weekly.target, weekly.reward) == ("month", 10, "a weekend away")
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
    frozen_db, owner_client, owner
):
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
    frozen_db, owner_client, owner, other
):
    goal(owner, Metric.FIRST_MEETINGS, 2)
    response = owner_client.post(reverse("goals"), {**A_GOAL, **other})
    assert response.status_code == 302
    assert Goal.objects.count() == 2


def test_someone_elses_identical_goal_does_not_stand_in_the_way(
    frozen_db, owner_client, owner, outsider
):
    goal(outsider, Metric.FIRST_MEETINGS, 2)
    assert owner_client.post(reverse("goals"), A_GOAL).status_code == 302
    assert Goal.objects.of(owner).count() == 1


def test_a_goal_cannot_be_changed_into_another_one_already_set(frozen_db, owner_client, owner):
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


def test_the_database_itself_keeps_one_goal_per_metric_and_period(frozen_db, owner):
    goal(owner, Metric.PROSPECTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        goal(owner, Metric.PROSPECTS, 5, reward="twice")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_oldest_of_goals_set_twice(owner, outsider):
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


def test_an_outsider_cannot_see_or_change_anothers_goals(frozen_db, owner, outsider_client):
    secret = goal(owner, Metric.VALUE_WON, 50000, reward="a trip to Lisbon")
    assert "a trip to Lisbon" not in outsider_client.get(reverse("goals")).text
    edit = reverse("goal_edit", args=[secret.pk])
    assert outsider_client.get(edit).status_code == 404
    data = {"metric": "prospects", "period": "week", "target": "1", "reward": "mine"}
    assert outsider_client.post(edit, data).status_code == 404
    assert outsider_client.post(reverse("goal_delete", args=[secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert secret.reward == "a trip to Lisbon"


def test_the_page_needs_a_login(frozen_db, client):
    assert client.get(reverse("goals")).status_code == 302


# Today's card ---------------------------------------------------------------------------------


def test_todays_card_without_goals_teaches_the_method(frozen_db, owner):
    html = render_to_string("goals/today_card.html", {"goals_today": goals_for_today(owner, NOW)})
    assert "a reward to claim when you reach it" in html
    assert "Set a goal" in html
    assert reverse("goals") in html


def test_todays_card_shows_progress_and_unlocked_rewards(frozen_db, owner, organisation):
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


def add_goals_and_data(owner, organisation, rows: range) -> None:
    for i in rows:
        if i < len(GOALS):
            goal(owner, GOALS[i][0], i + 1, period=GOALS[i][1])
        prospect = new(owner, organisation, EARLIER + dt.timedelta(hours=i), title=f"Row {i:02}")
        log(prospect, THIS_WEEK, kind="meeting", minutes=30)
        move(prospect, Level.WON, THIS_WEEK + dt.timedelta(minutes=i))


def test_the_goals_page_queries_stay_flat(
    frozen_db, owner_client, owner, organisation, django_assert_num_queries
):
    add_goals_and_data(owner, organisation, range(FEW))
    owner_client.get(reverse("goals"))
    with CaptureQueriesContext(connection) as few:
        owner_client.get(reverse("goals"))
    add_goals_and_data(owner, organisation, range(FEW, MANY))
    with django_assert_num_queries(len(few)):
        response = owner_client.get(reverse("goals"))
    assert response.text.count('class="card goal"') == len(GOALS)


def test_the_today_loader_queries_stay_flat(frozen_db, owner, organisation):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            goals_for_today(User.objects.get(pk=owner.pk), NOW)
        return len(captured) - 1  # the User fetched for the look

    add_goals_and_data(owner, organisation, range(FEW))
    few = queries()
    add_goals_and_data(owner, organisation, range(FEW, MANY))
    assert queries() == few == 2 + len(SOME_METRICS)  # profile, goals, one per metric


def test_every_metric_costs_one_query(frozen_db, owner):
    for metric in Metric.values:
        goal(owner, metric)
    with CaptureQueriesContext(connection) as captured:
        cards = goals_for_today(User.objects.get(pk=owner.pk), NOW).cards
    assert len(cards) == len(Metric.values)
    # Prospecting time is read as the time-allocation report reads it (with the user's teams and
    # the version of the period's activities), and with the prospecting blocks kept.
    assert len(captured) == 1 + 2 + len(Metric.values) + 3


def test_weekly_goals_come_first(frozen_db, owner_client, owner):
    goal(owner, Metric.VALUE_WON, 9000, period=Period.QUARTER, reward="quarterly")
    goal(owner, Metric.PROSPECTS, 2, period=Period.MONTH, reward="monthly")
    goal(owner, Metric.QUALIFIED, 1, period=Period.WEEK, reward="weekly")
    text = owner_client.get(reverse("goals")).text
    assert text.index("weekly") < text.index("monthly") < text.index("quarterly")


def test_a_prospecting_block_kept_counts_toward_prospecting_hours(frozen_db, owner):
    from funnel.prospecting import rules as blocks
    from funnel.prospecting.models import Block

    goal(owner, Metric.PROSPECTING_HOURS, 5)
    monday = dt.date(2026, 11, 30)
    first = dt.datetime.combine(monday, dt.time(9))
    block = Block.objects.create(
        team=owner.profile.team,
        owner=owner,
        title="Prospecting",
        starts_on=monday,
        start_time=dt.time(9),
        minutes=120,
        rule=blocks.build_rule(weekdays=("MO",), interval=1, until=None, first=first),
    )
    before = this_period(owner)[Metric.PROSPECTING_HOURS]
    block.outcomes.create(original_start=first.replace(tzinfo=dt.UTC), outcome="honoured")
    assert this_period(owner)[Metric.PROSPECTING_HOURS] - before == 2


@pytest.mark.parametrize(
    ("period", "oldest"),
    [
        ("week", dt.date(2025, 12, 1)),
        ("month", dt.date(2022, 7, 1)),
        ("quarter", dt.date(2013, 10, 1)),
    ],
)
def test_a_goal_that_began_long_ago_shows_its_last_52_periods(period, oldest):
    """A goal dated in year 1000 would list every week since; the history keeps the last 52."""
    results = rules.history(
        starts_on=dt.date(1000, 1, 1),
        today=dt.date(2026, 11, 30),
        period=period,
        totals={},
        target=Decimal(1),
    )
    assert len(results) == rules.HISTORY_PERIODS == 52
    assert results[-1].first_day == oldest
    assert rules.span([(dt.date(1000, 1, 1), period)], dt.date(2026, 11, 30))[0] == oldest
