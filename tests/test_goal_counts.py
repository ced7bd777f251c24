"""Goals (docs/method.md §4): periods and progress as plain rules, and what each metric
counts from the records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from funnel.accounts.models import Profile
from funnel.contacts.models import Organisation
from funnel.goals import rules
from funnel.goals.facts import goal_cards, goals_for_today
from funnel.goals.models import Metric
from funnel.quotes.models import Quote
from funnel.sales.models import Level, Opportunity
from tests import goal_helpers
from tests.goal_helpers import EARLIER, LAST_WEEK, NOW, THIS_WEEK, D, goal, log, move, new

# Fixtures shared with the other goal tests (in goal_helpers.py).
frozen_db = goal_helpers.frozen_db


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
def test_a_period_runs_from_its_first_day_to_the_day_after_its_last(
    day: dt.date, period: str, bounds: tuple[dt.date, dt.date]
) -> None:
    assert rules.period_bounds(day, period) == bounds


def test_an_unknown_period_is_an_error() -> None:
    with pytest.raises(ValueError):
        rules.period_bounds(dt.date(2026, 1, 1), "fortnight")


def test_a_week_across_a_month_end_adds_up_days_of_both_months() -> None:
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
def test_progress_fills_the_bar_up_to_the_target(
    value: Decimal, target: Decimal, percent: int, met: bool
) -> None:
    assert rules.progress(value, target) == rules.Progress(value, target, percent, met)


def test_history_lists_each_finished_period_since_the_start_newest_first() -> None:
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


def test_a_goal_started_this_period_has_no_history_yet() -> None:
    results = rules.history(
        starts_on=dt.date(2026, 10, 1),
        today=dt.date(2026, 12, 31),
        period="quarter",
        totals={},
        target=D(1),
    )
    assert results == []


def test_the_span_covers_every_goal_from_its_first_period_to_the_current_one() -> None:
    starts = [(dt.date(2026, 11, 11), "week"), (dt.date(2026, 12, 2), "quarter")]
    assert rules.span(starts, dt.date(2026, 12, 3)) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))


# What each metric counts ----------------------------------------------------------------------


def this_period(user: User) -> dict[str, Decimal]:
    fresh = User.objects.get(pk=user.pk)
    return {c.goal.metric: c.current.progress.value for c in goals_for_today(fresh, NOW).cards}


def test_new_prospects_are_the_objectives_created_this_period(
    frozen_db: None,
    owner: User,
    organisation: Organisation,
    outsider: User,
    outsider_organisation: Organisation,
) -> None:
    goal(owner, Metric.PROSPECTS)
    new(owner, organisation, THIS_WEEK)
    new(owner, organisation, NOW, level=Level.IN)
    new(owner, organisation, LAST_WEEK)
    new(outsider, outsider_organisation, THIS_WEEK)
    assert this_period(owner) == {Metric.PROSPECTS: 2}


def test_prospecting_hours_count_time_on_objectives_above_the_funnel_then(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
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


def test_a_first_meeting_counts_once_in_the_period_it_happened(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
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
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.QUALIFIED)
    move(new(owner, organisation, EARLIER), Level.IN, THIS_WEEK)
    move(new(owner, organisation, EARLIER), Level.WON, NOW)
    move(new(owner, organisation, EARLIER), Level.IN, LAST_WEEK)
    move(new(owner, organisation, EARLIER, level=Level.IN), Level.BEST_FEW, THIS_WEEK)
    new(owner, organisation, THIS_WEEK, level=Level.IN)
    assert this_period(owner) == {Metric.QUALIFIED: 2}


def test_proposals_sent_are_quotes_sent_this_period(
    frozen_db: None, owner: User, opportunity: Opportunity, outsider: User
) -> None:
    goal(owner, Metric.PROPOSALS)

    def quote(number: str, status: str, sent_on: dt.date | None) -> None:
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


def test_value_won_counts_the_main_currency_and_shows_the_others(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    goal(owner, Metric.VALUE_WON, 10000)
    move(new(owner, organisation, EARLIER, value=12000), Level.WON, THIS_WEEK)
    move(new(owner, organisation, EARLIER, value=5000, currency="USD"), Level.WON, NOW)
    move(new(owner, organisation, EARLIER, value=7000), Level.WON, LAST_WEEK)
    new(owner, organisation, THIS_WEEK, value=99000)
    [card] = goals_for_today(User.objects.get(pk=owner.pk), NOW).cards
    assert card.current.progress.value == 12000
    assert card.current.progress.met
    assert card.others == [("USD", D(5000))]


def test_periods_follow_the_users_time_zone(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    Profile.objects.filter(user=owner).update(time_zone="Pacific/Auckland")
    goal(owner, Metric.PROSPECTS)
    new(owner, organisation, dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC))  # Monday there
    new(owner, organisation, dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC))  # still Sunday
    assert this_period(owner) == {Metric.PROSPECTS: 1}


def test_goals_not_started_yet_are_not_on_today(frozen_db: None, owner: User) -> None:
    goal(owner, Metric.PROSPECTS, starts_on=dt.date(2027, 1, 1))
    assert goals_for_today(owner, NOW).cards == []


def test_history_says_which_past_periods_met_the_target(
    frozen_db: None, owner: User, organisation: Organisation
) -> None:
    weekly = goal(owner, Metric.PROSPECTS, 2, starts_on=dt.date(2026, 11, 12))
    for at in [dt.datetime(2026, 11, 10, tzinfo=dt.UTC), dt.datetime(2026, 11, 11, tzinfo=dt.UTC)]:
        new(owner, organisation, at)
    new(owner, organisation, dt.datetime(2026, 11, 17, tzinfo=dt.UTC))
    new(owner, organisation, LAST_WEEK)
    new(owner, organisation, LAST_WEEK)
    [card] = goal_cards(owner, [weekly], NOW.date(), with_history=True)
    assert [(r.first_day, r.progress.value, r.progress.met) for r in card.history] == [
        (dt.date(2026, 11, 23), D(2), True),
        (dt.date(2026, 11, 16), D(1), False),
        (dt.date(2026, 11, 9), D(2), True),
    ]
    assert card.times_met == 2


def test_a_prospecting_block_kept_counts_toward_prospecting_hours(
    frozen_db: None, owner: User
) -> None:
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
def test_a_goal_that_began_long_ago_shows_its_last_52_periods(period: str, oldest: dt.date) -> None:
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
