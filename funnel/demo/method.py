"""Her prospecting habits, goals and quotes (docs/method.md §4), dated from the demo's today.

No randomness: each is placed by rule from `today` and the planned deals, so the same day and
seed give the same demo. All of it is bulk-inserted (no action would let a past block be marked
or a past quote be sent), then backdated to when it happened in the story.

- A prospecting block every Monday and Thursday, 9:00 to 11:00, from eight weeks ago. Monday is
  one of its days so that Today, whatever the weekday, shows the block or the week's honoured
  rate. Her past occurrences are marked: mostly honoured, one partly, one missed, one moved
  within its week; the last one before today she has not marked yet.
- Two goals: three new prospects a week (a long lunch on Friday) and a quarter's value won that
  she has reached about 70 % of (a weekend away).
- Quotes on open deals in the funnel and in Best few: one expiring within a week, one expired,
  one superseded by its re-issue, and one accepted on her latest win.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User

from funnel.demo.records import DemoPlan, OpportunityPlan
from funnel.demo.workdays import ROME
from funnel.goals.models import Goal, Metric, Period
from funnel.goals.rules import period_bounds
from funnel.prospecting.models import Block, BlockOutcome, Outcome
from funnel.prospecting.rules import build_rule, occurrences
from funnel.quotes.models import Quote
from funnel.sales.models import Level, Opportunity

BLOCK_TITLE = "Prospecting: calls to new prospects"
BLOCK_DAYS, BLOCK_START, BLOCK_MINUTES, BLOCK_WEEKS = ("MO", "TH"), dt.time(9), 120, 8
# Past occurrences by position (oldest first) that did not simply go as planned.
MOVED_AT, MISSED_AT, PARTLY_AT = 2, 5, 9
MOVED_TO = dt.time(14)  # the next day, in the same week: Monday to Tuesday, Thursday to Friday

PROSPECTS_TARGET, PROSPECTS_REWARD = 3, "A long lunch on Friday"
VALUE_SHARE, VALUE_REWARD = Decimal("0.7"), "A weekend away"
VALUE_ROUNDING = Decimal(1000)

VALID_DAYS = 30
# (sent so many days ago, re-issued so many days ago or None) on open deals, in this order.
EXPIRING, EXPIRED, REISSUED = (25, None), (40, None), (55, 15)
ACCEPTED_BEFORE_WIN = 14  # days before her latest win, the quote the customer signed


def write_method(
    plan: DemoPlan, user: User, opportunities: list[Opportunity], today: dt.date
) -> None:
    write_block(user, today)
    write_goals(plan, user, today)
    write_quotes(plan, user, opportunities, today)


# Prospecting block


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def write_block(user: User, today: dt.date) -> Block:
    first = monday_of(today) - dt.timedelta(weeks=BLOCK_WEEKS)
    block = Block.objects.create(
        team=user.profile.team,
        owner=user,
        title=BLOCK_TITLE,
        starts_on=first,
        start_time=BLOCK_START,
        minutes=BLOCK_MINUTES,
        rule=build_rule(
            weekdays=BLOCK_DAYS,
            interval=1,
            until=None,
            first=dt.datetime.combine(first, BLOCK_START),
        ),
    )
    created = dt.datetime.combine(first - dt.timedelta(days=3), dt.time(17), ROME)
    Block.objects.filter(pk=block.pk).update(created=created, updated=created)
    midnight = dt.datetime.combine(today, dt.time(), ROME)
    past = occurrences(block.plan(ROME), dt.datetime.combine(first, dt.time(), ROME), midnight)
    past = [o for o in past if o.end <= midnight]
    marks, marked = [], []  # and when she marked each
    for position, occurrence in enumerate(past[:-1]):  # the last one she has yet to mark
        row = BlockOutcome(block=block, original_start=occurrence.start, outcome=Outcome.HONOURED)
        if position == MISSED_AT:
            row.outcome = Outcome.MISSED
        elif position == PARTLY_AT:
            row.outcome = Outcome.PARTLY
        elif position == MOVED_AT:
            local = occurrence.start.astimezone(ROME)
            row.outcome, row.moved_outcome = Outcome.MOVED, Outcome.HONOURED
            row.moved_start = dt.datetime.combine(
                local.date() + dt.timedelta(days=1), MOVED_TO, ROME
            )
            row.moved_end = row.moved_start + (occurrence.end - occurrence.start)
        marks.append(row)
        marked.append((row.moved_end or occurrence.end) + dt.timedelta(minutes=10))
    written = BlockOutcome.objects.bulk_create(marks)
    for row, at in zip(written, marked, strict=True):
        row.updated = at
    BlockOutcome.objects.bulk_update(written, ["updated"])  # bulk_update skips auto_now
    return block


# Goals


def won_on(deal: OpportunityPlan) -> dt.date | None:
    if deal.level != Level.WON:
        return None
    return deal.moves[-1].at.astimezone(ROME).date()


def value_won_between(plan: DemoPlan, first: dt.date, last: dt.date, currency: str) -> Decimal:
    return sum(
        (
            deal.value
            for deal in plan.opportunities
            if deal.currency == currency and (day := won_on(deal)) and first <= day < last
        ),
        Decimal(0),
    )


def quarter_target(plan: DemoPlan, today: dt.date, currency: str) -> Decimal:
    """What makes this quarter's wins about 70 % of the target (last quarter's, in its first
    days before any win), rounded to a thousand."""
    start = period_bounds(today, Period.QUARTER)[0]
    won = value_won_between(plan, start, today + dt.timedelta(days=1), currency)
    if not won:
        before = period_bounds(start - dt.timedelta(days=1), Period.QUARTER)[0]
        won = value_won_between(plan, before, start, currency)
    thousands = (won / VALUE_SHARE / VALUE_ROUNDING).quantize(Decimal(1), ROUND_HALF_UP)
    return max(thousands, Decimal(1)) * VALUE_ROUNDING


def write_goals(plan: DemoPlan, user: User, today: dt.date) -> list[Goal]:
    weekly_from = monday_of(today) - dt.timedelta(weeks=BLOCK_WEEKS)
    this_quarter = period_bounds(today, Period.QUARTER)[0]
    quarterly_from = period_bounds(this_quarter - dt.timedelta(days=1), Period.QUARTER)[0]
    goals = Goal.objects.bulk_create(
        [
            Goal(
                owner=user,
                metric=Metric.PROSPECTS,
                period=Period.WEEK,
                target=Decimal(PROSPECTS_TARGET),
                reward=PROSPECTS_REWARD,
                starts_on=weekly_from,
            ),
            Goal(
                owner=user,
                metric=Metric.VALUE_WON,
                period=Period.QUARTER,
                target=quarter_target(plan, today, user.profile.currency),
                reward=VALUE_REWARD,
                starts_on=quarterly_from,
            ),
        ]
    )
    for goal in goals:
        goal.created = dt.datetime.combine(goal.starts_on, dt.time(8, 30), ROME)
    Goal.objects.bulk_update(goals, ["created"])
    return goals


# Quotes


@dataclass(frozen=True)
class QuotePlan:
    opportunity: int
    sent_on: dt.date
    status: str
    reissued_on: dt.date | None = None  # superseded by a quote sent on this day


def entered_funnel(deal: OpportunityPlan) -> dt.date | None:
    moves = [m.at for m in deal.moves if m.to_level in (Level.IN, Level.BEST_FEW)]
    return min(moves).astimezone(ROME).date() if moves else None


def plan_quotes(plan: DemoPlan, today: dt.date) -> list[QuotePlan]:
    """On open deals (Best few first, then in the funnel, oldest in it first), each quote sent
    after the deal entered the funnel; and the quote her latest win signed."""
    open_deals = sorted(
        (
            (deal.level != Level.BEST_FEW, entered, index)
            for index, deal in enumerate(plan.opportunities)
            if deal.level in (Level.IN, Level.BEST_FEW) and (entered := entered_funnel(deal))
        ),
    )
    quotes: list[QuotePlan] = []
    used: set[int] = set()
    for days, reissued in (REISSUED, EXPIRED, EXPIRING):
        sent_on = today - dt.timedelta(days=days)
        for _rank, entered, index in open_deals:
            if index not in used and entered <= sent_on:
                used.add(index)
                again = None if reissued is None else today - dt.timedelta(days=reissued)
                status = Quote.Status.SENT if again is None else Quote.Status.SUPERSEDED
                quotes.append(QuotePlan(index, sent_on, status, again))
                break
    wins = sorted(
        (day, index) for index, deal in enumerate(plan.opportunities) if (day := won_on(deal))
    )
    if wins:
        day, index = wins[-1]
        entered = entered_funnel(plan.opportunities[index]) or day
        sent_on = max(entered, day - dt.timedelta(days=ACCEPTED_BEFORE_WIN))
        quotes.append(QuotePlan(index, sent_on, Quote.Status.ACCEPTED))
    return quotes


def write_quotes(
    plan: DemoPlan, user: User, opportunities: list[Opportunity], today: dt.date
) -> list[Quote]:
    team = user.profile.team
    rows: list[tuple[dt.date, Quote]] = []
    reissues: list[tuple[Quote, Quote]] = []
    for entry in plan_quotes(plan, today):
        deal = opportunities[entry.opportunity]

        def quote(sent_on: dt.date, status: str, deal: Opportunity = deal) -> Quote:
            return Quote(
                team=team,
                opportunity=deal,
                amount=deal.value,
                currency=deal.currency,
                sent_on=sent_on,
                valid_until=sent_on + dt.timedelta(days=VALID_DAYS),
                status=status,
            )

        old = quote(entry.sent_on, entry.status)
        rows.append((entry.sent_on, old))
        if entry.reissued_on:
            new = quote(entry.reissued_on, Quote.Status.SENT)
            rows.append((entry.reissued_on, new))
            reissues.append((old, new))
    rows.sort(key=lambda row: row[0])
    numbers: dict[int, int] = {}
    for sent_on, row in rows:  # her numbering, in the order they went out
        numbers[sent_on.year] = numbers.get(sent_on.year, 0) + 1
        row.number = f"Q-{sent_on.year}-{numbers[sent_on.year]:03}"
    written = Quote.objects.bulk_create([row for _, row in rows])
    for old, new in reissues:
        old.superseded_by = new
    for sent_on, row in rows:
        row.created = row.updated = dt.datetime.combine(sent_on, dt.time(11), ROME)
    for old, new in reissues:
        old.updated = new.created
    Quote.objects.bulk_update(written, ["superseded_by", "created", "updated"])
    return written
