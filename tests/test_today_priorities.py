"""Today's order and advice as pure rules (docs/method.md §1, "Priorities"): groups,
urgency, value times fit, poor fits, limits, what to do and why, warnings."""

import datetime as dt
from decimal import Decimal

from funnel.sales.models import Level
from funnel.sales.rules import InfluenceFacts, OpportunityFacts
from funnel.today.priorities import Agenda, Candidate, Group, Urgency, build_agenda
from tests.today_helpers import NOW, SETTINGS, UTC, at, group, ids, later

NO_NEXT_STEP = "No follow-up planned."
THIS_EVENING = dt.datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def economic(status: str = "satisfied", name: str = "Giulia") -> InfluenceFacts:
    return InfluenceFacts(name, "economic", status, fit_confirmed=True)


def a_candidate(
    id: int,
    level: str = Level.IN,
    *,
    value: int | str = 1000,
    fit: int | None = 60,
    due: dt.datetime | None = THIS_EVENING,
    next_step: str = "Call back",
    expected_close_on: dt.date | None = None,
    level_since: dt.date = SETTINGS.today,
    influences: tuple[InfluenceFacts, ...] = (),
) -> Candidate:
    return Candidate(
        id=id,
        title=f"Deal {id}",
        customer=f"Customer {id}",
        level=level,
        value=Decimal(value),
        currency="EUR",
        fit_score=fit,
        next_step=next_step,
        next_step_at=due,
        expected_close_on=expected_close_on,
        level_since=level_since,
        facts=OpportunityFacts(level, expected_close_on, influences),
    )


def agenda(*members: Candidate, limit: int | None = None, **totals: int) -> Agenda:
    """build_agenda as agenda_for calls it; totals by group key, when a test cares."""
    by_group = {group: totals[group.key] for group in Group if group.key in totals}
    return build_agenda(members, settings=SETTINGS, totals=by_group, limit=limit)


# The order of work: groups, then urgency, then value times fit


def test_best_few_come_first_then_prospecting_then_the_funnel() -> None:
    result = agenda(
        a_candidate(1, Level.IN), a_candidate(2, Level.ABOVE), a_candidate(3, Level.BEST_FEW)
    )
    assert [summary.group.key for summary in result.groups] == [
        "best_few",
        "prospecting",
        "in_funnel",
        "keep_in_touch",
    ]
    assert [item.opportunity.id for item in result.items] == [3, 2, 1]
    assert [int(item.group) for item in result.items] == [1, 2, 3]


def test_closed_and_parked_objectives_are_not_on_the_agenda() -> None:
    levels = [Level.WON, Level.LOST, Level.DEAD, Level.NURTURE]
    result = agenda(*(a_candidate(i, level) for i, level in enumerate(levels, start=1)))
    assert result.items == []


def test_overdue_comes_before_due_today_before_the_rest_each_soonest_first() -> None:
    result = agenda(
        a_candidate(1, value=90000, due=later()),
        a_candidate(2, value=10, due=at(30, 15)),  # due today, later in the day
        a_candidate(3, value=10, due=at(30, 11)),  # due today, sooner
        a_candidate(4, value=10, due=at(30, 9)),  # overdue since this morning
        a_candidate(5, value=10, due=at(27, 9)),  # overdue for days
        a_candidate(6, value=50000, due=None),
    )
    summary = group(result, "in_funnel")
    assert ids(summary) == [5, 4, 3, 2, 1, 6]
    assert [item.urgency for item in summary.items] == [
        Urgency.OVERDUE,
        Urgency.OVERDUE,
        Urgency.DUE_TODAY,
        Urgency.DUE_TODAY,
        Urgency.LATER,
        Urgency.LATER,
    ]
    assert [item.overdue for item in summary.items] == [True, True, False, False, False, False]


def test_a_step_due_right_now_is_due_today_and_one_due_at_midnight_is_for_tomorrow() -> None:
    result = agenda(a_candidate(1, due=NOW), a_candidate(2, due=SETTINGS.end_of_today))
    first, second = group(result, "in_funnel").items
    assert (first.opportunity.id, first.urgency, first.kind) == (1, Urgency.DUE_TODAY, "next_step")
    assert (second.opportunity.id, second.urgency) == (2, Urgency.LATER)
    assert second.kind != "next_step"


def test_without_anything_due_the_largest_value_times_fit_comes_first() -> None:
    result = agenda(
        a_candidate(1, value=1000, fit=90, due=later()),  # 90,000
        a_candidate(2, value=2000, fit=None, due=later()),  # unknown fit counts as 50: 100,000
        a_candidate(3, value=3000, fit=20, due=later()),  # 60,000
        a_candidate(4, value=1500, fit=40, due=later()),  # 60,000, a tie broken by id
    )
    assert ids(group(result, "in_funnel")) == [2, 1, 3, 4]


def test_an_unknown_fit_counts_as_50_not_as_0() -> None:
    result = agenda(
        a_candidate(1, value=1000, fit=49, due=later()),
        a_candidate(2, value=1000, fit=None, due=later()),
        a_candidate(3, value=1000, fit=51, due=later()),
    )
    assert ids(group(result, "in_funnel")) == [3, 2, 1]


def test_equal_weights_keep_a_stable_order_by_id() -> None:
    result = agenda(*(a_candidate(i, value=500, fit=50, due=later()) for i in (7, 3, 5)))
    assert ids(group(result, "in_funnel")) == [3, 5, 7]


# Poor fits (docs/method.md §1, "The ideal customer")


def test_poor_fits_above_the_funnel_are_not_suggested_for_prospecting() -> None:
    result = agenda(
        a_candidate(1, Level.ABOVE, fit=39, due=later()),
        a_candidate(2, Level.ABOVE, fit=40, due=later()),
        a_candidate(3, Level.ABOVE, fit=None, due=None),
    )
    assert ids(group(result, "prospecting")) == [3, 2]  # unknown fit counts as 50 > 40


def test_a_poor_fit_with_a_step_due_today_or_overdue_stays_on_the_agenda() -> None:
    result = agenda(
        a_candidate(1, Level.ABOVE, fit=10, due=at(30, 16)),
        a_candidate(2, Level.ABOVE, fit=10, due=at(29, 9)),
        a_candidate(3, Level.ABOVE, fit=10, due=later()),
    )
    summary = group(result, "prospecting")
    assert ids(summary) == [2, 1]
    assert [(item.kind, item.overdue) for item in summary.items] == [
        ("next_step", True),
        ("next_step", False),
    ]


def test_a_poor_fit_already_in_the_funnel_is_still_worked() -> None:
    result = agenda(a_candidate(1, Level.IN, fit=5), a_candidate(2, Level.BEST_FEW, fit=5))
    assert [item.opportunity.id for item in result.items] == [2, 1]


def test_the_poor_fits_left_out_are_counted_apart_from_the_more_on_the_board() -> None:
    members = [a_candidate(i, Level.ABOVE, due=later()) for i in range(1, 4)]
    result = build_agenda(
        members,
        settings=SETTINGS,
        totals={Group.PROSPECTING: 7},
        left_out={Group.PROSPECTING: 2},
        limit=2,
    )
    summary = group(result, "prospecting")
    assert (summary.total, len(summary.items), summary.left_out, summary.more) == (7, 2, 2, 3)


# Limit and "more"


def test_each_group_keeps_its_first_items_and_counts_the_rest_as_more() -> None:
    members = [a_candidate(i, Level.ABOVE, value=100 * i, due=later()) for i in range(1, 6)]
    members += [a_candidate(10, Level.BEST_FEW)]
    result = agenda(*members, limit=2, prospecting=5, best_few=1)
    prospecting, best_few = group(result, "prospecting"), group(result, "best_few")
    assert ids(prospecting) == [5, 4]
    assert (prospecting.total, prospecting.more) == (5, 3)
    assert (best_few.total, best_few.more, len(best_few.items)) == (1, 0, 1)


def test_without_a_limit_every_item_is_kept() -> None:
    members = [a_candidate(i, value=i) for i in range(1, 16)]
    summary = group(agenda(*members), "in_funnel")
    assert len(summary.items) == 15
    assert summary.more == 0


def test_groups_with_nothing_in_them_are_still_listed_with_what_to_do_about_it() -> None:
    result = agenda()
    assert [(s.group.key, s.items, s.total, s.more) for s in result.groups] == [
        ("best_few", [], 0, 0),
        ("prospecting", [], 0, 0),
        ("in_funnel", [], 0, 0),
        ("keep_in_touch", [], 0, 0),
    ]
    assert "Prospect every week" in result.groups[1].group.when_empty
    assert "Best few" in result.groups[0].group.when_empty
    assert "qualify a prospect" in result.groups[2].group.when_empty


# What to do, and why


def test_a_due_step_is_the_thing_to_do_and_says_since_when_it_is_overdue() -> None:
    result = agenda(
        a_candidate(1, next_step="Send the offer", due=at(29, 9)),
        a_candidate(2, next_step="", due=at(30, 15)),
    )
    overdue, today = group(result, "in_funnel").items
    assert (overdue.kind, overdue.overdue, today.kind) == ("next_step", True, "next_step")
    assert overdue.reason.startswith("Send the offer (missed: it was due ")
    assert "11/29/2026" in overdue.reason
    assert today.reason.startswith("Follow up (due today at ")
    assert today.due == at(30, 15)


def test_a_prospect_without_influences_is_to_be_qualified_by_finding_one() -> None:
    (item,) = agenda(a_candidate(1, Level.ABOVE, due=later())).items
    assert (item.kind, item.move_to) == ("qualify", Level.IN)
    assert item.reason == (
        "Identify a buying influence, contact them and confirm the fit with them."
    )


def test_a_prospect_whose_fit_is_confirmed_is_ready_to_move_into_the_funnel() -> None:
    contacted = InfluenceFacts("Giulia", "user", "contacted", fit_confirmed=True)
    (item,) = agenda(a_candidate(1, Level.ABOVE, due=later(), influences=(contacted,))).items
    assert item.kind == "move"
    assert "move it into the funnel" in item.reason


def test_in_the_funnel_the_missing_economic_buyer_is_named_first() -> None:
    coach = InfluenceFacts("Paolo", "coach", "satisfied", fit_confirmed=True)
    (item,) = agenda(a_candidate(1, due=later(), influences=(coach,))).items
    assert (item.kind, item.move_to) == ("identify_influence", Level.BEST_FEW)
    assert item.reason == "Identify the economic buyer, who gives the final approval."


def test_in_the_funnel_an_unsatisfied_influence_is_named() -> None:
    influences = (economic(), InfluenceFacts("Paolo", "technical", "contacted", False))
    (item,) = agenda(a_candidate(1, due=later(), influences=influences)).items
    assert item.kind == "satisfy_influence"
    assert item.reason == "Satisfy Paolo: their needs are not met yet."


def test_in_the_funnel_with_everyone_satisfied_the_close_date_is_what_is_missing() -> None:
    (item,) = agenda(a_candidate(1, due=later(), influences=(economic(),))).items
    assert (item.kind, item.reason) == ("schedule_close", "Set an expected close date.")


def test_in_the_funnel_with_everything_in_place_it_is_ready_for_best_few() -> None:
    close = SETTINGS.today + dt.timedelta(days=20)
    candidate = a_candidate(1, due=later(), influences=(economic(),), expected_close_on=close)
    (item,) = agenda(candidate).items
    assert item.kind == "move"
    assert item.reason == "Every buying influence is satisfied: move it to Best few."


def test_best_few_are_to_be_closed_on_their_expected_date() -> None:
    with_date = a_candidate(1, Level.BEST_FEW, due=later(), expected_close_on=dt.date(2026, 12, 9))
    without = a_candidate(2, Level.BEST_FEW, value=1, due=later())
    first, second = agenda(with_date, without).items
    assert (first.kind, first.move_to) == ("close", Level.WON)
    assert first.reason == "Confirm and sign: expected to close on 12/09/2026."
    assert second.reason == "Confirm and sign: agree on a close date."


# Warnings


def test_a_best_few_past_its_close_date_or_there_too_long_warns_of_drift() -> None:
    drifting = a_candidate(
        1,
        Level.BEST_FEW,
        due=later(),
        expected_close_on=dt.date(2026, 11, 20),
        level_since=dt.date(2026, 10, 1),
    )
    (item,) = agenda(drifting).items
    assert item.warnings == (
        "Its expected close, 11/20/2026, has passed.",
        "In Best few for 60 days, more than half your normal sales cycle.",
    )


def test_a_fresh_best_few_on_time_has_no_warnings() -> None:
    (item,) = agenda(
        a_candidate(1, Level.BEST_FEW, due=later(), expected_close_on=dt.date(2026, 12, 5))
    ).items
    assert item.warnings == ()


def test_drift_is_only_about_best_few() -> None:
    stale = a_candidate(
        1, due=later(), expected_close_on=dt.date(2026, 1, 1), level_since=dt.date(2025, 1, 1)
    )
    (item,) = agenda(stale).items
    assert item.warnings == ()


def test_an_objective_without_a_next_step_says_so() -> None:
    result = agenda(a_candidate(1, due=None), a_candidate(2, Level.BEST_FEW, due=None))
    assert [item.warnings[-1] for item in result.items] == [NO_NEXT_STEP, NO_NEXT_STEP]
    assert all(item.due is None for item in result.items)


def test_a_planned_step_later_on_is_no_cause_for_a_warning() -> None:
    (item,) = agenda(a_candidate(1, due=later(10))).items
    assert NO_NEXT_STEP not in item.warnings
    assert item.kind != "next_step"
