"""Follow-up writes: scheduling, logging outcomes, stop rules, nurture and after the sale."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User

from funnel.contacts.models import Organisation
from funnel.followup import actions
from funnel.followup.models import FollowUp, Kind, PostSaleStep, Status
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, BuyingInfluence, Level, Opportunity
from tests.helpers import present

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # Monday 10:00 in Rome


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rome(owner: User) -> User:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return owner


def follow_up(
    opportunity: Opportunity,
    due_at: dt.datetime | None,
    purpose: str = "Call about the offer",
    **fields: object,
) -> FollowUp:
    return actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team,
            opportunity=opportunity,
            person=opportunity.main_contact,
            assigned_to=opportunity.owner,
            due_at=due_at,
            purpose=purpose,
            **fields,
        )
    )


def log(
    opportunity: Opportunity,
    outcome: str,
    *,
    at: dt.datetime = NOW,
    kind: str = Activity.Kind.CALL,
    notes: str = "",
    follow_up: FollowUp | None = None,
    next_follow_up: FollowUp | None = None,
) -> Activity:
    activity = Activity(
        team=opportunity.team,
        opportunity=opportunity,
        person=opportunity.main_contact,
        kind=kind,
        occurred=at,
        outcome=outcome,
        notes=notes,
    )
    return actions.log_activity(
        activity=activity,
        by=opportunity.owner,
        follow_up=follow_up,
        next_follow_up=next_follow_up,
    )


def test_the_opportunitys_next_step_is_its_next_planned_follow_up(opportunity: Opportunity) -> None:
    later = follow_up(opportunity, NOW + dt.timedelta(days=9), "Send the case study")
    sooner = follow_up(opportunity, NOW + dt.timedelta(days=2), "Call Giulia")
    opportunity.refresh_from_db()
    assert (opportunity.next_step, opportunity.next_step_at) == ("Call Giulia", sooner.due_at)
    actions.cancel(follow_up=sooner)
    opportunity.refresh_from_db()
    assert (opportunity.next_step, opportunity.next_step_at) == (
        "Send the case study",
        later.due_at,
    )
    actions.cancel(follow_up=later)
    opportunity.refresh_from_db()
    assert (opportunity.next_step, opportunity.next_step_at) == ("", None)


def test_a_changed_follow_up_is_a_newer_version_for_calendars(opportunity: Opportunity) -> None:
    planned = follow_up(opportunity, NOW + dt.timedelta(days=2))
    assert planned.sequence == 0
    planned.due_at = present(planned.due_at) + dt.timedelta(hours=2)
    actions.schedule(follow_up=planned)
    actions.cancel(follow_up=planned)
    planned.refresh_from_db()
    assert (planned.sequence, planned.status) == (2, Status.CANCELLED)


def test_the_plan_proposes_the_next_follow_up_from_the_users_default(
    rome: User, opportunity: Opportunity
) -> None:
    proposed = actions.proposed_follow_up(opportunity)
    assert proposed.due_at == dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # 10:00 in Rome
    assert (proposed.channel, proposed.person) == ("phone", opportunity.main_contact)


def test_an_agreed_plan_sets_interval_and_channel(rome: User, opportunity: Opportunity) -> None:
    opportunity.follow_up_every_days, opportunity.follow_up_channel = 14, "email"
    opportunity.follow_up_agreed = True
    proposed = actions.proposed_follow_up(opportunity)
    assert proposed.channel == "email"
    assert proposed.due_at == dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)


def test_logging_an_outcome_carries_out_the_follow_up_due_and_plans_the_next_in_one_step(
    opportunity: Opportunity,
) -> None:
    due = follow_up(opportunity, NOW - dt.timedelta(hours=1))
    following = actions.proposed_follow_up(opportunity)
    activity = log(opportunity, Activity.Outcome.REACHED, next_follow_up=following)
    due.refresh_from_db()
    opportunity.refresh_from_db()
    assert (due.status, due.outcome, due.activity) == (Status.DONE, "reached", activity)
    assert opportunity.next_step_at == following.due_at


def test_after_no_answer_the_next_attempt_is_planned_by_the_plan_even_if_none_was_asked(
    opportunity: Opportunity,
) -> None:
    due = follow_up(opportunity, NOW - dt.timedelta(hours=1), value_to_bring="The new catalogue")
    log(opportunity, Activity.Outcome.NO_ANSWER)
    (attempt,) = opportunity.follow_ups.planned()
    assert attempt.pk != due.pk
    assert attempt.due_at == NOW + dt.timedelta(days=7)
    assert (attempt.purpose, attempt.value_to_bring) == (due.purpose, "The new catalogue")
    opportunity.refresh_from_db()
    assert opportunity.attempts_without_answer == 1


def test_six_attempts_without_answer_propose_closing_and_an_answer_starts_again(
    opportunity: Opportunity, organisation: Organisation
) -> None:
    organisation.fit_score = 20
    organisation.save()
    for day in range(6, 0, -1):
        log(opportunity, Activity.Outcome.NO_ANSWER, at=NOW - dt.timedelta(days=day))
    opportunity.refresh_from_db()
    proposal = actions.stop_proposal_for(opportunity)
    assert proposal is not None
    assert (proposal.to_level, opportunity.attempts_without_answer) == (Level.DEAD, 6)
    assert actions.stop_candidates(opportunity.owner, now=NOW, limit=5) == [opportunity]

    log(opportunity, Activity.Outcome.REPLIED)
    opportunity.refresh_from_db()
    assert opportunity.attempts_without_answer == 0
    assert actions.stop_proposal_for(opportunity) is None


def test_applying_a_stop_rule_moves_with_the_rule_as_reason_and_can_be_undone(
    opportunity: Opportunity,
) -> None:
    opportunity.attempts_without_answer = 6
    opportunity.save()
    change = actions.apply_stop_rule(opportunity=opportunity, by=opportunity.owner)
    assert change is not None
    assert change.reason == "Stop rule: 6 attempts in a row without an answer."
    opportunity.refresh_from_db()
    assert opportunity.level == Level.DEAD
    move_opportunity(opportunity=opportunity, to_level=Level.ABOVE, by=opportunity.owner)
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.attempts_without_answer) == (Level.ABOVE, 0)


def test_automatic_stop_rules_close_as_the_sixth_attempt_is_logged(
    opportunity: Opportunity,
) -> None:
    opportunity.owner.profile.stop_automatically = True
    opportunity.owner.profile.save()
    for day in range(6, 0, -1):
        log(opportunity, Activity.Outcome.NO_ANSWER, at=NOW - dt.timedelta(days=day))
    opportunity.refresh_from_db()
    assert opportunity.level == Level.DEAD
    assert not opportunity.follow_ups.planned().exists()


def test_days_without_progress_follow_the_users_setting(opportunity: Opportunity) -> None:
    opportunity.owner.profile.stop_after_days = 30
    opportunity.owner.profile.save()
    opportunity.progress_at = NOW - dt.timedelta(days=31)
    opportunity.save()
    assert actions.stop_candidates(opportunity.owner, now=NOW, limit=5) == [opportunity]
    opportunity.stop_after_days = 60  # this one may take longer
    opportunity.save()
    assert actions.stop_candidates(opportunity.owner, now=NOW, limit=5) == []


def test_a_request_from_the_customer_gets_an_answer_by_time(opportunity: Opportunity) -> None:
    log(opportunity, "", kind=Activity.Kind.REQUEST, notes="A quote for 40 chairs\nby Friday")
    (answer,) = opportunity.follow_ups.planned()
    assert answer.kind == Kind.REQUEST
    assert answer.due_at == NOW + dt.timedelta(hours=24)
    assert answer.purpose == "Answer: A quote for 40 chairs"


def test_nurture_gets_a_touch_a_quarter_later_and_each_touch_plans_the_next(
    opportunity: Opportunity,
) -> None:
    follow_up(opportunity, NOW + dt.timedelta(days=1))
    move_opportunity(
        opportunity=opportunity, to_level=Level.NURTURE, by=opportunity.owner, reason="Not now"
    )
    (touch,) = opportunity.follow_ups.planned()
    assert touch.kind == Kind.NURTURE
    touch_at = present(touch.due_at)
    assert touch_at.date() == dt.date(2027, 3, 1)  # 90 days on, a Monday
    with time_machine.travel(touch_at, tick=False):
        log(opportunity, Activity.Outcome.REPLIED, at=touch_at, kind=Activity.Kind.EMAIL)
    (following,) = opportunity.follow_ups.planned()
    assert following.kind == Kind.NURTURE
    assert present(following.due_at).date() == dt.date(2027, 5, 31)


def test_returning_from_nurture_drops_the_touches(opportunity: Opportunity) -> None:
    move_opportunity(
        opportunity=opportunity, to_level=Level.NURTURE, by=opportunity.owner, reason="Not now"
    )
    move_opportunity(opportunity=opportunity, to_level=Level.ABOVE, by=opportunity.owner)
    assert not opportunity.follow_ups.planned().exists()
    assert opportunity.follow_ups.filter(kind=Kind.NURTURE, status=Status.CANCELLED).exists()


def win(opportunity: Opportunity) -> None:
    person = present(opportunity.main_contact)
    BuyingInfluence.objects.create(
        opportunity=opportunity,
        person=person,
        role="economic",
        status="satisfied",
        fit_confirmed=True,
    )
    move_opportunity(
        opportunity=opportunity, to_level=Level.WON, by=opportunity.owner, override_reason="Test"
    )


def test_a_won_deal_gets_the_post_sale_steps_and_its_selling_follow_ups_end(
    rome: User, opportunity: Opportunity
) -> None:
    selling = follow_up(opportunity, NOW + dt.timedelta(days=1))
    win(opportunity)
    selling.refresh_from_db()
    assert selling.status == Status.CANCELLED
    steps = list(opportunity.follow_ups.planned().filter(kind=Kind.POST_SALE).order_by("pk"))
    assert [s.purpose for s in steps] == [
        "Send a handwritten thank-you card",
        "Send a thank-you card for the delivery",
        "Call to hear how it went and confirm their choice",
    ]
    assert [s.due_at for s in steps] == [NOW, None, None]


def test_the_delivery_date_places_the_steps_counted_from_it(
    rome: User, opportunity: Opportunity
) -> None:
    win(opportunity)
    actions.set_delivery_date(opportunity=opportunity, delivery_on=dt.date(2027, 1, 15))
    dues = [
        f.due_at
        for f in opportunity.follow_ups.filter(
            kind=Kind.POST_SALE, after_delivery_days__isnull=False
        ).order_by("pk")
    ]
    assert dues == [
        dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC),  # 10:00 in Rome
        dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC),
    ]


def test_each_user_gets_the_default_post_sale_sequence_to_edit(owner: User) -> None:
    assert list(PostSaleStep.objects.filter(owner=owner).values_list("anchor", "days_after")) == [
        ("won", 0),
        ("delivery", 0),
        ("delivery", 3),
    ]
