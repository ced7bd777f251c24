"""Prospecting health (docs/method.md §4): the unaware, the intentional and the comfortable."""

from decimal import Decimal

from funnel.today.health import diagnose, intentional, unaware

HOUR = 60


def test_prospecting_below_plan_lately_is_the_unaware_slowdown() -> None:
    slowdown = unaware([3 * HOUR, 3 * HOUR, HOUR, 2 * HOUR], planned_per_week=3 * HOUR)
    assert slowdown is not None
    assert slowdown.kind == "unaware"
    assert slowdown.finding == (
        "You prospected 1.5 hours a week lately, against the 3.0 you planned."
    )
    assert slowdown.action == "prospecting_blocks"


def test_prospecting_falling_without_a_plan_is_noticed_too() -> None:
    slowdown = unaware([4 * HOUR, 4 * HOUR, HOUR, HOUR], planned_per_week=0)
    assert slowdown is not None
    assert slowdown.finding == "Your prospecting fell to 1.0 hours a week over the last two weeks."


def test_no_plan_at_all_asks_for_one() -> None:
    slowdown = unaware([HOUR, HOUR, HOUR, HOUR], planned_per_week=0)
    assert slowdown is not None
    assert slowdown.finding == "No prospecting time is planned on your calendar."


def test_steady_prospecting_on_plan_is_healthy() -> None:
    assert unaware([3 * HOUR, 3 * HOUR, 3 * HOUR, 3 * HOUR], planned_per_week=3 * HOUR) is None
    assert unaware([3 * HOUR] * 4, planned_per_week=4 * HOUR) is None  # within a quarter of it


def test_more_in_unsigned_quotes_than_won_is_the_intentional_slowdown() -> None:
    assert intentional(Decimal(30000), won=Decimal(10000)) is not None
    assert intentional(Decimal(10000), won=Decimal(10000)) is None
    assert intentional(Decimal(0), won=Decimal(0)) is None


def test_no_goal_is_the_comfortable_slowdown_and_all_three_come_in_order() -> None:
    found = diagnose(
        weekly_minutes=[HOUR] * 4,
        planned_per_week=3 * HOUR,
        open_quotes=Decimal(5000),
        won=Decimal(0),
        active_goals=0,
    )
    assert [s.kind for s in found] == ["unaware", "intentional", "comfortable"]
    healthy = diagnose(
        weekly_minutes=[3 * HOUR] * 4,
        planned_per_week=3 * HOUR,
        open_quotes=Decimal(0),
        won=Decimal(9000),
        active_goals=1,
    )
    assert healthy == []
