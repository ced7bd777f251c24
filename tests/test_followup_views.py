"""Follow-up as a user meets it: the opportunity's page, Today, the nurture list."""

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership
from funnel.cli import main
from funnel.contacts.models import Organisation, Person
from funnel.followup import actions
from funnel.followup.models import FollowUp, Kind, Status
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity
from tests.conftest import PASSWORD

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # Monday


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def teammate(owner: User) -> User:
    luca = create_user(username="luca", password=PASSWORD, first_name="Luca", last_name="Bianchi")
    Membership.objects.create(team=owner.profile.team, user=luca)
    return luca


def plan(
    opportunity: Opportunity,
    due_at: dt.datetime | None,
    purpose: str = "Call about the offer",
    **fields: object,
) -> FollowUp:
    fields.setdefault("person", opportunity.main_contact)
    fields.setdefault("assigned_to", opportunity.owner)
    return actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team, opportunity=opportunity, due_at=due_at, purpose=purpose, **fields
        )
    )


def page(client: Client, opportunity: Opportunity, query: str = "") -> str:
    return client.get(opportunity.get_absolute_url() + query).text


def follow_up_data(
    when: str = "2026-12-07T10:00", purpose: str = "Send the case study", **extra: str
) -> dict[str, str]:
    data = {
        "next-due_at": when,
        "next-minutes": "30",
        "next-channel": "email",
        "next-purpose": purpose,
        "next-value_to_bring": "The case study from Bologna",
    }
    data.update(extra)
    return data


# Planning on the opportunity's page


def test_an_open_opportunity_without_a_follow_up_is_flagged_and_offers_the_plans_proposal(
    owner_client: Client, opportunity: Opportunity
) -> None:
    text = page(owner_client, opportunity)
    assert "No follow-up planned: an open opportunity always needs one." in text
    assert 'value="2026-12-07T09:00"' in text  # a week on, at this time, by the default plan
    assert "Plan: every 7 days, your default." in text


def test_a_follow_up_is_planned_like_an_appointment(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    url = reverse("opportunity_next_step", args=[opportunity.pk])
    data = follow_up_data(**{"next-person": str(person.pk)})
    response = owner_client.post(url, data)
    assert response["Location"] == opportunity.get_absolute_url() + "#follow-up"
    follow_up = FollowUp.objects.get()
    assert (follow_up.purpose, follow_up.channel, follow_up.minutes, follow_up.person) == (
        "Send the case study",
        "email",
        30,
        person,
    )
    text = page(owner_client, opportunity)
    assert "Send the case study" in text
    assert "Value to bring: The case study from Bologna" in text
    assert "No follow-up planned" not in text


def test_the_pest_guard_warns_sooner_than_agreed_and_lets_the_user_go_on(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    opportunity.follow_up_every_days, opportunity.follow_up_agreed = 14, True
    opportunity.save()
    Activity.objects.create(
        team=opportunity.team, opportunity=opportunity, person=person, occurred=NOW
    )
    url = reverse("opportunity_next_step", args=[opportunity.pk])
    data = follow_up_data(when="2026-12-03T10:00", **{"next-person": str(person.pk)})
    warned = owner_client.post(url, data)
    assert warned.status_code == 422
    assert "Sooner than agreed: the customer asked to hear from you every 14 days" in warned.text
    assert "Schedule anyway" in warned.text
    assert not FollowUp.objects.exists()
    data["next-confirm"] = "on"
    assert owner_client.post(url, data).status_code == 302
    assert FollowUp.objects.count() == 1


def test_a_bad_follow_up_keeps_what_was_typed(
    owner_client: Client, opportunity: Opportunity
) -> None:
    url = reverse("opportunity_next_step", args=[opportunity.pk])
    response = owner_client.post(url, follow_up_data(when=""))
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert 'value="Send the case study"' in response.text


def test_the_plan_is_agreed_with_the_customer(
    owner_client: Client, opportunity: Opportunity
) -> None:
    data = {
        "plan-follow_up_every_days": "14",
        "plan-follow_up_channel": "email",
        "plan-follow_up_agreed": "on",
        "plan-stop_after_attempts": "",
        "plan-stop_after_days": "",
    }
    owner_client.post(reverse("plan_edit", args=[opportunity.pk]), data)
    text = page(owner_client, opportunity)
    assert "Plan: every 14 days by email, agreed with the customer." in text
    assert 'value="2026-12-14T09:00"' in text


def test_a_follow_up_is_cancelled_and_the_opportunity_flagged_again(
    owner_client: Client, opportunity: Opportunity
) -> None:
    follow_up = plan(opportunity, NOW + dt.timedelta(days=2))
    owner_client.post(reverse("follow_up_cancel", args=[opportunity.pk, follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.status == Status.CANCELLED
    assert "No follow-up planned: an open opportunity" in page(owner_client, opportunity)


# Logging the outcome and the next follow-up in one step


def log_data(
    follow_up: FollowUp | None = None,
    schedule: bool = True,
    outcome: str = "reached",
    **next_fields: str,
) -> dict[str, str]:
    data = {
        "activity-kind": "call",
        "activity-occurred": "2026-11-30T09:00",
        "activity-outcome": outcome,
        "activity-minutes": "10",
        "activity-notes": "Interested in the spring range",
    }
    if follow_up is not None:
        data["activity-follow_up"] = str(follow_up.pk)
    if schedule:
        data["activity-schedule_next"] = "on"
        data.update(follow_up_data(**next_fields))
    return data


def test_logging_the_outcome_closes_the_follow_up_and_plans_the_next_in_one_step(
    owner_client: Client, opportunity: Opportunity
) -> None:
    due = plan(opportunity, NOW - dt.timedelta(hours=1), channel="phone")
    form = page(owner_client, opportunity, f"?log=1&follow_up={due.pk}")
    assert f'name="activity-follow_up" value="{due.pk}"' in form
    assert re.search(r'<input type="checkbox" name="activity-schedule_next"[^>]* checked', form)
    response = owner_client.post(reverse("activity_add", args=[opportunity.pk]), log_data(due))
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.status, due.outcome) == (Status.DONE, "reached")
    (following,) = opportunity.follow_ups.planned()
    assert (following.purpose, following.due_at) == (
        "Send the case study",
        dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC),
    )


def test_the_pest_guard_warns_on_a_too_early_next_follow_up_and_nothing_is_lost(
    owner_client: Client, opportunity: Opportunity, person: Person
) -> None:
    opportunity.follow_up_every_days, opportunity.follow_up_agreed = 14, True
    opportunity.save()
    url = reverse("activity_add", args=[opportunity.pk])
    data = log_data(when="2026-12-02T10:00")
    data["next-person"] = str(person.pk)
    warned = owner_client.post(url, data)
    assert warned.status_code == 422
    assert "Sooner than agreed" in warned.text
    assert "Log it and schedule anyway" in warned.text
    assert 'value="Interested in the spring range"' in warned.text or (
        "Interested in the spring range</textarea>" in warned.text
    )
    assert not Activity.objects.exists()
    data["next-confirm"] = "on"
    assert owner_client.post(url, data).status_code == 302
    assert Activity.objects.count() == 1
    assert opportunity.follow_ups.planned().count() == 1


def test_no_answer_without_a_next_follow_up_still_plans_the_next_attempt(
    owner_client: Client, opportunity: Opportunity
) -> None:
    url = reverse("activity_add", args=[opportunity.pk])
    owner_client.post(url, log_data(schedule=False, outcome="no_answer"))
    (attempt,) = opportunity.follow_ups.planned()
    assert attempt.due_at == NOW + dt.timedelta(days=7)


# A missed follow-up


def test_a_missed_follow_up_is_rescheduled_with_an_apology_in_the_customers_language(
    owner_client: Client, opportunity: Opportunity
) -> None:
    missed = plan(opportunity, NOW - dt.timedelta(days=3))
    text = page(owner_client, opportunity)
    assert "Missed" in text
    form = owner_client.get(
        reverse("follow_up_edit", args=[opportunity.pk, missed.pk]), headers={"HX-Request": "true"}
    ).text
    assert 'value="2026-12-01T09:00"' in form  # the next working day, at its usual time
    assert "Gentile Giulia" in form  # Giulia speaks Italian
    data = {"quick": "1", "next-due_at": "2026-12-01T11:00", "next-channel": "phone"}
    data["next-purpose"] = missed.purpose
    owner_client.post(reverse("follow_up_edit", args=[opportunity.pk, missed.pk]), data)
    missed.refresh_from_db()
    assert (missed.due_at, missed.sequence) == (dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC), 1)


# Stop rules, after the sale, delegation, nurture


def test_a_stop_rule_is_confirmed_in_one_click(
    owner_client: Client, opportunity: Opportunity, organisation: Organisation
) -> None:
    organisation.fit_score = 10
    organisation.save()
    opportunity.attempts_without_answer = 6
    opportunity.save()
    assert "Stop rule: 6 attempts in a row without an answer." in page(owner_client, opportunity)
    response = owner_client.post(
        reverse("stop_rule_apply", args=[opportunity.pk]), {"next": "/today/"}
    )
    assert response["Location"] == "/today/"
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == (
        Level.DEAD,
        "Stop rule: 6 attempts in a row without an answer.",
    )


def test_a_won_deal_asks_for_its_delivery_date_and_plans_the_steps(
    owner_client: Client, opportunity: Opportunity
) -> None:
    move_opportunity(
        opportunity=opportunity, to_level=Level.WON, by=opportunity.owner, override_reason="Test"
    )
    text = page(owner_client, opportunity)
    assert "Send a handwritten thank-you card" in text
    assert "Waiting for the delivery date" in text
    owner_client.post(
        reverse("opportunity_delivery", args=[opportunity.pk]), {"delivery_on": "2027-01-15"}
    )
    assert "Waiting for the delivery date" not in page(owner_client, opportunity)


def test_an_opportunity_is_handed_to_a_colleague_with_its_follow_ups(
    owner_client: Client, client: Client, opportunity: Opportunity, teammate: User
) -> None:
    follow_up = plan(opportunity, NOW + dt.timedelta(hours=2))
    assert "Delegate" in page(owner_client, opportunity)
    owner_client.post(reverse("opportunity_assign", args=[opportunity.pk]), {"owner": teammate.pk})
    opportunity.refresh_from_db()
    follow_up.refresh_from_db()
    assert opportunity.owner == follow_up.assigned_to == teammate
    client.force_login(teammate)
    assert opportunity.title in client.get(reverse("today")).text


def test_a_follow_up_delegated_to_a_colleague_is_on_their_today(
    client: Client, opportunity: Opportunity, teammate: User
) -> None:
    plan(opportunity, NOW + dt.timedelta(hours=2), "Drop off the samples", assigned_to=teammate)
    client.force_login(teammate)
    text = client.get(reverse("today")).text
    assert "Luca Bianchi: Drop off the samples" not in text  # it is theirs: no name before it
    assert "Drop off the samples by phone (due today at" in text


def test_the_nurture_list_puts_the_touches_due_first(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    later = make_opportunity("Later")
    due = make_opportunity("Due now")
    for opportunity in (later, due):
        move_opportunity(
            opportunity=opportunity, to_level=Level.NURTURE, by=opportunity.owner, reason="Not now"
        )
    touch = due.follow_ups.planned().get()
    touch.due_at = NOW - dt.timedelta(days=1)
    touch.save()
    text = owner_client.get(reverse("nurture_list")).text
    assert text.index("Due now") < text.index("Later")
    assert 'class="badge badge-warn">Due<' in text


# Today


def today(client: Client) -> str:
    return client.get(reverse("today")).text


def test_today_shows_missed_follow_ups_first_with_their_recovery(
    owner_client: Client, opportunity: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    big = make_opportunity("Big one", value=90000, level=Level.IN)
    plan(big, NOW + dt.timedelta(hours=3), "Call the board")
    plan(opportunity, NOW - dt.timedelta(days=2), "Call Giulia")
    text = today(owner_client)
    assert text.index("Call Giulia by phone (missed: it was due") < text.index("Call the board")
    assert 'class="badge badge-danger">Missed<' in text
    assert "Reschedule" in text
    assert "Log the outcome" in text


def test_a_late_request_is_urgent_on_today(owner_client: Client, opportunity: Opportunity) -> None:
    Activity.objects.create(team=opportunity.team, opportunity=opportunity, occurred=NOW)
    activity = Activity(
        team=opportunity.team,
        opportunity=opportunity,
        kind=Activity.Kind.REQUEST,
        occurred=NOW - dt.timedelta(hours=30),
        notes="A quote for 40 chairs",
    )
    actions.log_activity(activity=activity, by=opportunity.owner)
    text = today(owner_client)
    assert 'class="badge badge-danger">Urgent<' in text
    assert "Answer: A quote for 40 chairs by email (late: the answer was due" in text


def test_today_proposes_the_stop_rule_in_one_click(
    owner_client: Client, opportunity: Opportunity, organisation: Organisation
) -> None:
    organisation.fit_score = 10
    organisation.save()
    opportunity.attempts_without_answer = 6
    opportunity.save()
    text = today(owner_client)
    assert "Stop rule: 6 attempts in a row without an answer. Close it as dead?" in text
    assert reverse("stop_rule_apply", args=[opportunity.pk]) in text


def test_automatic_stop_rules_close_idle_deals_from_the_stop_rules_command(
    owner_client: Client, opportunity: Opportunity
) -> None:
    """Today only proposes (a GET never writes); `funnel stop-rules` closes, as cron runs it."""
    opportunity.owner.profile.stop_automatically = True
    opportunity.owner.profile.save()
    opportunity.progress_at = NOW - dt.timedelta(days=181)  # twice the 90-day cycle
    opportunity.save()
    today(owner_client)
    opportunity.refresh_from_db()
    assert opportunity.level == Level.ABOVE
    assert main(["stop-rules"]) == 0
    opportunity.refresh_from_db()
    assert (opportunity.level, opportunity.reason) == (
        Level.DEAD,
        "Stop rule: no progress in 181 days.",
    )


def test_today_keeps_in_touch_with_nurture_and_won_customers(
    owner_client: Client, opportunity: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    parked = make_opportunity("Parked")
    move_opportunity(opportunity=parked, to_level=Level.NURTURE, by=parked.owner, reason="Later")
    touch = parked.follow_ups.planned().get()
    touch.due_at = NOW - dt.timedelta(hours=1)
    touch.save()
    move_opportunity(
        opportunity=opportunity, to_level=Level.WON, by=opportunity.owner, override_reason="Test"
    )
    text = today(owner_client)
    assert "Keep in touch" in text
    assert "Keep in touch: send something useful by email" in text
    assert "Send a handwritten thank-you card by letter" in text
    assert "Ask for the delivery date: the other steps count from it." in text


# Nobody else's


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("opportunity_next_step", "post"),
        ("plan_edit", "post"),
        ("stop_rule_apply", "post"),
        ("opportunity_delivery", "post"),
        ("opportunity_assign", "post"),
    ],
)
def test_an_outsider_gets_404_everywhere(
    outsider_client: Client, opportunity: Opportunity, name: str, method: str
) -> None:
    response = getattr(outsider_client, method)(reverse(name, args=[opportunity.pk]), {})
    assert response.status_code == 404


def test_an_outsider_cannot_touch_anothers_follow_up(
    outsider_client: Client, opportunity: Opportunity
) -> None:
    follow_up = plan(opportunity, NOW + dt.timedelta(days=1))
    for name in ("follow_up_edit", "follow_up_cancel"):
        url = reverse(name, args=[opportunity.pk, follow_up.pk])
        assert outsider_client.post(url, {}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == Status.PLANNED


def test_cannot_hand_an_opportunity_to_someone_outside_the_team(
    owner_client: Client, opportunity: Opportunity, outsider: User
) -> None:
    response = owner_client.post(
        reverse("opportunity_assign", args=[opportunity.pk]), {"owner": outsider.pk}
    )
    assert response.status_code in (404, 422)
    assert Opportunity.objects.get().owner == opportunity.owner
    assert FollowUp.objects.filter(kind=Kind.FOLLOW_UP).count() == 0
