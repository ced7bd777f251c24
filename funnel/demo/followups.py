"""Her follow-ups as plain data (docs/method.md §2): the ones she kept, and the next on each deal.

Every contact on an open opportunity after the first carried out a follow-up she scheduled
right after the contact before, so a deal's history reads as appointments kept, each with its
outcome. Each open opportunity has its next follow-up: most in the coming days or weeks, a few
today, a few missed yesterday or the day before (Today shows how to recover), some on a plan
agreed with the customer, and two small ones delegated to her junior colleague. The rest the app
plans itself as the demo is written: the answer to a request, the next nurture touch, the steps
after a sale.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import replace

from funnel.accounts.models import Profile
from funnel.demo import phrases
from funnel.demo.records import ActivityPlan, DemoPlan, FollowUpPlan, OpportunityPlan
from funnel.demo.workdays import (
    ROME,
    is_holiday,
    moment,
    shift,
    weekday_on_or_before,
    working_day_on_or_after,
)
from funnel.followup.rules import Plan, next_follow_up_at
from funnel.lib.channels import Channel
from funnel.sales.models import OPEN_LEVELS, Level

MISSED, DUE_TODAY, AGREED, DELEGATED = 3, 3, 4, 2
CONTACTS = {"call", "email", "meeting", "video", "buying_signal", "not_buying_signal"}
MINUTES: dict[str, int] = {
    Channel.PHONE: 15,
    Channel.EMAIL: 10,
    Channel.MEETING: 60,
    Channel.VIDEO: 30,
}
# Her defaults (funnel.accounts.models.Profile), until a customer asks for another rhythm.
DEFAULT_PLAN = Plan(
    Profile._meta.get_field("follow_up_every_days").get_default(),
    Profile._meta.get_field("follow_up_channel").get_default(),
    agreed=False,
)
# What customers asked for: (every so many days, channel).
AGREED_PLANS = (
    (14, Channel.EMAIL),
    (14, Channel.MEETING),
    (30, Channel.EMAIL),
    (30, Channel.MEETING),
)
# Their own next step: the app plans the answer to the request left waiting.
OWN_NEXT = {"asked_late"}


def plan_follow_ups(rng: random.Random, plan: DemoPlan, today: dt.date) -> None:
    diaries: dict[int, list[ActivityPlan]] = defaultdict(list)
    for entry in sorted(plan.activities, key=lambda entry: entry.occurred):
        if entry.opportunity is not None:
            diaries[entry.opportunity].append(entry)
    won = {deal.organisation for deal in plan.opportunities if deal.level == Level.WON}
    values = Values(rng, [plan.organisations[index].name for index in sorted(won)])
    for index, deal in enumerate(plan.opportunities):
        carry_out(values, deal, diaries[index], plan.organisations[deal.organisation].name)
    open_deals = {
        index: deal
        for index, deal in enumerate(plan.opportunities)
        if deal.level in OPEN_LEVELS and deal.story not in OWN_NEXT
    }
    Scheduler(rng, plan, diaries, values, today).schedule(open_deals)


class Values:
    """Picks what new a follow-up brings, now and then: a case study from a won customer..."""

    def __init__(self, rng: random.Random, customers: list[str]) -> None:
        self.rng, self.customers = rng, customers

    def purpose(self, level: str, channel: str) -> str:
        return self.rng.choice(phrases.PURPOSES[level][channel])

    def maybe(self, share: float, customer: str) -> str:
        if self.rng.random() >= share:
            return ""
        others = [name for name in self.customers if name != customer] or ["a client"]
        value = self.rng.choice(phrases.VALUES_TO_BRING)
        return value.format(customer=self.rng.choice(others))


def carry_out(
    values: Values, deal: OpportunityPlan, diary: list[ActivityPlan], customer: str
) -> None:
    """Each contact while the deal was open, after the first, carries out a follow-up."""
    closed = next((move.at for move in deal.moves if move.to_level not in OPEN_LEVELS), None)
    for entry in diary[1:]:
        if entry.kind not in CONTACTS or entry.logged or (closed and entry.occurred > closed):
            continue
        level = level_at(deal, entry.occurred)
        entry.carries = FollowUpPlan(
            due_at=entry.occurred,
            channel=entry.channel,
            purpose=values.purpose(level, entry.channel),
            minutes=MINUTES[entry.channel],
            person=entry.person,
            value_to_bring=values.maybe(0.25, customer),
        )


def level_at(deal: OpportunityPlan, at: dt.datetime) -> str:
    return next((m.to_level for m in reversed(deal.moves) if m.at <= at), Level.ABOVE)


class Scheduler:
    """Plans the next follow-up of each open opportunity, as it stands today."""

    def __init__(
        self,
        rng: random.Random,
        plan: DemoPlan,
        diaries: dict[int, list[ActivityPlan]],
        values: Values,
        today: dt.date,
    ) -> None:
        self.rng, self.plan, self.values, self.today = rng, plan, values, today
        self.diaries = diaries  # each opportunity's activities, in order

    def schedule(self, deals: dict[int, OpportunityPlan]) -> None:
        ghosted = [index for index, deal in deals.items() if deal.story == "ghosted"]
        for index in ghosted:
            self.try_again(deals[index], self.diaries[index][-1])
        order = self.rng.sample(sorted(set(deals) - set(ghosted)), len(deals) - len(ghosted))
        missed = self.missed(order)
        today = [index for index in order if index not in missed][:DUE_TODAY]
        for index in order:
            deal = deals[index]
            if index in missed:
                day = missed[index]
            elif index in today:  # even at the weekend, so the demo's Today is never empty
                day = self.today
            else:
                day = working_day_on_or_after(shift(self.today, self.rng.triangular(1, 21, 3)))
            deal.next_follow_up = self.follow_up(deal, moment(self.rng, day))
        self.agree(deals, [index for index in order if index not in missed and index not in today])
        self.delegate(deals, ghosted)

    def missed(self, order: list[int]) -> dict[int, dt.date]:
        """MISSED deals whose follow-up was due yesterday or the working day before."""
        yesterday = weekday_on_or_before(shift(self.today, -1))
        days = [yesterday, weekday_on_or_before(shift(yesterday, -1))]
        missed: dict[int, dt.date] = {}
        for index in order:
            room = [day for day in days if day > self.diaries[index][-1].occurred.date()]
            if room and len(missed) < MISSED:
                missed[index] = self.rng.choice(room)
        return missed

    def follow_up(self, deal: OpportunityPlan, due: dt.datetime, channel: str = "") -> FollowUpPlan:
        """On the main contact's favourite channel, unless that is not one for selling."""
        preferred = self.plan.people[deal.main_contact].preferred_channel
        channel = channel or (preferred if preferred in MINUTES else DEFAULT_PLAN.channel)
        return FollowUpPlan(
            due_at=due,
            channel=channel,
            purpose=self.values.purpose(deal.level, channel),
            minutes=MINUTES[channel],
            person=deal.main_contact,
            value_to_bring=self.values.maybe(0.5, self.plan.organisations[deal.organisation].name),
        )

    def try_again(self, deal: OpportunityPlan, last: ActivityPlan) -> None:
        """After "no answer", the same attempt a plan's interval later, as the app plans it."""
        assert last.carries, "every attempt without an answer carried out a follow-up"
        due = next_follow_up_at(last.occurred, DEFAULT_PLAN, ROME)
        deal.next_follow_up = replace(last.carries, due_at=due)

    def agree(self, deals: dict[int, OpportunityPlan], later: list[int]) -> None:
        """After an offer, some customers said how often and how to follow up (docs/method.md 2.1).

        The next follow-up then comes that interval after the last contact, never sooner.
        """
        agreed = 0
        for index in later:
            deal, last = deals[index], self.diaries[index][-1].occurred
            every, channel = self.rng.choice(AGREED_PLANS)
            due = next_follow_up_at(last, Plan(every, channel, agreed=True), ROME)
            if deal.level == Level.ABOVE or deal.story or due.date() <= self.today:
                continue
            if is_holiday(due.date()):  # she would not follow up on Christmas Day
                continue
            deal.follow_up_every_days, deal.follow_up_channel = every, channel
            deal.next_follow_up = self.follow_up(deal, due, channel)
            agreed += 1
            if agreed == AGREED:
                return

    def delegate(self, deals: dict[int, OpportunityPlan], ghosted: list[int]) -> None:
        """The smallest prospects go to her junior colleague (docs/method.md 2.6)."""
        prospects = [
            i for i, deal in deals.items() if deal.level == Level.ABOVE and i not in ghosted
        ]
        smallest = sorted(prospects, key=lambda index: deals[index].value)[:DELEGATED]
        for index in smallest:
            follow_up = deals[index].next_follow_up
            assert follow_up, "every open opportunity has its next follow-up by now"
            follow_up.delegated = True
        first = deals[smallest[0]].next_follow_up
        if first and first.due_at.date() > self.today:  # so it is on his Today
            first.due_at = moment(self.rng, self.today)
