"""The gates between the funnel's levels (docs/method.md §1): what each move asks for, as
plain rules and as move_opportunity enforces them, unless overridden with a reason."""

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funnel.contacts.models import Organisation, Person
from funnel.sales.actions import GateClosed, create_opportunity, move_opportunity
from funnel.sales.facts import opportunity_facts
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.sales.rules import InfluenceFacts, OpportunityFacts, Prerequisite, check_move
from tests.funnel_rule_helpers import CYCLE, NOW, TODAY, win


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


def test_an_opportunity_with_no_buying_influence_cannot_enter_the_funnel() -> None:
    (unmet,) = check_move(facts(), Level.IN, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "fit_unconfirmed"
    assert unmet.text.startswith("Identify a buying influence, contact them and confirm")


@pytest.mark.parametrize("status", ["contacted", "satisfied"])
def test_a_contacted_influence_who_confirmed_the_fit_opens_the_way_into_the_funnel(
    status: str,
) -> None:
    opportunity = facts(influences=[influence(role="coach", status=status)])
    assert check(opportunity, Level.IN) == []


def test_a_contacted_influence_without_the_fit_confirmed_does_not_open_the_way_in() -> None:
    opportunity = facts(influences=[influence(status="contacted", fit_confirmed=False)])
    (unmet,) = check_move(opportunity, Level.IN, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "fit_unconfirmed"
    assert unmet.text == "Confirm the fit with at least one buying influence you have contacted."


def test_an_influence_never_contacted_does_not_open_the_way_in_even_with_the_fit_confirmed() -> (
    None
):
    opportunity = facts(influences=[influence(status="unknown", fit_confirmed=True)])
    assert check(opportunity, Level.IN) == ["fit_unconfirmed"]


def test_one_confirmed_influence_is_enough_to_enter_the_funnel_whatever_the_others_say() -> None:
    opportunity = facts(
        influences=[
            influence("Giulia Ferretti", status="unknown", fit_confirmed=False),
            influence("Marco Ferretti", role="technical", status="contacted"),
        ]
    )
    assert check(opportunity, Level.IN) == []


# Into Best few: economic buyer identified, every influence satisfied, closing within half a cycle.


def test_an_opportunity_with_everything_in_place_moves_into_best_few() -> None:
    assert check(facts(Level.IN, influences=READY_FOR_BEST_FEW), Level.BEST_FEW) == []


def test_best_few_needs_an_economic_buyer() -> None:
    opportunity = facts(Level.IN, influences=[influence(role="user")])
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "no_economic_buyer"
    assert unmet.text == "Identify the economic buyer, who gives the final approval."


def test_best_few_names_every_buying_influence_not_satisfied_yet() -> None:
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


def test_best_few_needs_an_expected_close_date() -> None:
    opportunity = facts(Level.IN, close=None, influences=READY_FOR_BEST_FEW)
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert (unmet.code, unmet.text) == ("no_close_date", "Set an expected close date.")


def test_a_close_date_exactly_half_the_normal_cycle_away_is_allowed_into_best_few() -> None:
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=45), influences=READY_FOR_BEST_FEW)
    assert check(opportunity, Level.BEST_FEW) == []


def test_a_close_date_one_day_beyond_half_the_normal_cycle_keeps_it_out_of_best_few() -> None:
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=46), influences=READY_FOR_BEST_FEW)
    (unmet,) = check_move(opportunity, Level.BEST_FEW, today=TODAY, cycle_days=CYCLE)
    assert unmet.code == "close_too_late"
    assert unmet.text == (
        "It should close within half your normal sales cycle, by 04/17/2025; "
        "the expected close is 04/18/2025."
    )


def test_half_an_odd_sales_cycle_is_counted_in_whole_days_rounded_down() -> None:
    def close_in(days: int) -> OpportunityFacts:
        return facts(Level.IN, close=TODAY + timedelta(days=days), influences=READY_FOR_BEST_FEW)

    assert check(close_in(45), Level.BEST_FEW, cycle_days=91) == []
    assert check(close_in(46), Level.BEST_FEW, cycle_days=91) == ["close_too_late"]


def test_the_limit_for_the_close_date_follows_the_normal_sales_cycle() -> None:
    opportunity = facts(Level.IN, close=TODAY + timedelta(days=20), influences=READY_FOR_BEST_FEW)
    assert check(opportunity, Level.BEST_FEW, cycle_days=40) == []
    assert check(opportunity, Level.BEST_FEW, cycle_days=38) == ["close_too_late"]


# Skipping levels checks every level passed.


def test_skipping_from_above_straight_to_best_few_checks_both_gates() -> None:
    assert check(facts(close=None), Level.BEST_FEW) == [
        "fit_unconfirmed",
        "no_economic_buyer",
        "no_close_date",
    ]


def test_skipping_from_above_straight_to_won_checks_both_gates_but_not_the_timing() -> None:
    far_away = TODAY + timedelta(days=400)
    assert check(facts(close=far_away), Level.WON) == ["fit_unconfirmed", "no_economic_buyer"]
    assert check(facts(close=None, influences=READY_FOR_BEST_FEW), Level.WON) == []


def test_winning_from_in_the_funnel_does_not_ask_for_the_fit_again() -> None:
    opportunity = facts(Level.IN, influences=[influence(fit_confirmed=False)])
    assert check(opportunity, Level.WON) == []


def test_winning_from_best_few_has_no_gate() -> None:
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
def test_moving_back_toward_above_the_funnel_is_always_allowed(
    from_level: Level, to_level: Level
) -> None:
    assert check(facts(from_level, close=None), to_level) == []


@pytest.mark.parametrize("to_level", [Level.LOST, Level.DEAD, Level.NURTURE])
@pytest.mark.parametrize("from_level", [Level.ABOVE, Level.IN, Level.BEST_FEW])
def test_closing_as_lost_or_dead_and_parking_in_nurture_are_always_allowed(
    from_level: Level, to_level: Level
) -> None:
    assert check(facts(from_level, close=None), to_level) == []


@pytest.mark.parametrize("from_level", [Level.NURTURE, Level.LOST, Level.DEAD])
def test_reopening_into_the_funnel_from_off_the_funnel_is_gated(from_level: Level) -> None:
    assert check(facts(from_level), Level.IN) == ["fit_unconfirmed"]
    assert check(facts(from_level, close=None), Level.BEST_FEW) == [
        "fit_unconfirmed",
        "no_economic_buyer",
        "no_close_date",
    ]


# The same rules on the user's own records.


def test_the_gates_read_the_opportunitys_buying_influences(
    opportunity: Opportunity, person: Person
) -> None:
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


def test_a_second_economic_buyer_is_refused_so_the_gate_sees_only_one(
    opportunity: Opportunity, person: Person
) -> None:
    colleague = Person.objects.create(team=person.team, name="Marco Ferretti")
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role="economic")
    second = BuyingInfluence(opportunity=opportunity, person=colleague, role="economic")
    with pytest.raises(ValidationError, match="already has an economic buyer"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    economic = [i for i in opportunity_facts(opportunity).influences if i.role == "economic"]
    assert [i.name for i in economic] == ["Giulia Ferretti"]


# move_opportunity enforces the gates, unless the user overrides them with a reason.


@pytest.fixture
def deal(owner: User, organisation: Organisation, person: Person) -> Opportunity:
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


def test_a_gated_move_without_an_override_is_refused_with_everything_missing(
    deal: Opportunity, owner: User
) -> None:
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


def test_an_override_reason_of_only_spaces_does_not_open_a_gate(
    deal: Opportunity, owner: User
) -> None:
    with pytest.raises(GateClosed):
        move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="  ")


def test_a_gated_move_with_an_override_is_made_and_the_reason_kept_in_the_history(
    deal: Opportunity, owner: User
) -> None:
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


def test_an_override_when_nothing_is_missing_records_no_override_reason(
    deal: Opportunity, owner: User, person: Person
) -> None:
    BuyingInfluence.objects.create(
        opportunity=deal, person=person, role="economic", status="contacted", fit_confirmed=True
    )
    change = move_opportunity(
        opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="Just in case"
    )
    assert (change.to_level, change.override_reason) == ("in", "")


def test_a_confirmed_fit_opens_the_way_into_the_funnel_without_an_override(
    deal: Opportunity, owner: User, person: Person
) -> None:
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
    deal: Opportunity, owner: User, organisation: Organisation, person: Person
) -> None:
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


def test_reopening_a_lost_opportunity_into_the_funnel_is_gated(
    deal: Opportunity, owner: User
) -> None:
    move_opportunity(opportunity=deal, to_level="lost", by=owner, at=NOW, reason="No budget")
    with pytest.raises(GateClosed):
        move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW)
    move_opportunity(opportunity=deal, to_level="above", by=owner, at=NOW)
    deal.refresh_from_db()
    assert (deal.level, deal.reason) == ("above", "")


def test_parking_in_nurture_and_moving_back_up_never_need_an_override(
    deal: Opportunity, owner: User
) -> None:
    move_opportunity(opportunity=deal, to_level="in", by=owner, at=NOW, override_reason="Known")
    move_opportunity(opportunity=deal, to_level="above", by=owner, at=NOW)
    move_opportunity(opportunity=deal, to_level="nurture", by=owner, at=NOW)
    assert list(deal.level_changes.values_list("to_level", "override_reason")) == [
        ("above", ""),
        ("in", "Known"),
        ("above", ""),
        ("nurture", ""),
    ]
