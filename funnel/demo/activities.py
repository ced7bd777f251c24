"""Planning what the consultant did: the activities behind every move, and those in between."""

import datetime as dt
import random

from funnel.demo import phrases
from funnel.demo.phrases import Line
from funnel.demo.records import ActivityPlan, MovePlan, OpportunityPlan, PersonPlan
from funnel.demo.selling import NURTURE_EVERY_DAYS, Timeline
from funnel.demo.workdays import (
    ROME,
    WORK_HOURS,
    days_between,
    is_holiday,
    is_weekday,
    moment,
    shift,
    weekday_after,
    weekday_on_or_before,
)
from funnel.followup.rules import Plan, next_follow_up_at
from funnel.lib.channels import Channel
from funnel.sales.models import BuyingInfluence, Level

KIND_CHANNELS = {
    "call": Channel.PHONE,
    "email": Channel.EMAIL,
    "meeting": Channel.MEETING,
    "video": Channel.VIDEO,
    "letter": Channel.LETTER,
    "note": "",
    "request": Channel.EMAIL,
}
SIGNAL_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.MEETING)
MINUTES = {
    "call": (5, 25),
    "email": (5, 15),
    "meeting": (45, 90),
    "video": (30, 60),
    "letter": (5, 10),
    "note": (5, 10),
    "buying_signal": (5, 15),
    "not_buying_signal": (5, 15),
    "request": (5, 10),
}
# (calendar days per activity, most activities) while an opportunity sits at each level.
PACE: dict[str, tuple[int, int]] = {
    Level.ABOVE: (14, 4),
    Level.IN: (12, 6),
    Level.BEST_FEW: (9, 5),
}
POOLS: dict[str, tuple[phrases.Line, ...]] = {
    Level.ABOVE: phrases.QUALIFY,
    Level.IN: phrases.DEVELOP,
    Level.BEST_FEW: phrases.CLOSE,
}
CHASE_ATTEMPTS = 6  # the app's default stop rule: six attempts in a row without an answer
NURTURE_PLAN = Plan(NURTURE_EVERY_DAYS, Channel.EMAIL, agreed=False)
NETWORKING = 22  # activities with a person only, no opportunity
Status = BuyingInfluence.Status


def activity(
    rng: random.Random, line: Line, at: dt.datetime, person: int | None, opportunity: int | None
) -> ActivityPlan:
    kind, outcome, notes = line
    channel = rng.choice(SIGNAL_CHANNELS) if kind.endswith("signal") else KIND_CHANNELS[kind]
    low, high = MINUTES[kind]
    minutes = 5 if outcome == "no_answer" else rng.randrange(low, high + 1, 5)
    return ActivityPlan(at, kind, channel, outcome, minutes, notes, person, opportunity)


class Diary:
    """Writes down the activities of one opportunity, each with one of its contacts."""

    def __init__(self, rng: random.Random, index: int, opportunity: OpportunityPlan) -> None:
        self.rng, self.index = rng, index
        self.main = opportunity.main_contact
        known = [i.person for i in opportunity.influences if i.status != Status.UNKNOWN]
        self.contacts = sorted({self.main, *known})
        self.entries: list[ActivityPlan] = []

    def add(self, line: Line, at: dt.datetime, person: int | None = None) -> ActivityPlan:
        if person is None:
            person = self.main if self.rng.random() < 0.7 else self.rng.choice(self.contacts)
        entry = activity(self.rng, line, at, person, self.index)
        self.entries.append(entry)
        return entry

    def story(self, pool: tuple[Line, ...], days: list[dt.date], count: int) -> None:
        """`count` lines of `pool`, in story order, on as many of `days`."""
        count = max(0, min(count, len(days), len(pool)))
        lines = sorted(self.rng.sample(range(len(pool)), count))
        picked = sorted(self.rng.sample(days, count))
        for line, day in zip(lines, picked, strict=True):
            self.add(pool[line], moment(self.rng, day))


def plan_history(
    rng: random.Random,
    index: int,
    opportunity: OpportunityPlan,
    timeline: Timeline,
    today: dt.date,
) -> tuple[list[MovePlan], list[ActivityPlan]]:
    """The moves of one opportunity and every activity around them."""
    diary = Diary(rng, index, opportunity)
    diary.add(
        rng.choice(phrases.FIRST_CONTACT[opportunity.source]),
        opportunity.started,
        opportunity.main_contact,
    )
    moves: list[MovePlan] = []
    level: str = Level.ABOVE
    since = timeline.first_contact
    for to_level, day in timeline.steps:
        work_phase(diary, level, since, day, chasing=to_level == Level.DEAD)
        pushed = to_level == timeline.overridden
        override, line = phrases.OVERRIDES[to_level] if pushed else ("", None)
        entry = diary.add(
            line or milestone(level, to_level, timeline.reason, rng),
            moment(rng, day),
            opportunity.main_contact,
        )
        at = entry.occurred + dt.timedelta(minutes=entry.minutes + 5)
        reason = timeline.reason if to_level in (Level.LOST, Level.DEAD) else ""
        moves.append(MovePlan(to_level, at, reason, override))
        level, since = to_level, day
    yesterday = weekday_on_or_before(shift(today, -1))
    if level in POOLS and timeline.last_touch > since:
        lately(diary, level, since, timeline, today)
    elif level == Level.WON:
        delivery = after_sale(diary, since, yesterday)
        opportunity.delivery_on = None if timeline.story == "waiting" else delivery
    elif level == Level.NURTURE:
        keep_in_touch(diary, moves[-1].at, yesterday)
    return moves, diary.entries


def lately(diary: Diary, level: str, since: dt.date, timeline: Timeline, today: dt.date) -> None:
    """The work on an open opportunity since its last move, up to its last touch."""
    rng, story, last = diary.rng, timeline.story, timeline.last_touch
    if story == "ghosted":
        go_unanswered(diary, since, last)
        return
    pool = phrases.IDLE if story == "idle" else POOLS[level]
    work_phase(diary, level, since, last, pool=pool)
    if story == "asked":  # her last touch was answering their request, within hours
        request(diary, last, answered=True)
    else:
        diary.add(rng.choice(pool), moment(rng, last))
    if story == "asked_late":  # two days ago or more, and still unanswered
        request(diary, weekday_on_or_before(shift(today, -2)), answered=False)


def go_unanswered(diary: Diary, since: dt.date, last: dt.date) -> None:
    """A talk or two, then weekly attempts without an answer, the last on `last`.

    Each attempt comes a week after the one before, at the same time, as the app plans the next
    attempt after "no answer" (funnel.followup.actions.automatic_next).
    """
    rng = diary.rng
    final = moment(rng, last)
    attempts = [final - dt.timedelta(weeks=week) for week in range(CHASE_ATTEMPTS - 1, -1, -1)]
    diary.story(phrases.GHOST_OPENING, days_between(since, attempts[0].date()), 2)
    for at in attempts:
        diary.add(rng.choice(phrases.GHOSTED), at, diary.main)


def request(diary: Diary, day: dt.date, answered: bool) -> None:
    """A request from the customer, in the morning; answered within three hours, or not yet."""
    rng = diary.rng
    received = dt.datetime.combine(
        day, dt.time(rng.choice(WORK_HOURS[:5]), rng.randrange(0, 60, 5)), tzinfo=ROME
    )
    diary.add(rng.choice(phrases.REQUESTS), received, diary.main).logged = True
    if answered:
        answer = received + dt.timedelta(hours=rng.randint(1, 3))
        diary.add(rng.choice(phrases.ANSWERS), answer, diary.main).logged = True


def work_phase(
    diary: Diary,
    level: str,
    start: dt.date,
    end: dt.date,
    chasing: bool = False,
    pool: tuple[Line, ...] = (),
) -> None:
    """The activities while an opportunity sat at `level`, strictly between two days."""
    rng = diary.rng
    days = days_between(start, end)
    pool = pool or POOLS[level]
    if chasing:  # before giving up: a few normal steps, then the attempts that went unanswered
        split = len(days) * 2 // 5
        diary.story(pool, days[:split], round(split / 7))
        for day in sorted(rng.sample(days[split:], min(CHASE_ATTEMPTS, len(days) - split))):
            diary.add(rng.choice(phrases.CHASE), moment(rng, day), diary.main)
        return
    every, most = PACE[level]
    count = min(most, round((end - start).days / every + rng.uniform(-1, 1)))
    diary.story(pool, days, count)


def milestone(from_level: str, to_level: str, reason: str, rng: random.Random) -> Line:
    """The activity that justified a move."""
    if to_level == Level.LOST:
        return ("call", "not_buying_signal", f"They said no: {reason[0].lower()}{reason[1:]}")
    if to_level == Level.DEAD:
        return ("note", "", f"Stopped pursuing: {reason[0].lower()}{reason[1:]}")
    lines: dict[str, tuple[Line, ...]] = {
        Level.IN: phrases.BACK_TO_IN if from_level == Level.BEST_FEW else phrases.TO_IN,
        Level.BEST_FEW: phrases.TO_BEST_FEW,
        Level.WON: phrases.TO_WON,
        Level.NURTURE: phrases.TO_NURTURE,
    }
    return rng.choice(lines[to_level])


def after_sale(diary: Diary, won: dt.date, yesterday: dt.date) -> dt.date:
    """Thank-you cards and the call after delivery (docs/method.md section 3), up to yesterday.

    Each carries out its step of her after-the-sale sequence (the app's default one): the card
    the morning after the signature, the second card on delivery, the call three days later.
    Returns the delivery day, which may lie ahead.
    """
    rng = diary.rng
    card = weekday_after(won)
    kick_off = weekday_after(shift(card, rng.randint(5, 19)))
    delivery = weekday_after(shift(kick_off, rng.randint(39, 89)))
    # Not on a holiday, and with the call three days later on a weekday.
    while is_holiday(delivery) or not is_weekday(shift(delivery, 3)):
        delivery = weekday_after(delivery)
    call = shift(delivery, 3)
    steps = zip((card, kick_off, delivery, call), phrases.AFTER_SALE, (0, None, 1, 2), strict=True)
    for day, line, step in steps:
        if day > yesterday:
            break
        diary.add(line, moment(rng, day), diary.main).post_sale_step = step
    return delivery


def keep_in_touch(diary: Diary, parked: dt.datetime, yesterday: dt.date) -> None:
    """Light, regular contact with a qualified prospect who is not ready (docs/method.md 2.5).

    Each touch falls on the day the app planned it, a nurture interval after the one before
    (funnel.followup.actions.nurture_touch), and is logged through the app so it plans the next.
    """
    due = next_follow_up_at(parked, NURTURE_PLAN, ROME)
    while due.date() <= yesterday:
        line = diary.rng.choice(phrases.KEEP_IN_TOUCH)
        entry = diary.add(line, moment(diary.rng, due.date()), diary.main)
        entry.logged = True
        due = next_follow_up_at(entry.occurred, NURTURE_PLAN, ROME)


def plan_networking(
    rng: random.Random, today: dt.date, people: list[PersonPlan], quiet: set[int]
) -> list[ActivityPlan]:
    """Activities with a person and no opportunity; people at `quiet` organisations more often."""
    weights = [4 if person.organisation in quiet else 1 for person in people]
    days = days_between(shift(today, -365), today)
    return [
        activity(
            rng,
            rng.choice(phrases.PERSON_ONLY),
            moment(rng, day),
            rng.choices(range(len(people)), weights)[0],
            None,
        )
        for day in sorted(rng.sample(days, NETWORKING))
    ]
