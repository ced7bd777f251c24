"""The funnel's rules (METHOD.md §1): gates between levels, drift in Best few, the sales cycle."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from funnel.contacts.models import Organisation, Person
from funnel.sales.actions import GateClosed, create_opportunity, move_opportunity
from funnel.sales.facts import median_days_per_level_of, opportunity_facts, sales_cycle
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.sales.rules import (
    InfluenceFacts,
    OpportunityFacts,
    Prerequisite,
    check_move,
    drift_warnings,
    median_days_per_level,
    normal_sales_cycle,
)

TODAY = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
CYCLE = 90  # the default setting; half of it is 45 days


def influence(
    name: str = "Giulia Ferretti",
    *,
    role: str = "economic",
    status: str = "satisfied",
    fit_confirmed: bool = True,
) -> InfluenceFacts:
    return InfluenceFacts(name=name, role=role, status=status, fit_confirmed=fit_confirmed)


def facts(
    level: str = Level.ABOVE,
    *,
    close: date | None = TODAY + timedelta(days=30),
    influences: Sequence[InfluenceFacts] = (),
) -> OpportunityFacts:
    return OpportunityFacts(level=level, expected_close_on=close, influences=list(influences))


def check(opportunity: OpportunityFacts, to_level: str, cycle_days: int = CYCLE) -> list[str]:
    """The codes of what is still missing, which is what the user is told to do."""
    return codes(check_move(opportunity, to_level, today=TODAY, cycle_days=cycle_days))


def codes(unmet: Sequence[Prerequisite]) -> list[str]:
    return [prerequisite.code for prerequisite in unmet]


READY_FOR_BEST_FEW = [
    influence("Giulia Ferretti", role="economic"),
    influence("Marco Ferretti", role="user", fit_confirmed=False),
]


# Into the funnel: the fit confirmed with at least one contacted buying influence.


def test_an_opportunity_with_no_buying_influence_cannot_enter_the_funnel():
    (unmet,) = check_move(facts(), Level.IN, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "fit_unconfirmed"
    assert unmet.text.startswith("Identify a buying influence, contact them and confirm")


@pytest.mark.parametrize("status", ["contacted", "satisfied"])
def test_a_contacted_influence_who_confirmed_the_fit_opens_the_way_into_the_funnel(status):
    opportunity = facts(influences=[influence(role="coach", status=status)])
    assert check(opportunity, Level.IN) == []


def test_a_contacted_influence_without_the_fit_confirmed_does_not_open_the_way_in():
    opportunity = facts(influences=[influence(status="contacted", fit_confirmed=False)])
    (unmet,) = check_move(opportunity, Level.IN, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "fit_unconfirmed"
    assert unmet.text == "Confirm the fit with at least one buying influence you have contacted."


def test_an_influence_never_contacted_does_not_open_the_way_in_even_with_the_fit_confirmed():
    opportunity = facts(influences=[influence(status="unknown", fit_confirmed=True)])
    assert check(opportunity, Level.IN) == ["fit_unconfirmed"]


def test_one_confirmed_influence_is_enough_to_enter_the_funnel_whatever_the_others_say():
    opportunity = facts(
        influences=[
            influence("Giulia Ferretti", status="unknown", fit_confirmed=False),
            influence("Marco Ferretti", role="technical", status="contacted"),
        ]
    )
    assert check(opportunity, Level.IN) == []


# Into Best few: economic buyer identified, every influence satisfied, closing within half a cycle.


def test_an_opportunity_with_everything_in_place_moves_into_best_few():
    assert check(facts(Level.IN, influences=READY_FOR_BEST_FEW), Level.BEST_FEW) == []


def test_best_few_needs_an_economic_buyer():
    opportunity = facts(Level.IN, influences=[influence(role="user")])
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "no_economic_buyer"
    assert unmet.text == "Identify the economic buyer, who gives the final approval."


def test_best_few_names_every_buying_influence_not_satisfied_yet():
    opportunity = facts(
        Level.IN,
        influences=[
            influence("Giulia Ferretti", status="contacted"),
            influence("Marco Ferretti", role="user", status="unknown", fit_confirmed=False),
            influence("Sara Bianchi", role="coach"),
        ],
    )
    unmet = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert [p.text for p in unmet] == [
        "Satisfy Giulia Ferretti: their needs are not met yet.",
        "Satisfy Marco Ferretti: their needs are not met yet.",
    ]


def test_best_few_needs_an_expected_close_date():
    opportunity = facts(Level.IN, close=None, influences=READY_FOR_BEST_FEW)
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert (unmet.code, unmet.text) == ("no_close_date", "Set an expected close date.")


def test_a_close_date_exactly_half_the_normal_cycle_away_is_allowed_into_best_few():
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=45), influences=READY_FOR_BEST_FEW)
    assert check(opportunity, Level.BEST_FEW) == []


def test_a_close_date_one_day_beyond_half_the_normal_cycle_keeps_it_out_of_best_few():
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=46), influences=READY_FOR_BEST_FEW)
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "close_too_late"
    assert unmet.text == (
        "It should close within half your normal sales cycle, by 04/17/2025; "
        "the expected close is 04/18/2025."
    )


def test_half_an_odd_sales_cycle_is_counted_in_whole_days_rounded_down():
    def close_in(days: int) -> OpportunityFacts:
        return facts(Level.IN, close=TODAY + timedelta(days=days), influences=READY_FOR_BEST_FEW)

    assert check(close_in(45), Level.BEST_FEW, cycle_days=91) == []
    assert check(close_in(46), Level.BEST_FEW, cycle_days=91) == ["close_too_late"]


def test_the_limit_for_the_close_date_follows_the_normal_sales_cycle():
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=20), influences=READY_FOR_BEST_FEW)
    assert check(opportunity, Level.BEST_FEW, cycle_days=40) == []
    assert check(opportunity, Level.BEST_FEW, cycle_days=38) == ["close_too_late"]


# Skipping levels checks every level passed.


def test_skipping_from_above_straight_to_best_few_checks_both_gates():
    assert check(facts(close=None), Level.BEST_FEW) == [
        "fit_unconfirmed",
        "no_economic_buyer",
        "no_close_date",
    ]


def test_skipping_from_above_straight_to_won_checks_both_gates_but_not_the_timing():
    far_away = TODAY + timedelta(days=400)
    assert check(facts(close=far_away), Level.WON) == ["fit_unconfirmed", "no_economic_buyer"]
    assert check(facts(close=None, influences=READY_FOR_BEST_FEW), Level.WON) == []


def test_winning_from_in_the_funnel_does_not_ask_for_the_fit_again():
    opportunity = facts(Level.IN, influences=[influence(fit_confirmed=False)])
    assert check(opportunity, Level.WON) == []


def test_winning_from_best_few_has_no_gate():
    assert check(facts(Level.BEST_FEW, close=None), Level.WON) == []


# Moving back up, parking and closing are never gated.


@pytest.mark.parametrize(
    ("from_level", "to_level"),
    [
        (Level.IN, Level.ABOVE),
        (Level.BEST_FEW, Level.IN),
        (Level.BEST_FEW, Level.ABOVE),
        (Level.NURTURE, Level.ABOVE),
    ],
)
def test_moving_back_toward_above_the_funnel_is_always_allowed(from_level, to_level):
    assert check(facts(from_level, close=None), to_level) == []


@pytest.mark.parametrize("to_level", [Level.LOST, Level.DEAD, Level.NURTURE])
@pytest.mark.parametrize("from_level", [Level.ABOVE, Level.IN, Level.BEST_FEW])
def test_closing_as_lost_or_dead_and_parking_in_nurture_are_always_allowed(from_level, to_level):
    assert check(facts(from_level, close=None), to_level) == []


@pytest.mark.parametrize("from_level", [Level.NURTURE, Level.LOST, Level.DEAD])
def test_reopening_into_the_funnel_from_off_the_funnel_is_gated(from_level):
    assert check(facts(from_level), Level.IN) == ["fit_unconfirmed"]
    assert check(facts(from_level, close=None), Level.BEST_FEW) == [
        "fit_unconfirmed",
        "no_economic_buyer",
        "no_close_date",
    ]


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


def test_a_best_few_opportunity_closing_on_time_and_recently_arrived_is_not_drifting():
    assert drift(days_there=10, close=TODAY) == []


def test_a_best_few_opportunity_whose_close_date_has_passed_is_drifting():
    assert drift(close=TODAY - timedelta(days=1)) == ["Its expected close, 03/02/2025, has passed."]


def test_a_best_few_opportunity_in_there_longer_than_half_the_cycle_is_drifting():
    assert drift(days_there=45) == []
    assert drift(days_there=46) == [
        "In Best few for 46 days, more than half your normal sales cycle."
    ]


def test_a_best_few_opportunity_can_drift_for_both_reasons_at_once():
    assert drift(days_there=60, close=TODAY - timedelta(days=14)) == [
        "Its expected close, 02/17/2025, has passed.",
        "In Best few for 60 days, more than half your normal sales cycle.",
    ]


def test_a_best_few_opportunity_without_a_close_date_drifts_only_by_time():
    assert drift(days_there=10, close=None) == []
    assert len(drift(days_there=50, close=None)) == 1


def test_a_single_day_in_best_few_is_said_in_the_singular():
    assert drift(days_there=1, cycle_days=1) == [
        "In Best few for 1 day, more than half your normal sales cycle."
    ]


@pytest.mark.parametrize(
    "level", [Level.ABOVE, Level.IN, Level.WON, Level.LOST, Level.DEAD, Level.NURTURE]
)
def test_only_best_few_opportunities_drift(level):
    assert drift(level, days_there=200, close=TODAY - timedelta(days=100)) == []


# The normal sales cycle, measured from won deals once there are enough of them.


def test_with_no_won_deals_yet_the_sales_cycle_is_the_users_setting():
    cycle = normal_sales_cycle([], setting_days=60)
    assert (cycle.days, cycle.measured, cycle.source) == (60, False, "your setting")


def test_four_won_deals_are_not_enough_to_measure_the_sales_cycle():
    cycle = normal_sales_cycle([10, 20, 30, 40], setting_days=60)
    assert (cycle.days, cycle.source) == (60, "your setting")


def test_five_won_deals_measure_the_sales_cycle_as_their_median():
    cycle = normal_sales_cycle([10, 200, 30, 40, 20], setting_days=60)
    assert (cycle.days, cycle.measured, cycle.source) == (30, True, "median of 5 won deals")


def test_a_median_between_two_days_rounds_up():
    assert normal_sales_cycle([10, 20, 30, 41, 50, 60], setting_days=60).days == 36


def test_the_source_says_how_many_won_deals_the_cycle_was_measured_from():
    cycle = normal_sales_cycle(list(range(30, 44)), setting_days=60)
    assert cycle.source == "median of 14 won deals"


# Median time spent at each level.


def at(day: float) -> datetime:
    return NOW + timedelta(days=day)


def test_median_days_per_level_leaves_out_the_stay_not_finished_yet():
    history = [(at(0), Level.ABOVE), (at(2), Level.IN), (at(7), Level.BEST_FEW)]
    assert median_days_per_level([history]) == {Level.ABOVE: 2, Level.IN: 5}


def test_median_days_per_level_takes_the_median_over_opportunities():
    histories = [
        [(at(0), Level.ABOVE), (at(2), Level.IN)],
        [(at(0), Level.ABOVE), (at(4), Level.IN), (at(5), Level.ABOVE), (at(15), Level.IN)],
        [(at(0), Level.ABOVE), (at(1), Level.LOST), (at(40), Level.ABOVE)],
        [(at(0), Level.ABOVE), (at(0.5), Level.NURTURE)],
    ]
    assert median_days_per_level(histories) == {Level.ABOVE: 2, Level.IN: 1}


def test_time_spent_closed_or_parked_is_not_a_level_stay():
    history = [
        (at(0), Level.BEST_FEW),
        (at(3), Level.WON),
        (at(10), Level.NURTURE),
        (at(20), Level.LOST),
        (at(30), Level.DEAD),
        (at(40), Level.BEST_FEW),
    ]
    assert median_days_per_level([history]) == {Level.BEST_FEW: 3}


def test_with_no_history_there_is_no_median_per_level():
    assert median_days_per_level([]) == {}
    assert median_days_per_level([[(at(0), Level.ABOVE)]]) == {}


# The same rules on the user's own records.


def win(user: User, organisation: Organisation, *, days: int, won_at: datetime) -> Opportunity:
    """A deal the user won at won_at, days after the first contact."""
    return create_opportunity(
        opportunity=Opportunity(
            team=user.profile.team,
            owner=user,
            title=f"Won in {days} days",
            organisation=organisation,
            currency="EUR",
            level=Level.WON,
            first_contact_on=won_at.date() - timedelta(days=days),
        ),
        by=user,
        at=won_at,
    )


def test_a_user_without_won_deals_uses_their_setting(owner):
    owner.profile.sales_cycle_days = 60
    owner.profile.save(update_fields=["sales_cycle_days"])
    cycle = sales_cycle(owner, now=NOW)
    assert (cycle.days, cycle.source) == (60, "your setting")


def test_the_fifth_won_deal_switches_the_cycle_from_the_setting_to_the_median(owner, organisation):
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=days))
    assert sales_cycle(owner, now=NOW).source == "your setting"
    win(owner, organisation, days=100, won_at=NOW - timedelta(days=3))
    cycle = sales_cycle(owner, now=NOW)
    assert (cycle.days, cycle.source) == (40, "median of 5 won deals")


def test_won_deals_older_than_24_months_do_not_count_toward_the_cycle(owner, organisation):
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=300))
    win(owner, organisation, days=10, won_at=NOW - timedelta(days=731))
    assert sales_cycle(owner, now=NOW).source == "your setting"
    win(owner, organisation, days=10, won_at=NOW - timedelta(days=729))
    assert sales_cycle(owner, now=NOW).source == "median of 5 won deals"


def test_other_users_won_deals_do_not_count_toward_the_cycle(
    owner, organisation, outsider, outsider_organisation
):
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=5))
    for days in [1, 2, 3, 4, 5]:
        win(outsider, outsider_organisation, days=days, won_at=NOW - timedelta(days=5))
    assert sales_cycle(owner, now=NOW).days == 90
    assert sales_cycle(outsider, now=NOW).source == "median of 5 won deals"


def test_opportunities_not_won_do_not_count_toward_the_cycle(owner, organisation):
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=5))
    lost = win(owner, organisation, days=10, won_at=NOW - timedelta(days=5))
    Opportunity.objects.filter(pk=lost.pk).update(level=Level.LOST, reason="Too expensive")
    assert sales_cycle(owner, now=NOW).source == "your setting"


def test_the_gates_read_the_opportunitys_buying_influences(opportunity, person):
    BuyingInfluence.objects.create(
        opportunity=opportunity, person=person, role="economic", status="contacted"
    )
    assert opportunity_facts(opportunity) == OpportunityFacts(
        level=Level.ABOVE,
        expected_close_on=None,
        influences=[
            InfluenceFacts(
                name="Giulia Ferretti", role="economic", status="contacted", fit_confirmed=False
            )
        ],
    )


def test_a_second_economic_buyer_is_refused_so_the_gate_sees_only_one(opportunity, person):
    colleague = Person.objects.create(team=person.team, name="Marco Ferretti")
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role="economic")
    second = BuyingInfluence(opportunity=opportunity, person=colleague, role="economic")
    with pytest.raises(ValidationError, match="already has an economic buyer"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    economic = [i for i in opportunity_facts(opportunity).influences if i.role == "economic"]
    assert [i.name for i in economic] == ["Giulia Ferretti"]


def test_median_days_per_level_of_a_user_ignores_other_users_and_unfinished_stays(
    owner, organisation, outsider, outsider_organisation
):
    def opportunity_of(user: User, organisation: Organisation) -> Opportunity:
        return create_opportunity(
            opportunity=Opportunity(
                team=user.profile.team,
                owner=user,
                title="Fit-out",
                organisation=organisation,
                currency="EUR",
            ),
            by=user,
            at=at(0),
        )

    first = opportunity_of(owner, organisation)
    move_opportunity(opportunity=first, to_level="in", by=owner, at=at(2), override_reason="x")
    move_opportunity(
        opportunity=first, to_level="best_few", by=owner, at=at(6), override_reason="x"
    )
    second = opportunity_of(owner, organisation)
    move_opportunity(opportunity=second, to_level="in", by=owner, at=at(4), override_reason="x")
    theirs = opportunity_of(outsider, outsider_organisation)
    move_opportunity(opportunity=theirs, to_level="in", by=outsider, at=at(90), override_reason="x")
    assert median_days_per_level_of(owner) == {Level.ABOVE: 3, Level.IN: 4}


# move_opportunity enforces the gates, unless the user overrides them with a reason.


@pytest.fixture
def deal(owner, organisation, person) -> Opportunity:
    """An opportunity above the funnel since a week before NOW, closing in a month."""
    return create_opportunity(
        opportunity=Opportunity(
            team=owner.profile.team,
            owner=owner,
            title="Showroom lighting",
            organisation=organisation,
            main_contact=person,
            currency="EUR",
            expected_close_on=TODAY + timedelta(days=30),
        ),
        by=owner,
        at=NOW - timedelta(days=7),
    )


def test_a_gated_move_without_an_override_is_refused_with_everything_missing(deal, owner):
    with pytest.raises(GateClosed) as refused:
        move_opportunity(opportunity=deal, to_level="best_few", by=owner, at=NOW)
    assert refused.value.messages == [
        "Identify a buying influence, contact them and confirm the fit with them.",
        "Identify the economic buyer, who gives the final approval.",
    ]
    assert codes(refused.value.unmet) == ["fit_unconfirmed", "no_economic_buyer"]
    deal.refresh_from_db()
    assert deal.level == "above"
    assert deal.level_changes.count() == 1


def test_an_override_reason_of_only_spaces_does_not_open_a_gate(deal, owner):
    with pytest.raises(GateClosed):
        move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="  ")


def test_a_gated_move_with_an_override_is_made_and_the_reason_kept_in_the_history(deal, owner):
    change = move_opportunity(
        opportunity=deal,
        to_level="in",
        by=owner,
        at=NOW,
        override_reason=" Referred by their CEO, fit agreed on the phone ",
    )
    deal.refresh_from_db()
    assert deal.level == "in"
    assert deal.level_changes.last() == change
    assert change.override_reason == "Referred by their CEO, fit agreed on the phone"


def test_an_override_when_nothing_is_missing_records_no_override_reason(deal, owner, person):
    BuyingInfluence.objects.create(
        opportunity=deal, person=person, role="economic", status="contacted", fit_confirmed=True
    )
    change = move_opportunity(
        opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="Just in case"
    )
    assert (change.to_level, change.override_reason) == ("in", "")


def test_a_confirmed_fit_opens_the_way_into_the_funnel_without_an_override(deal, owner, person):
    influence = BuyingInfluence.objects.create(
        opportunity=deal, person=person, role="user", status="contacted"
    )
    with pytest.raises(GateClosed, match="Confirm the fit"):
        move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW)
    influence.fit_confirmed = True
    influence.save(update_fields=["fit_confirmed"])
    move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW)
    deal.refresh_from_db()
    assert deal.level == "in"


def test_the_close_date_limit_uses_the_cycle_measured_from_won_deals(
    deal, owner, organisation, person
):
    for days in [20, 20, 20, 30, 40]:
        win(owner, organisation, days=days, won_at=NOW - timedelta(days=30))
    BuyingInfluence.objects.create(
        opportunity=deal, person=person, role="economic", status="satisfied", fit_confirmed=True
    )
    deal.expected_close_on = TODAY + timedelta(days=11)  # half of 20 days is 10
    deal.save(update_fields=["expected_close_on"])
    with pytest.raises(GateClosed) as refused:
        move_opportunity(opportunity=deal, to_level="best_few", by=owner, at=NOW)
    assert codes(refused.value.unmet) == ["close_too_late"]
    deal.expected_close_on = TODAY + timedelta(days=10)
    deal.save(update_fields=["expected_close_on"])
    move_opportunity(opportunity=deal, to_level="best_few", by=owner, at=NOW)


def test_reopening_a_lost_opportunity_into_the_funnel_is_gated(deal, owner):
    move_opportunity(opportunity=deal, to_level="lost", by=owner, at=NOW, reason="No budget")
    with pytest.raises(GateClosed):
        move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW)
    move_opportunity(opportunity=deal, to_level="above", by=owner, at=NOW)
    deal.refresh_from_db()
    assert (deal.level, deal.reason) == ("above", "")


def test_parking_in_nurture_and_moving_back_up_never_need_an_override(deal, owner):
    move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="Known")
    move_opportunity(opportunity=deal, to_level="above", by=owner, at=NOW)
    move_opportunity(opportunity=deal, to_level="nurture", by=owner, at=NOW)
    assert list(deal.level_changes.values_list("to_level", "override_reason")) == [
        ("above", ""),
        ("in", "Known"),
        ("above", ""),
        ("nurture", ""),
    ]


def test_deals_won_after_the_moment_asked_about_do_not_count(owner, organisation):
    for days in [20, 30, 40, 50, 60]:
        win(owner, organisation, days=days, won_at=NOW + timedelta(days=10))
    assert sales_cycle(owner, now=NOW).source == "your setting"


def test_deals_signed_at_first_contact_still_give_a_cycle_of_at_least_a_day():
    assert normal_sales_cycle([0, 0, 0, 0, 0], setting_days=60).days == 1


def test_todays_cycle_follows_a_deal_won_or_reopened_today(owner, organisation):
    now = timezone.now()
    for days in [20, 30, 40, 50]:
        win(owner, organisation, days=days, won_at=now - timedelta(days=5))
    assert sales_cycle(owner).source == "your setting"  # measured, and kept for the day
    fifth = win(owner, organisation, days=100, won_at=now - timedelta(days=1))
    assert sales_cycle(owner).source == "median of 5 won deals"
    move_opportunity(opportunity=fifth, to_level=Level.BEST_FEW, by=owner)
    assert sales_cycle(owner).source == "your setting"
