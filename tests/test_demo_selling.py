"""`funnel demo`: the year of selling tells the method's story: gates passed or overridden,
follow-ups, stop rules, nurture, after the sale, Today, prospecting, quotes and goals."""

import dataclasses
import datetime as dt
import statistics
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from funnel.accounts.models import Membership
from funnel.contacts.models import Organisation
from funnel.fit.models import Rating
from funnel.followup import actions
from funnel.followup.models import FollowUp, Kind, Status
from funnel.goals.facts import goal_cards, goals_for_today
from funnel.goals.models import Goal, Metric, Period
from funnel.prospecting import facts, rules
from funnel.prospecting.models import Block
from funnel.quotes.models import Quote
from funnel.sales.facts import opportunity_facts, sales_cycle
from funnel.sales.models import Activity, Level, LevelChange, Opportunity
from funnel.sales.rules import FUNNEL_RANK, OFF_FUNNEL, check_move, drift_warnings
from tests import demo_helpers
from tests.demo_helpers import FAST_HASHERS, PASSWORD, ROME, USERNAME, Built, a_deal
from tests.helpers import present

# Fixtures shared with the other demo tests (in demo_helpers.py).
demo = demo_helpers.demo


@pytest.mark.django_db
def test_a_few_moves_down_the_funnel_were_pushed_through_with_a_reason(demo: Built) -> None:
    overrides = LevelChange.objects.exclude(override_reason="")
    assert 2 <= overrides.count() <= 4
    rank = {level.value: value for level, value in FUNNEL_RANK.items()}
    for change in overrides:
        assert rank[change.to_level] > rank.get(change.from_level, OFF_FUNNEL)


@pytest.mark.django_db
def test_open_deals_in_the_funnel_passed_its_gates_or_say_why_not(demo: Built) -> None:
    """Who she knows today qualifies them, or the history holds her override reason."""
    overridden = set(
        LevelChange.objects.exclude(override_reason="").values_list("opportunity", flat=True)
    )
    deals = Opportunity.objects.filter(level__in=[Level.IN, Level.BEST_FEW])
    assert deals.count() >= 10
    for deal in deals:
        facts = dataclasses.replace(opportunity_facts(deal), level=Level.ABOVE)
        # The timing rule judged the close date she expected then, which may have moved since.
        moved_on = deal.level_changed.astimezone(ROME).date()
        unmet = check_move(facts, deal.level, today=moved_on, cycle_days=9999)
        assert not unmet or deal.pk in overridden, deal


@pytest.mark.django_db
def test_organisations_are_scored_against_her_ideal_customer(demo: Built) -> None:
    team = a_deal().team
    scores = list(Organisation.objects.values_list("fit_score", "fit_known"))
    poor = [score for score, _ in scores if score is not None and score < team.poor_fit_below]
    good = [score for score, _ in scores if score is not None and score >= 60]
    not_rated = [known for _, known in scores if known < 100]
    assert 3 <= len(poor) <= 10
    assert len(good) >= len(scores) / 2
    assert len(scores) / 5 <= len(not_rated) <= len(scores) / 2
    rated = Rating.objects.values("organisation").distinct().count()
    assert len(scores) / 2 <= rated <= len(scores) * 3 / 4


def next_planned(opportunity: Opportunity) -> FollowUp | None:
    return opportunity.follow_ups.planned().exclude(due_at=None).order_by("due_at", "pk").first()


@pytest.mark.django_db
def test_every_open_deal_has_its_next_follow_up_as_next_step_some_of_them_missed(
    demo: Built,
) -> None:
    now, today = timezone.now(), timezone.localdate(timezone=ROME)
    due = []
    for deal in Opportunity.objects.open():
        follow_up = next_planned(deal)
        assert follow_up is not None, deal
        assert (deal.next_step, deal.next_step_at) == (follow_up.purpose, follow_up.due_at)
        due.append(present(follow_up.due_at).astimezone(ROME))
    assert all(9 <= moment.hour < 18 for moment in due)
    # Missed yesterday or the working day before, still planned: Today offers to recover.
    missed = [moment for moment in due if today - dt.timedelta(days=4) <= moment.date() < today]
    assert 2 <= len(missed) <= 5
    assert any(moment.date() == today for moment in due)
    assert len([moment for moment in due if moment > now]) > len(due) / 2
    lost_or_dead = Opportunity.objects.filter(level__in=[Level.LOST, Level.DEAD])
    assert not lost_or_dead.exclude(next_step="").exists()


@pytest.mark.django_db
def test_planned_follow_ups_say_why_how_long_and_often_what_new_they_bring(demo: Built) -> None:
    planned = FollowUp.objects.planned().filter(kind=Kind.FOLLOW_UP)
    assert not planned.filter(purpose="").exists()
    assert set(planned.values_list("channel", flat=True)) >= {"phone", "email", "meeting"}
    assert set(planned.values_list("minutes", flat=True)) >= {10, 15, 60}
    assert planned.exclude(value_to_bring="").count() >= 5
    won = Organisation.objects.filter(opportunities__level=Level.WON)
    case_studies = FollowUp.objects.filter(value_to_bring__startswith="Share the case study from ")
    assert case_studies.exists()
    for follow_up in case_studies:
        assert won.filter(name=follow_up.value_to_bring.removeprefix("Share the case study from "))


@pytest.mark.django_db
def test_past_contacts_carried_out_the_follow_ups_before_them(demo: Built) -> None:
    done = FollowUp.objects.filter(status=Status.DONE).select_related("activity")
    assert done.count() >= 300
    for follow_up in done:
        activity = follow_up.activity
        assert activity is not None, follow_up
        assert activity.opportunity_id == follow_up.opportunity_id
        assert activity.outcome == follow_up.outcome
        assert follow_up.created <= follow_up.updated == activity.occurred
        if follow_up.kind != Kind.REQUEST:  # kept on the day, or later; an answer comes sooner
            assert follow_up.due_at is not None
            assert follow_up.due_at.date() <= activity.occurred.date()
    planned = FollowUp.objects.planned()
    assert all(f.created == f.updated <= timezone.now() for f in planned)
    outcomes = set(done.filter(kind=Kind.FOLLOW_UP).values_list("outcome", flat=True))
    assert outcomes >= set(Activity.Outcome.values)
    # Each open deal's last contact carried out a follow-up, unless it was the first contact
    # or came from the customer.
    for deal in Opportunity.objects.open():
        activities = list(deal.activities.order_by("occurred"))
        carried = FollowUp.objects.filter(activity=activities[-1]).exists()
        assert carried or len(activities) == 1 or activities[-1].kind in ("note", "request")


@pytest.mark.django_db
def test_stop_rules_fire_on_the_silent_prospects_and_the_idle_deal(demo: Built) -> None:
    proposals = {deal: actions.stop_proposal_for(deal) for deal in Opportunity.objects.open()}
    firing = {deal: proposal for deal, proposal in proposals.items() if proposal}
    rules = [proposal.rule for proposal in firing.values()]
    assert 1 <= rules.count("attempts") <= 2
    assert rules.count("days") >= 1
    assert len(firing) <= 5  # a nudge, not a wall of proposals
    for deal, proposal in firing.items():
        assert proposal.to_level in (Level.DEAD, Level.NURTURE)
        if proposal.rule == "attempts":
            outcomes = deal.activities.order_by("-occurred").values_list("outcome", flat=True)
            assert list(outcomes[:6]) == [Activity.Outcome.NO_ANSWER] * 6
            attempt = next_planned(deal)
            assert attempt is not None and attempt.due_at is not None
            assert attempt.due_at > timezone.now()  # the next attempt is planned
    user = a_deal().owner
    candidates = actions.stop_candidates(user, now=timezone.now(), limit=10)
    assert set(candidates) == set(firing)
    idle = next(deal for deal, proposal in firing.items() if proposal.rule == "days")
    assert idle.level == Level.IN
    assert (timezone.now() - idle.progress_at).days > 2 * sales_cycle(user).days


@pytest.mark.django_db
def test_a_request_was_answered_within_hours_and_another_waits_too_long(demo: Built) -> None:
    requests = Activity.objects.filter(kind=Activity.Kind.REQUEST)
    assert requests.count() == 2
    answers = FollowUp.objects.filter(kind=Kind.REQUEST)
    answered = answers.get(status=Status.DONE)
    assert present(answered.activity).occurred < present(answered.due_at)
    late = answers.get(status=Status.PLANNED)
    assert present(late.due_at) < timezone.now()
    received = requests.get(opportunity=late.opportunity)
    assert timezone.now() - received.occurred > dt.timedelta(hours=24)
    assert late.purpose == f"Answer: {received.notes}"
    assert late.opportunity.next_step == late.purpose


@pytest.mark.django_db
def test_some_customers_agreed_how_often_and_how_to_hear_from_her(demo: Built) -> None:
    agreed = Opportunity.objects.open().filter(follow_up_agreed=True)
    assert 2 <= agreed.count() <= 6
    for deal in agreed:
        assert deal.follow_up_every_days in (14, 30)
        assert deal.follow_up_channel in ("email", "meeting")
        follow_up = next_planned(deal)
        assert follow_up is not None and follow_up.due_at is not None
        assert follow_up.channel == deal.follow_up_channel
        last_activity = deal.activities.order_by("-occurred").first()
        assert last_activity is not None
        last = last_activity.occurred
        assert (follow_up.due_at.date() - last.date()).days >= deal.follow_up_every_days


@pytest.mark.django_db
def test_nurtured_prospects_get_a_touch_a_quarter_one_due_this_week(demo: Built) -> None:
    nurtured = Opportunity.objects.filter(level=Level.NURTURE)
    touches = FollowUp.objects.filter(kind=Kind.NURTURE)
    for deal in nurtured:
        assert touches.planned().filter(opportunity=deal).count() == 1
    assert touches.filter(status=Status.DONE).exists()
    week = timezone.now() + dt.timedelta(days=7)
    assert touches.planned().filter(due_at__lte=week).exists()


@pytest.mark.django_db
def test_recent_wins_have_their_post_sale_steps_one_waiting_for_delivery(demo: Built) -> None:
    since = timezone.now() - dt.timedelta(days=45)
    recent = Opportunity.objects.filter(level=Level.WON, level_changed__gte=since)
    assert recent.count() >= 3
    for deal in recent:
        steps = list(deal.follow_ups.filter(kind=Kind.POST_SALE).order_by("pk"))
        assert len(steps) == 3
        if deal.level_changed < timezone.now() - dt.timedelta(days=7):
            assert steps[0].status == Status.DONE  # the thank-you card, the morning after
    waiting = recent.filter(delivery_on=None)
    assert waiting.count() == 1
    assert waiting.get().follow_ups.planned().filter(due_at=None).count() == 2
    assert recent.exclude(delivery_on=None).exists()
    older = Opportunity.objects.filter(
        level=Level.WON, level_changed__lt=since - dt.timedelta(days=120)
    )
    assert not FollowUp.objects.planned().filter(opportunity__in=older).exists()


@pytest.mark.django_db
def test_her_junior_colleague_takes_the_smallest_prospects_follow_ups(
    demo: Built, client: Client, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    user = a_deal().owner
    luca = Membership.objects.get(team=user.profile.team, role=Membership.Role.MEMBER).user
    assert luca.username == "luca"
    assert client.login(request=HttpRequest(), username="luca", password=PASSWORD)
    delegated = FollowUp.objects.planned().filter(assigned_to=luca)
    deals = {follow_up.opportunity for follow_up in delegated}
    assert 1 <= len(deals) <= 2
    values = sorted(Opportunity.objects.open().values_list("value", flat=True))
    assert all(deal.value <= statistics.median(values) for deal in deals)
    assert delegated.filter(due_at__lt=timezone.now() + dt.timedelta(days=1)).exists()


@pytest.mark.django_db
def test_best_few_mostly_close_within_half_a_cycle_with_one_or_two_drifting(demo: Built) -> None:
    user = a_deal().owner
    cycle, today = sales_cycle(user).days, timezone.localdate(timezone=ROME)
    best_few = list(Opportunity.objects.filter(level=Level.BEST_FEW))
    drifting = [
        deal
        for deal in best_few
        if drift_warnings(
            deal.level,
            since=deal.level_changed.astimezone(ROME).date(),
            expected_close_on=deal.expected_close_on,
            today=today,
            cycle_days=cycle,
        )
    ]
    assert 1 <= len(drifting) <= 2
    half_a_cycle = today + dt.timedelta(cycle / 2)
    soon = [deal for deal in best_few if present(deal.expected_close_on) <= half_a_cycle]
    assert len(soon) >= len(best_few) - 1


def demo_user() -> User:
    return User.objects.get(username=USERNAME)


@pytest.mark.django_db
def test_today_shows_her_prospecting_block_or_the_weeks_honoured_rate(
    demo: Built, client: Client, settings: Settings
) -> None:
    """A block on Mondays and Thursdays: whatever the weekday, Today has something to show."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    assert client.login(request=HttpRequest(), username=USERNAME, password=PASSWORD)
    response = client.get(reverse("today"))
    assert response.status_code == 200
    blocks = response.context["prospecting"]
    assert blocks.today or blocks.week_rate.counted
    page = response.content.decode()
    assert 'id="prospecting-blocks"' in page
    assert "Prospecting: calls to new prospects" in page or "% honoured this week" in page


@pytest.mark.django_db
def test_her_past_blocks_are_mostly_honoured_and_the_last_one_waits_to_be_marked(
    demo: Built,
) -> None:
    user = demo_user()
    (block,) = Block.objects.filter(owner=user)
    zone = ROME
    today = timezone.localdate(timezone=zone)
    assert block.starts_on == today - dt.timedelta(days=today.weekday(), weeks=8)
    assert (block.start_time, block.minutes) == (dt.time(9), 120)
    midnight = dt.datetime.combine(today, dt.time(), zone)
    start = dt.datetime.combine(block.starts_on, dt.time(), zone)
    planned = facts.load(user, since=start).planned_in(start, midnight)
    past = [o for o in planned if o.end <= midnight]
    assert len(past) >= 16
    *marked, last = past
    assert last.mark is None  # the last one ended, not marked yet: Today asks how it went
    outcomes = [present(o.mark).outcome for o in marked]
    assert outcomes.count("partly") == outcomes.count("missed") == outcomes.count("moved") == 1
    assert outcomes.count("honoured") == len(marked) - 3
    (moved,) = [o for o in marked if o.moved]
    assert rules.same_iso_week(moved.slot[0], moved.start, zone)
    assert moved.outcome == "honoured" and moved.slot[1] <= midnight
    rate = rules.honoured_rate(marked, midnight)
    assert 80 <= present(rate.percent) < 100


@pytest.mark.django_db
def test_a_quote_expires_within_a_week_another_has_expired(demo: Built) -> None:
    today = timezone.localdate(timezone=ROME)
    quotes = Quote.objects.select_related("opportunity")
    (soon,) = quotes.expiring_soon(today)
    assert (soon.sent_on, soon.valid_until) == (
        today - dt.timedelta(days=25),
        today + dt.timedelta(days=5),
    )
    (expired,) = quotes.expired(today)
    assert expired.sent_on == today - dt.timedelta(days=40)
    assert expired.standing(today).is_expired
    for quote in (soon, expired):
        assert quote.opportunity.level in (Level.IN, Level.BEST_FEW)
        assert (quote.amount, quote.currency) == (
            quote.opportunity.value,
            quote.opportunity.currency,
        )
    assert len(quotes.needing_attention(today)) == 2  # what Today lists to chase


@pytest.mark.django_db
def test_a_quote_was_reissued_and_a_won_deal_signed_its_quote(demo: Built) -> None:
    today = timezone.localdate(timezone=ROME)
    (old,) = Quote.objects.filter(status=Quote.Status.SUPERSEDED)
    new = present(old.superseded_by)
    assert new.opportunity == old.opportunity and new.status == Quote.Status.SENT
    # Re-issued once it had expired.
    assert present(old.valid_until) < present(new.sent_on) < today
    assert not new.standing(today).is_expired
    (accepted,) = Quote.objects.filter(status=Quote.Status.ACCEPTED)
    assert accepted.opportunity.level == Level.WON
    signed_on = accepted.opportunity.level_changed.date()
    assert present(accepted.sent_on) <= signed_on <= present(accepted.valid_until)
    numbers = list(Quote.objects.order_by("sent_on").values_list("number", flat=True))
    assert len(set(numbers)) == 5
    assert all(number.startswith("Q-") for number in numbers)


@pytest.mark.django_db
def test_her_two_goals_show_their_progress_and_rewards(demo: Built) -> None:
    user = demo_user()
    today = timezone.localdate(timezone=ROME)
    goals = sorted(Goal.objects.of(user), key=Goal.sort_key)
    cards = {c.goal.metric: c for c in goal_cards(user, goals, today, with_history=True)}
    prospects, won = cards[Metric.PROSPECTS], cards[Metric.VALUE_WON]
    assert (prospects.goal.period, prospects.goal.target) == (Period.WEEK, Decimal(3))
    assert prospects.goal.reward == "A long lunch on Friday"
    assert len(prospects.history) == 8
    assert sum(r.progress.value for r in prospects.history) > 0
    assert (won.goal.period, won.goal.reward) == (Period.QUARTER, "A weekend away")
    assert len(won.history) == 1
    if won.current.progress.value:  # none yet in a quarter's first days
        assert 60 <= won.current.progress.percent <= 80
    today_cards = goals_for_today(user, timezone.now()).cards
    assert {c.goal.metric for c in today_cards} == {Metric.PROSPECTS, Metric.VALUE_WON}
