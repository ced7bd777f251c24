"""Planning the opportunities: how each one moved down the funnel, and who was involved."""

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from funnel.accounts.models import Profile
from funnel.demo import phrases
from funnel.demo.contacts import COUNTRY_BY_CODE
from funnel.demo.phrases import Service
from funnel.demo.records import InfluencePlan, OpportunityPlan, OrganisationPlan, PersonPlan
from funnel.demo.workdays import is_weekday, moment, shift, weekday_after, weekday_on_or_before
from funnel.sales.models import BuyingInfluence, Level

HISTORY_DAYS = 425  # about fourteen months
LEVEL_MIX = {
    Level.ABOVE: 12,
    Level.IN: 10,
    Level.BEST_FEW: 6,
    Level.WON: 16,
    Level.LOST: 8,
    Level.DEAD: 4,
    Level.NURTURE: 4,
}
EUR_RATES = {"EUR": 1.0, "GBP": 0.85, "SEK": 11.2}  # one euro in each quoting currency
# The first opportunities at each level tell these stories; the others run their usual course.
STORIES: dict[str, tuple[str, ...]] = {
    # Six calls and emails in a row without an answer: the stop rule fires (docs/method.md §2.4).
    Level.ABOVE: ("ghosted", "ghosted"),
    # Idle for more than twice her sales cycle; a request answered at once; one left waiting.
    Level.IN: ("idle", "asked", "asked_late"),
    # Best few: stuck for weeks; its close date passed last week; the board signs in months.
    Level.BEST_FEW: ("stalled", "slipped", "board"),
    # Won in the last weeks; the first still waits for its delivery date (docs/method.md §3).
    Level.WON: ("waiting", "recent", "recent"),
    # Parked a quarter ago, so its nurture touch is due this week.
    Level.NURTURE: ("touch_due",),
}
# Her nurture touches come at the app's default interval (funnel.accounts.models.Profile).
NURTURE_EVERY_DAYS: int = Profile._meta.get_field("nurture_every_days").get_default()
Status = BuyingInfluence.Status
Steps = list[tuple[str, dt.date]]  # (to level, day) for each move


@dataclass
class Timeline:
    """The days an opportunity moved; the times come from the activities behind each move."""

    first_contact: dt.date
    steps: Steps
    last_touch: dt.date  # the latest day something was done: its close, or lately if open
    expected_close_on: dt.date | None
    reason: str = ""
    overridden: str = ""  # the level she moved it to with a prerequisite unmet, if any
    story: str = ""  # one of STORIES, or empty

    @property
    def level(self) -> str:
        return self.steps[-1][0] if self.steps else Level.ABOVE

    @property
    def deepest(self) -> str:
        """The furthest open level it reached."""
        reached = {level for level, _ in self.steps}
        return next((lvl for lvl in (Level.BEST_FEW, Level.IN) if lvl in reached), Level.ABOVE)

    @property
    def won_on(self) -> dt.date | None:
        return self.steps[-1][1] if self.level == Level.WON else None


def plan_timelines(rng: random.Random, levels: Sequence[str], today: dt.date) -> list[Timeline]:
    stories = {level: iter(names) for level, names in STORIES.items()}
    return [
        plan_timeline(rng, level, today, next(stories.get(level, iter(())), "")) for level in levels
    ]


Planner = Callable[[random.Random, dt.date, str], Timeline]


def plan_timeline(rng: random.Random, level: str, today: dt.date, story: str = "") -> Timeline:
    planners: dict[str, Planner] = {
        Level.ABOVE: above_timeline,
        Level.IN: in_timeline,
        Level.BEST_FEW: best_few_timeline,
        Level.WON: won_timeline,
        Level.LOST: lambda rng, today, _story: lost_timeline(rng, today),
        Level.DEAD: lambda rng, today, _story: dead_timeline(rng, today),
        Level.NURTURE: nurture_timeline,
    }
    timeline = planners[level](rng, today, story)
    timeline.story = story
    timeline.steps = working_steps(timeline.first_contact, timeline.steps)
    last_move = timeline.steps[-1][1] if timeline.steps else timeline.first_contact
    timeline.last_touch = max(timeline.last_touch, last_move)
    return timeline


def working_steps(first: dt.date, steps: Steps) -> Steps:
    """Each move on a weekday, strictly after the one before."""
    result, previous = [], first
    for level, day in steps:
        day = weekday_on_or_before(day)
        previous = day if day > previous else weekday_after(previous)
        result.append((level, previous))
    return result


def days_ago(today: dt.date, low: int, high: int, rng: random.Random) -> dt.date:
    return weekday_on_or_before(shift(today, -rng.randint(low, high)))


def descent(rng: random.Random, first: dt.date, end: dt.date, deepest: str) -> Steps:
    """The moves down to `deepest` (above, in or best few) between first contact and `end`."""
    span = (end - first).days
    steps: Steps = []
    if deepest in (Level.IN, Level.BEST_FEW):
        steps.append((Level.IN, shift(first, span * rng.uniform(0.2, 0.45))))
    if deepest == Level.BEST_FEW:
        steps.append((Level.BEST_FEW, shift(first, span * rng.uniform(0.6, 0.85))))
    return steps


def above_timeline(rng: random.Random, today: dt.date, story: str = "") -> Timeline:
    if story == "ghosted":  # room for a first talk, then six weekly attempts
        first = days_ago(today, 75, 110, rng)
        touched = days_ago(today, 1, 6, rng)
    else:
        first = weekday_on_or_before(shift(today, -rng.triangular(4, 120, 15)))
        touched = days_ago(today, 1, 20, rng)
    return Timeline(first, [], touched, still_ahead(rng, today, shift(first, rng.randint(70, 120))))


def in_timeline(rng: random.Random, today: dt.date, story: str = "") -> Timeline:
    if story == "idle":  # in the funnel for most of a year, nothing moving since
        first = days_ago(today, 270, 300, rng)
        steps: Steps = [(Level.IN, days_ago(today, 230, 250, rng))]
        close = still_ahead(rng, today, shift(first, rng.randint(60, 110)))
        return Timeline(first, steps, days_ago(today, 5, 20, rng), close)
    first = days_ago(today, 30, 160, rng)
    slipped = not story and rng.random() < 0.2  # reached the best few, then fell back
    steps = descent(rng, first, today, Level.BEST_FEW if slipped else Level.IN)
    if slipped:
        steps.append((Level.IN, shift(first, (today - first).days * rng.uniform(0.88, 0.95))))
    # A request comes after the last thing she did: answered that day, or days ago and not yet.
    touched = days_ago(today, *REQUEST_ROOM.get(story, (1, 35)), rng)
    return Timeline(
        first, steps, touched, still_ahead(rng, today, shift(first, rng.randint(60, 110)))
    )


# Days since her last touch: after the move into the funnel, which is 16 days ago or more.
REQUEST_ROOM = {"asked": (3, 12), "asked_late": (5, 12)}


def still_ahead(rng: random.Random, today: dt.date, close: dt.date) -> dt.date:
    """She moves a close date that has passed on an open deal outside Best few."""
    return max(close, shift(today, rng.randint(10, 45)))


def best_few_timeline(rng: random.Random, today: dt.date, story: str) -> Timeline:
    """Chosen lately and closing within weeks, unless it tells one of BEST_FEW_STORIES."""
    first = days_ago(today, 40, 120, rng)
    chosen = days_ago(today, 3, 25, rng)
    close = max(shift(today, rng.randint(2, 10)), shift(chosen, rng.randint(12, 30)))
    if story == "stalled":  # there for weeks; its close date came and went
        first, chosen = days_ago(today, 100, 150, rng), days_ago(today, 45, 60, rng)
        close = shift(chosen, rng.randint(14, 24))
    elif story == "slipped":  # the close date passed last week
        chosen = days_ago(today, 12, 20, rng)
        close = days_ago(today, 1, 5, rng)
    elif story == "board":  # the board signs at its quarterly meeting, weeks away
        chosen = days_ago(today, 5, 15, rng)
        close = shift(chosen, rng.randint(60, 75))
    steps = [*descent(rng, first, chosen, Level.IN), (Level.BEST_FEW, chosen)]
    touched = days_ago(today, 1, 7, rng)
    overridden = Level.BEST_FEW if story == "board" else ""
    return Timeline(first, steps, touched, close, overridden=overridden)


def sales_cycle(rng: random.Random) -> int:
    """Days from first contact to signature: mostly 45-115, now and then far quicker or slower."""
    if rng.random() < 0.12:
        return rng.choice([rng.randint(25, 35), rng.randint(140, 170)])
    return round(rng.triangular(45, 115, 70))


def won_timeline(rng: random.Random, today: dt.date, story: str = "") -> Timeline:
    cycle = sales_cycle(rng)
    won = days_ago(today, 5, 40, rng) if story else days_ago(today, 3, HISTORY_DAYS - cycle, rng)
    first = weekday_on_or_before(shift(won, -cycle))
    steps = [*descent(rng, first, won, Level.BEST_FEW), (Level.WON, won)]
    return Timeline(first, steps, won, shift(won, rng.randint(-20, 10)))


def ending(
    rng: random.Random,
    today: dt.date,
    level: str,
    span: int,
    deepest: str,
    ago: tuple[int, int],
    end: dt.date | None = None,
) -> tuple[dt.date, Steps]:
    """First contact and moves of an opportunity that left the funnel `span` days later."""
    end = end or days_ago(today, *ago, rng)
    first = weekday_on_or_before(shift(end, -span))
    return first, [*descent(rng, first, end, deepest), (level, end)]


def lost_timeline(rng: random.Random, today: dt.date) -> Timeline:
    span = rng.randint(25, 110)
    deepest = rng.choices([Level.ABOVE, Level.IN, Level.BEST_FEW], [2, 3, 3])[0]
    first, steps = ending(rng, today, Level.LOST, span, deepest, (3, HISTORY_DAYS - span))
    lost = steps[-1][1]
    reason = rng.choice(phrases.LOST_REASONS).format(year=lost.year + (lost.month >= 9))
    return Timeline(first, steps, lost, shift(lost, rng.randint(0, 40)), reason)


def dead_timeline(rng: random.Random, today: dt.date) -> Timeline:
    span = rng.randint(60, 150)
    deepest = rng.choices([Level.ABOVE, Level.IN], [3, 1])[0]
    first, steps = ending(rng, today, Level.DEAD, span, deepest, (3, HISTORY_DAYS - span))
    reason = rng.choice(phrases.DEAD_REASONS)
    return Timeline(first, steps, steps[-1][1], shift(first, rng.randint(60, 100)), reason)


def nurture_timeline(rng: random.Random, today: dt.date, story: str = "") -> Timeline:
    span = rng.randint(30, 90)
    deepest = rng.choice([Level.ABOVE, Level.IN])
    parked = parked_for_a_touch_this_week(today) if story == "touch_due" else None
    first, steps = ending(rng, today, Level.NURTURE, span, deepest, (20, 300), parked)
    return Timeline(first, steps, steps[-1][1], shift(today, rng.randint(90, 240)))


def parked_for_a_touch_this_week(today: dt.date) -> dt.date:
    """A weekday exactly one nurture interval before a weekday in the coming week."""
    for ahead in range(1, 8):
        parked = shift(today, ahead - NURTURE_EVERY_DAYS)
        if is_weekday(parked) and is_weekday(shift(parked, NURTURE_EVERY_DAYS)):
            return parked
    raise AssertionError("a week holds a weekday whose day a nurture interval back is one too")


def push_through(rng: random.Random, timelines: list[Timeline], sources: list[str]) -> None:
    """Two more moves she made with a prerequisite unmet: the quickest win, signed on a
    referral's word without reaching Best few, and a proposal written before qualifying."""
    wins = [
        index
        for index, timeline in enumerate(timelines)
        if timeline.level == Level.WON and sources[index] != phrases.EXISTING_CUSTOMER
    ]
    quickest = min(wins, key=lambda index: won_in(timelines[index]))
    quick = timelines[quickest]
    quick.steps = [step for step in quick.steps if step[0] != Level.BEST_FEW]
    quick.overridden = Level.WON
    sources[quickest] = "Referral"
    hasty = [
        timeline
        for timeline in timelines
        if [level for level, _ in timeline.steps] == [Level.IN, Level.LOST]
    ]
    if hasty:
        rng.choice(hasty).overridden = Level.IN


def won_in(timeline: Timeline) -> int:
    assert timeline.won_on, "only won timelines have a cycle"
    return (timeline.won_on - timeline.first_contact).days


def plan_sources(rng: random.Random, slots: list[int], timelines: list[Timeline]) -> list[str]:
    """Where each lead came from; a customer who already bought from us comes back as such."""
    sources = [rng.choices(phrases.SOURCES, phrases.SOURCE_WEIGHTS)[0] for _ in slots]
    for index, organisation in enumerate(slots):
        wins = [t.won_on for other, t in enumerate(timelines) if slots[other] == organisation]
        if any(won and won < timelines[index].first_contact for won in wins):
            sources[index] = phrases.EXISTING_CUSTOMER
    return sources


def plan_opportunity(
    rng: random.Random,
    index: int,
    organisation: OrganisationPlan,
    staff: list[int],
    timeline: Timeline,
    source: str,
    titles: set[str],
) -> OpportunityPlan:
    """`titles` are those already sold to this organisation; the new one joins them."""
    service = pick_service(rng, organisation.sector, titles)
    titles.add(service.title)
    # The year the work would happen: after the (expected) close, and never in the past.
    close = max(timeline.expected_close_on or timeline.last_touch, timeline.last_touch)
    year = shift(close, 45).year
    currency = COUNTRY_BY_CODE[organisation.country].currency
    return OpportunityPlan(
        title=service.title.format(year=year),
        organisation=index,
        main_contact=staff[0] if len(staff) == 1 or rng.random() < 0.4 else rng.choice(staff[1:]),
        value=price(rng, service, organisation.size, currency),
        currency=currency,
        source=source,
        first_contact_on=timeline.first_contact,
        expected_close_on=timeline.expected_close_on,
        started=moment(rng, timeline.first_contact),
        story=timeline.story,
    )


def pick_service(rng: random.Random, sector: str, taken: set[str]) -> Service:
    fitting = [
        service
        for service in phrases.SERVICES
        if (not service.sectors or sector in service.sectors) and service.title not in taken
    ]
    return rng.choice(fitting)


def price(rng: random.Random, service: Service, size: int, currency: str) -> Decimal:
    """A round figure, as a consultant would quote it; bigger clients buy bigger versions."""
    factor = 0.75 if size < 15 else 1.3 if size > 80 else 1.0
    euros = min(60000.0, max(1500.0, rng.uniform(service.low, service.high) * factor))
    amount = euros * EUR_RATES[currency]
    step = 250 if amount < 5000 else 500 if amount < 20000 else 1000 if amount < 100000 else 5000
    return Decimal(max(step, round(amount / step) * step))


def plan_influences(
    rng: random.Random,
    timeline: Timeline,
    staff: list[int],
    main_contact: int,
    people: list[PersonPlan],
) -> list[InfluencePlan]:
    """Buying influences as they stand today, consistent with the level reached."""
    level = timeline.level
    # Off the funnel, the influences stayed as they were at the deepest level reached.
    stage = timeline.deepest if level in (Level.LOST, Level.DEAD, Level.NURTURE) else level
    untracked: float = {Level.ABOVE.value: 0.3, Level.DEAD.value: 0.25}.get(level, 0)
    if rng.random() < untracked and stage == Level.ABOVE:
        return []
    involved = staff if stage != Level.ABOVE else sorted({staff[0], main_contact})
    influences = []
    for person in involved:
        role = people[person].role
        if role != BuyingInfluence.Role.ECONOMIC and rng.random() < 0.25:
            role = BuyingInfluence.Role.COACH
        status, fit = influence_state(rng, stage, level, role, person == main_contact)
        notes = rng.choice(phrases.INFLUENCE_NOTES[role]) if rng.random() < 0.3 else ""
        influences.append(InfluencePlan(person, role, status, fit, notes))
    return influences


def influence_state(
    rng: random.Random, stage: str, level: str, role: str, is_main_contact: bool
) -> tuple[str, bool]:
    """(status, fit confirmed) for one influence at the stage the opportunity reached."""
    if stage in (Level.BEST_FEW, Level.WON):
        lost_them = level == Level.LOST and role == BuyingInfluence.Role.ECONOMIC
        return (Status.CONTACTED if lost_them else Status.SATISFIED), True
    if is_main_contact:
        # In the funnel means the fit was confirmed; nurture keeps qualified prospects only.
        return Status.CONTACTED, stage == Level.IN or level == Level.NURTURE
    if stage == Level.IN and rng.random() < 0.5:
        return Status.CONTACTED, rng.random() < 0.4
    return Status.UNKNOWN, False


def stage_influences(opportunity: OpportunityPlan, overridden: str) -> None:
    """Before each move through a gate, the buying influences as they stood at the time.

    Into the funnel: the main contact confirmed the fit (unless she pushed it through), the
    economic buyer known by name only. Into Best few: everyone satisfied. Straight to won from
    In the funnel: everyone contacted, nobody satisfied yet.
    """
    final, main = opportunity.influences, opportunity.main_contact
    level: str = Level.ABOVE
    for move in opportunity.moves:
        if (level, move.to_level) == (Level.ABOVE, Level.IN):
            move.influences = qualifying(final, main, fit=move.to_level != overridden)
        elif (level, move.to_level) == (Level.IN, Level.BEST_FEW):
            move.influences = [
                replace(i, status=Status.SATISFIED, fit_confirmed=True) for i in final
            ]
        elif (level, move.to_level) == (Level.IN, Level.WON):
            move.influences = [
                replace(i, status=Status.CONTACTED, fit_confirmed=i.person == main) for i in final
            ]
        level = move.to_level


def qualifying(influences: list[InfluencePlan], main: int, fit: bool) -> list[InfluencePlan]:
    known = []
    for influence in influences:
        if influence.person == main:
            known.append(replace(influence, status=Status.CONTACTED, fit_confirmed=fit))
        elif influence.role == BuyingInfluence.Role.ECONOMIC:
            known.append(replace(influence, status=Status.UNKNOWN, fit_confirmed=False))
    return known
