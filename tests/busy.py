"""A user with one of everything, for the tests that open every page."""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import User
from django.utils import timezone

from funnel.contacts.models import Person
from funnel.followup import actions as follow_ups
from funnel.goals.models import Goal
from funnel.prospecting.models import Block
from funnel.quotes.models import Quote
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Activity, Level, Opportunity


def one_of_everything(
    owner: User, person: Person, make_opportunity: Callable[..., Opportunity]
) -> None:
    """A deal at each level, a planned follow-up and an activity, a quote, a goal, a
    prospecting block."""
    for level in [Level.ABOVE, Level.IN, Level.BEST_FEW, Level.WON, Level.NURTURE]:
        deal = make_opportunity(f"Deal {level}", level=Level.ABOVE, main_contact=person)
        if level != Level.ABOVE:
            move_opportunity(opportunity=deal, to_level=level, by=owner, override_reason="x")
        if level == Level.IN:
            follow_ups.schedule(follow_up=follow_ups.proposed_follow_up(deal))
            Activity.objects.create(
                team=deal.team, opportunity=deal, person=person, by=owner, kind="call", minutes=30
            )
    best_few = Opportunity.objects.get(level=Level.BEST_FEW)
    today = timezone.localdate()
    Quote.objects.create(
        team=best_few.team,
        opportunity=best_few,
        number="Q-1",
        amount=100,
        currency="EUR",
        status="sent",
        sent_on=today,
        valid_until=today,
    )
    Goal.objects.create(owner=owner, metric="prospects", period="week", target=3, reward="Tea")
    Block.objects.create(
        team=owner.profile.team,
        owner=owner,
        title="Prospecting",
        starts_on=today - dt.timedelta(days=14),
        start_time=dt.time(9),
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR",
    )
