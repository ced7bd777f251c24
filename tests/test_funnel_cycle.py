"""The funnel's clock (docs/method.md §1): drift in Best few, the normal sales cycle measured
from won deals, and the time spent at each level."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from funnel.contacts.models import Organisation
from funnel.sales.actions import move_opportunity
from funnel.sales.facts import sales_cycle
from funnel.sales.models import Level, Opportunity
from funnel.sales.rules import drift_warnings, normal_sales_cycle
from tests.funnel_rule_helpers import CYCLE, NOW, TODAY, win

# Drift: a Best few objective whose close date passed, or that sits there too long.


def drift(
    level: str = Level.BEST_FEW,
    *,
    days_there: int = 10,
    close: date | None = TODAY,
    cycle_days: int = CYCLE,
) -> list[str]:
    return drift_warnings(
        level,
        since=TODAY - timedelta(days=days_there),
        expected_close_on=close,
        today=TODAY,
        cycle_days=cycle_days,
    )


def test_a_best_few_opportunity_closing_on_time_and_recently_arrived_is_not_drifting() -> None:
    assert drift(days_there=10, close=TODAY) == []


def test_a_best_few_opportunity_whose_close_date_has_passed_is_drifting() -> None:
    assert drift(close=TODAY - timedelta(days=1)) == ["Its expected close, 03/02/2025, has passed."]


def test_a_best_few_opportunity_in_there_longer_than_half_the_cycle_is_drifting() -> None:
    assert drift(days_there=45) == []
    assert drift(days_there=46) == [
        "In Best few for 46 days, more than half your normal sales cycle."
    ]


def test_a_best_few_opportunity_can_drift_for_both_reasons_at_once() -> None:
    assert drift(days_there=60, close=TODAY - timedelta(days=14)) == [
        "Its expected close, 02/17/2025, has passed.",
        "In Best few for 60 days, more than half your normal sales cycle.",
    ]


def test_a_best_few_opportunity_without_a_close_date_drifts_only_by_time() -> None:
    assert drift(days_there=10, close=None) == []
    assert len(drift(days_there=50, close=None)) == 1


def test_a_single_day_in_best_few_is_said_in_the_singular() -> None:
    assert drift(days_there=1, cycle_days=1) == [
        "In Best few for 1 day, more than half your normal sales cycle."
    ]


@pytest.mark.parametrize(
    "level", [Level.ABOVE, Level.IN, Level.WON, Level.LOST, Level.DEAD, Level.NURTURE]
)
def test_only_best_few_opportunities_drift(level: Level) -> None:
    assert drift(level, days_there=200, close=TODAY - timedelta(days=100)) == []


# The normal sales cycle, measured from won deals once there are enough of them.


def test_with_no_won_deals_yet_the_sales_cycle_is_the_users_setting() -> None:
    cycle = normal_sales_cycle([], setting_days=60)
    assert (cycle.days, cycle.measured, cycle.source) == (60, False, "your setting")


def test_four_won_deals_are_not_enough_to_measure_the_sales_cycle() -> None:
    cycle = normal_sales_cycle([10, 20, 30, 40], setting_days=60)
    assert (cycle.days, cycle.source) == (60, "your setting")


def test_five_won_deals_measure_the_sales_cycle_as_their_median() -> None:
    cycle = normal_sales_cycle([10, 200, 30, 40, 20], setting_days=60)
    assert (cycle.days, cycle.measured, cycle.source) == (30, True, "median of 5 won deals")


def test_a_median_between_two_days_rounds_up() -> None:
    assert normal_sales_cycle([10, 20, 30, 41, 50, 60], setting_days=60).days == 36


def test_the_source_says_how_many_won_deals_the_cycle_was_measured_from() -> None:
    cycle = normal_sales_cycle(list(range(30, 44)), setting_days=60)
    assert cycle.source == "median of 14 won deals"


# Median time spent at each level.


def at(day: float) -> datetime:
    return NOW + timedelta(days=day)


# The same rules on the user's own records.


def test_a_user_without_won_deals_uses_their_setting(owner: User) -> None:
    owner.profile.sales_cycle_days = 60
    owner.profile.save(update_fields=["sales_cycle_days"])
    cycle = sales_cycle(owner, now=NOW)
    assert (cycle.days, cycle.source) == (60, "your setting")


def test_the_fifth_won_deal_switches_the_cycle_from_the_setting_to_the_median(
    owner: User, organisation: Organisation
) -> None:
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=days))
    assert sales_cycle(owner, now=NOW).source == "your setting"
    win(owner, organisation, days=100, won_at=NOW - timedelta(days=3))
    cycle = sales_cycle(owner, now=NOW)
    assert (cycle.days, cycle.source) == (40, "median of 5 won deals")


def test_won_deals_older_than_24_months_do_not_count_toward_the_cycle(
    owner: User, organisation: Organisation
) -> None:
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=300))
    win(owner, organisation, days=10, won_at=NOW - timedelta(days=731))
    assert sales_cycle(owner, now=NOW).source == "your setting"
    win(owner, organisation, days=10, won_at=NOW - timedelta(days=729))
    assert sales_cycle(owner, now=NOW).source == "median of 5 won deals"


def test_other_users_won_deals_do_not_count_toward_the_cycle(
    owner: User, organisation: Organisation, outsider: User, outsider_organisation: Organisation
) -> None:
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=5))
    for days in [1, 2, 3, 4, 5]:
        win(outsider, outsider_organisation, days=days, won_at=NOW - timedelta(days=5))
    assert sales_cycle(owner, now=NOW).days == 90
    assert sales_cycle(outsider, now=NOW).source == "median of 5 won deals"


def test_opportunities_not_won_do_not_count_toward_the_cycle(
    owner: User, organisation: Organisation
) -> None:
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=5))
    lost = win(owner, organisation, days=10, won_at=NOW - timedelta(days=5))
    Opportunity.objects.filter(pk=lost.pk).update(level=Level.LOST, reason="Too expensive")
    assert sales_cycle(owner, now=NOW).source == "your setting"


# Which won deals the cycle counts, and when it is measured again.


def test_deals_won_after_the_moment_asked_about_do_not_count(
    owner: User, organisation: Organisation
) -> None:
    for days in [20, 30, 40, 50, 60]:
        win(owner, organisation, days=days, won_at=NOW + timedelta(days=10))
    assert sales_cycle(owner, now=NOW).source == "your setting"


def test_deals_signed_at_first_contact_still_give_a_cycle_of_at_least_a_day() -> None:
    assert normal_sales_cycle([0, 0, 0, 0, 0], setting_days=60).days == 1


def test_todays_cycle_follows_a_deal_won_or_reopened_today(
    owner: User, organisation: Organisation
) -> None:
    now = timezone.now()
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=now - timedelta(days=5))
    assert sales_cycle(owner).source == "your setting"  # measured, and kept for the day
    fifth = win(owner, organisation, days=100, won_at=now - timedelta(days=1))
    assert sales_cycle(owner).source == "median of 5 won deals"
    move_opportunity(opportunity=fifth, to_level=Level.BEST_FEW, by=owner)
    assert sales_cycle(owner).source == "your setting"
