"""What the demo consultant means to do next on each open opportunity, and when.

Most next steps are due in the coming days or weeks; a few are due today, a few were due
days ago and not done yet, and a few open opportunities have none at all: the app should
point each of these out.
"""

import datetime as dt
import random

from funnel.demo import phrases
from funnel.demo.records import DemoPlan, OpportunityPlan
from funnel.demo.workdays import days_between, moment, shift, weekday_after
from funnel.sales.models import OPEN_LEVELS

FORGOTTEN, OVERDUE, DUE_TODAY = 3, 3, 3  # the rest are due later


def plan_next_steps(rng: random.Random, plan: DemoPlan, today: dt.date) -> None:
    open_deals = [deal for deal in plan.opportunities if deal.level in OPEN_LEVELS]
    order = rng.sample(range(len(open_deals)), len(open_deals))
    # An overdue step was planned after the last thing done, so that needs a few days' room.
    late = [index for index in order if len(days_between(last_done(open_deals[index]), today)) > 1]
    overdue = set(late[:OVERDUE])
    rest = [index for index in order if index not in overdue]
    forgotten, due_today = set(rest[:FORGOTTEN]), set(rest[FORGOTTEN : FORGOTTEN + DUE_TODAY])
    for index, deal in enumerate(open_deals):
        if index in forgotten:
            continue
        if index in overdue:
            day = rng.choice(days_between(last_done(deal), today)[-5:])
        elif index in due_today:  # even at the weekend, so the demo's Today is never empty
            day = today
        else:
            day = weekday_after(shift(today, rng.triangular(0, 21, 3)))
        deal.next_step = rng.choice(phrases.NEXT_STEPS[deal.level])
        deal.next_step_at = moment(rng, day)


def last_done(deal: OpportunityPlan) -> dt.date:
    assert deal.updated, "plan_demo dates every opportunity first"
    return deal.updated.date()
