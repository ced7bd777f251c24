"""`funnel demo`: a believable, current year of selling that anyone can log into; its plan
and the records it writes."""

import datetime as dt
import itertools
import random
import statistics
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.demo.plan import plan_demo
from funnel.demo.records import DemoPlan
from funnel.followup.models import FollowUp
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, BuyingInfluence, Level, LevelChange, Opportunity
from tests import demo_helpers
from tests.demo_helpers import FAST_HASHERS, PASSWORD, ROME, USERNAME, Built, a_deal

# Fixtures shared with the other demo tests (in demo_helpers.py).
demo = demo_helpers.demo


@pytest.mark.django_db
def test_the_summary_counts_a_year_of_selling(demo: Built) -> None:
    counts = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "activities": Activity.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "quotes": Quote.objects.count(),
    }
    assert 36 <= counts["organisations"] <= 44
    assert 72 <= counts["people"] <= 88
    assert 54 <= counts["opportunities"] <= 66
    assert 540 <= counts["activities"] <= 680
    assert 400 <= counts["follow-ups"] <= 650
    assert demo.summary == (
        f"Demo data: {counts['organisations']} organisations, {counts['people']} people, "
        f"{counts['opportunities']} opportunities, {counts['activities']} activities, "
        f"{counts['follow-ups']} follow-ups, {counts['quotes']} quotes."
    )


def test_the_demo_builds_quickly(demo: Built) -> None:
    """Most rows are bulk-inserted; only moves, requests and touches go through the actions."""
    assert demo.queries < 3000
    assert demo.seconds < 30  # about 1.5 s on a quiet laptop; generous for a busy CI runner


@pytest.mark.django_db
def test_every_funnel_level_has_opportunities(demo: Built) -> None:
    assert set(Opportunity.objects.values_list("level", flat=True)) == set(Level.values)


@pytest.mark.django_db
def test_the_demo_consultant_can_log_in_and_owns_everything(
    demo: Built, client: Client, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS  # the one the module's demo was built with
    assert client.login(request=HttpRequest(), username=USERNAME, password=PASSWORD)
    user = a_deal().owner
    assert (user.username, user.get_full_name(), user.is_superuser) == (
        USERNAME,
        "Sofia Bianchi",
        False,
    )
    team = user.profile.team
    assert not Opportunity.objects.exclude(owner=user).exists()
    assert not Organisation.objects.exclude(team=team).exists()
    assert not Activity.objects.exclude(team=team).exists()
    assert not FollowUp.objects.exclude(team=team).exists()


@pytest.mark.django_db
def test_won_deals_give_a_normal_sales_cycle(demo: Built) -> None:
    since = timezone.now() - dt.timedelta(days=730)
    wins = LevelChange.objects.filter(to_level=Level.WON, at__gte=since).select_related(
        "opportunity"
    )
    days = [(win.at.date() - win.opportunity.first_contact_on).days for win in wins]
    assert len(days) >= 12
    assert 40 <= statistics.median(days) <= 120


@pytest.mark.django_db
def test_each_level_is_the_end_of_an_unbroken_history(demo: Built) -> None:
    for opportunity in Opportunity.objects.prefetch_related("level_changes"):
        changes = list(opportunity.level_changes.all())
        assert (changes[0].from_level, changes[0].to_level) == ("", Level.ABOVE)
        for before, after in itertools.pairwise(changes):
            assert after.from_level == before.to_level
            assert after.at > before.at
        assert changes[-1].to_level == opportunity.level
        assert opportunity.level_changed == changes[-1].at
        assert changes[0].at.astimezone(ROME).date() == opportunity.first_contact_on


@pytest.mark.django_db
def test_closed_opportunities_keep_their_reason(demo: Built) -> None:
    closed = Opportunity.objects.filter(level__in=[Level.LOST, Level.DEAD])
    assert closed.exists()
    assert not closed.filter(reason="").exists()


@pytest.mark.django_db
def test_no_activity_is_in_the_future(demo: Built) -> None:
    assert not Activity.objects.filter(occurred__gt=timezone.now()).exists()
    assert not LevelChange.objects.filter(at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_activities_happen_while_the_opportunity_is_alive(demo: Built) -> None:
    for opportunity in Opportunity.objects.prefetch_related("activities", "level_changes"):
        changes = list(opportunity.level_changes.all())
        times = [activity.occurred for activity in opportunity.activities.all()]
        assert min(times) >= changes[0].at
        if opportunity.level in (Level.LOST, Level.DEAD):
            assert max(times) <= changes[-1].at


@pytest.mark.django_db
def test_buying_influences_match_the_level(demo: Built) -> None:
    for opportunity in Opportunity.objects.prefetch_related("influences"):
        influences = list(opportunity.influences.all())
        roles = [influence.role for influence in influences]
        assert roles.count(BuyingInfluence.Role.ECONOMIC) <= 1
        if opportunity.level in (Level.BEST_FEW, Level.WON):
            assert BuyingInfluence.Role.ECONOMIC in roles
            assert all(influence.status == "satisfied" for influence in influences)
        if opportunity.level == Level.IN:
            assert any(i.fit_confirmed and i.status != "unknown" for i in influences)
        if opportunity.level == Level.ABOVE:
            assert not any(influence.fit_confirmed for influence in influences)


@pytest.mark.django_db
def test_contact_details_pass_the_forms_validation(demo: Built) -> None:
    for record in [
        *Organisation.objects.all(),
        *Person.objects.all(),
        *EmailAddress.objects.all(),
        *PhoneNumber.objects.all(),
        *Opportunity.objects.all(),
    ]:
        record.full_clean()


@pytest.mark.django_db
def test_organisations_come_from_several_countries(demo: Built) -> None:
    countries = set(Organisation.objects.values_list("country", flat=True))
    assert len(countries) >= 4
    languages = set(Person.objects.values_list("language", flat=True))
    assert {"it", "nl", "sv", "es", "en"} <= languages


def test_the_same_seed_and_day_plan_the_same_demo() -> None:
    day = dt.date(2026, 3, 2)
    first, again = plan_demo(random.Random(7), day), plan_demo(random.Random(7), day)
    other = plan_demo(random.Random(8), day)

    def deals(plan: DemoPlan) -> list[tuple[str, Decimal, str]]:
        return [(o.title, o.value, o.currency) for o in plan.opportunities]

    assert [org.name for org in first.organisations] == [org.name for org in again.organisations]
    assert deals(first) == deals(again)
    assert first == again
    assert deals(first) != deals(other)


@pytest.mark.parametrize("today", [dt.date(2025, 1, 2), dt.date(2026, 8, 14), dt.date(2027, 5, 31)])
def test_the_plan_is_dated_relative_to_today(today: dt.date) -> None:
    plan = plan_demo(random.Random(2026), today)
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=ROME)
    assert all(activity.occurred < midnight for activity in plan.activities)
    local = [activity.occurred.astimezone(ROME) for activity in plan.activities]
    assert all(moment.weekday() < 5 and 9 <= moment.hour < 18 for moment in local)
    first_contacts = [opportunity.first_contact_on for opportunity in plan.opportunities]
    assert min(first_contacts) >= today - dt.timedelta(days=430)
    assert max(first_contacts) < today
    next_ones = [o.next_follow_up for o in plan.opportunities if o.next_follow_up]
    due = [follow_up.due_at.astimezone(ROME) for follow_up in next_ones]
    assert all(9 <= moment.hour < 18 for moment in due)
    assert sum(moment.date() < today for moment in due) >= 2
    assert sum(moment.date() == today for moment in due) >= 1
    overrides = [move for o in plan.opportunities for move in o.moves if move.override_reason]
    assert 2 <= len(overrides) <= 4
