"""The benchmark data set: one user with a large, believable funnel, written with bulk inserts.

At scale 1: 5,000 organisations, 10,000 people, 20,000 opportunities (a tenth of them at each
open level, the rest won, lost, dead or nurtured), their buying influences and level history,
100,000 activities, about 8,000 follow-ups (each open opportunity's next step, and a year of
done and cancelled ones), and an ideal customer profile with some ratings. The same seed gives the
same data, dated relative to `now`. Names, titles and notes come from the demo's word lists.

The level history is bulk-inserted rather than written through move_opportunity: the gates it
checks are not what this data set is for, and 60,000 single inserts would take minutes.
"""

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from decimal import Decimal
from itertools import chain, islice
from time import perf_counter
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery

from funnel.accounts.actions import create_user
from funnel.accounts.models import Team
from funnel.contacts.models import Organisation, Person
from funnel.demo import names, phrases
from funnel.demo.activities import KIND_CHANNELS, MINUTES, SIGNAL_CHANNELS
from funnel.demo.workdays import ROME, WORK_HOURS
from funnel.fit.actions import refresh_fit
from funnel.fit.models import FitCriterion, Rating
from funnel.followup.models import FollowUp, Kind
from funnel.followup.models import Status as FollowUpStatus
from funnel.lib.channels import Channel
from funnel.sales.models import (
    OPEN_LEVELS,
    Activity,
    BuyingInfluence,
    Level,
    LevelChange,
    Opportunity,
)

USERNAME = "bench"
TIME_ZONE = ROME  # the user's; "due today" is today there
BATCH = 5000  # rows built in memory at a time; Django splits them further for SQLite


@dataclass(frozen=True)
class Sizes:
    organisations: int = 5_000
    people: int = 10_000
    opportunities: int = 20_000
    activities: int = 100_000
    done_follow_ups: int = 2_000
    cancelled_follow_ups: int = 400

    def scaled(self, scale: float) -> "Sizes":
        return Sizes(*(max(1, round(count * scale)) for count in astuple(self)))


# Percent of all opportunities at each level: a third of the open ones at each open level.
LEVEL_SHARES: dict[str, int] = {
    Level.ABOVE: 10,
    Level.IN: 10,
    Level.BEST_FEW: 10,
    Level.WON: 30,
    Level.LOST: 20,
    Level.DEAD: 10,
    Level.NURTURE: 10,
}
# The moves after "created above the funnel" that end at each level; repeats weigh a path.
PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    Level.ABOVE: ((),),
    Level.IN: ((Level.IN,),),
    Level.BEST_FEW: ((Level.IN, Level.BEST_FEW),) * 6
    + ((Level.IN, Level.BEST_FEW, Level.IN, Level.BEST_FEW),),
    Level.WON: ((Level.IN, Level.BEST_FEW, Level.WON),),
    Level.LOST: ((Level.IN, Level.LOST), (Level.IN, Level.BEST_FEW, Level.LOST)),
    Level.DEAD: ((Level.DEAD,), (Level.IN, Level.DEAD)),
    Level.NURTURE: ((Level.NURTURE,), (Level.NURTURE,), (Level.IN, Level.NURTURE)),
}
# How many buying influences (smallest, largest), and how far along they are:
# weights of (not contacted, contacted, satisfied).
INFLUENCES: dict[str, tuple[tuple[int, int], tuple[int, int, int]]] = {
    Level.ABOVE: ((0, 2), (6, 3, 1)),
    Level.IN: ((3, 5), (2, 5, 3)),
    Level.BEST_FEW: ((3, 6), (0, 3, 7)),
    Level.WON: ((2, 5), (0, 2, 8)),
    Level.LOST: ((1, 4), (2, 5, 3)),
    Level.DEAD: ((1, 2), (5, 4, 1)),
    Level.NURTURE: ((1, 3), (3, 5, 2)),
}
# How busy an opportunity's history is, relative to the others.
ACTIVITY_WEIGHTS: dict[str, int] = {
    Level.ABOVE: 2,
    Level.IN: 5,
    Level.BEST_FEW: 8,
    Level.WON: 6,
    Level.LOST: 4,
    Level.DEAD: 3,
    Level.NURTURE: 3,
}
POOLS: dict[str, tuple[phrases.Line, ...]] = {
    Level.ABOVE: phrases.QUALIFY,
    Level.IN: phrases.DEVELOP,
    Level.BEST_FEW: phrases.CLOSE,
    Level.WON: phrases.AFTER_SALE,
    Level.LOST: phrases.DEVELOP,
    Level.DEAD: phrases.CHASE,
    Level.NURTURE: phrases.KEEP_IN_TOUCH,
}
REASONS: dict[str, tuple[str, ...]] = {
    Level.LOST: phrases.LOST_REASONS,
    Level.DEAD: phrases.DEAD_REASONS,
}
SHOWCASE_ACTIVITIES = 300  # on one Best few opportunity, for the opportunity page's timing
NEXT_STEPS = (
    "Call to agree the next meeting",
    "Send the revised proposal",
    "Book a meeting with the economic buyer",
    "Check they received the proposal",
    "Send two case studies from their sector",
    "Confirm the start date",
    "Ask who else has a say in the decision",
    "Follow up on the budget approval",
)
VALUES_TO_BRING = (
    "A case study from their sector",
    "The figures from last quarter's pilot",
    "An answer to their question about delivery times",
    "News: the new service plan",
    "",
    "",
)
FOLLOW_UP_CHANNELS = (Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.VIDEO, Channel.MEETING)
DONE_OUTCOMES = ("reached", "reached", "replied", "no_answer", "meeting_booked")
LEGAL_FORMS = {"IT": "Srl", "NL": "BV", "SE": "AB", "ES": "SL", "US": "Inc", "AU": "Pty Ltd"}
SECTOR_WORDS = {
    "Hospitality": ("Hotels", "Hospitality", "Resorts"),
    "Manufacturing": ("Industries", "Engineering", "Components"),
    "Food production": ("Foods", "Dairy", "Bakeries"),
    "Retail": ("Stores", "Retail", "Outlets"),
    "Healthcare": ("Clinic", "Care", "Dental"),
    "Software": ("Software", "Systems", "Labs"),
    "Logistics": ("Logistics", "Transport", "Freight"),
    "Construction": ("Building", "Construction", "Contractors"),
    "Education": ("Academy", "Learning", "Schools"),
    "Professional services": ("Partners", "Advisory", "Consulting"),
}
COUNTRY = {country.code: country for country in names.COUNTRIES}
TITLES = names.ECONOMIC_TITLES + names.USER_TITLES + names.TECHNICAL_TITLES
Status = BuyingInfluence.Status
M = TypeVar("M", bound=models.Model)


@dataclass
class Story:
    """How one opportunity went: its moves, and the people involved (main contact first)."""

    level: str
    moves: list[tuple[str, dt.datetime]]  # (to level, when); the first is its creation
    organisation: Organisation | None
    people: list[int]
    influences: int  # how many of `people` are buying influences

    @property
    def start(self) -> dt.datetime:
        return self.moves[0][1]

    @property
    def end(self) -> dt.datetime:
        return self.moves[-1][1]

    def level_at(self, moment: dt.datetime) -> str:
        return next(level for level, at in reversed(self.moves) if at <= moment)


class Progress:
    """One line per stage: what was written, how long it took, and the time so far."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.started = self.last = perf_counter()

    def done(self, what: str) -> None:
        now = perf_counter()
        self.say(f"{what:<48} {now - self.last:5.1f} s   (total {now - self.started:5.1f} s)")
        self.last = now


def days(count: float) -> dt.timedelta:
    return dt.timedelta(days=count)


def insert(model: type[M], rows: Iterable[M]) -> list[M]:
    """bulk_create, returning the rows with their ids."""
    return model._default_manager.bulk_create(list(rows))


def stream(model: type[M], rows: Iterable[M]) -> int:
    """bulk_create a few thousand rows at a time, so a large table never sits in memory."""
    count, iterator = 0, iter(rows)
    while chunk := list(islice(iterator, BATCH)):
        count += len(model._default_manager.bulk_create(chunk))
    return count


def build(
    *,
    password: str,
    scale: float = 1.0,
    seed: int = 1,
    now: dt.datetime | None = None,
    say: Callable[[str], None] = print,
) -> User:
    """Create the benchmark user and their data set in a migrated database without them."""
    if User.objects.filter(username=USERNAME).exists():
        raise ValueError(f"This database already has a user called {USERNAME}.")
    rng, sizes = random.Random(seed), Sizes().scaled(scale)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    progress = Progress(say)
    with transaction.atomic():
        user = create_user(
            username=USERNAME, password=password, time_zone=str(TIME_ZONE), currency="EUR"
        )
        progress.done(f"user {USERNAME}, their team and profile")
        team = user.profile.team
        write_selling(rng, sizes, team, user, now, progress)
        refresh_fit(organisations=Organisation.objects.filter(team=team))
        progress.done("fit scores refreshed")
    return user


def write_selling(
    rng: random.Random,
    sizes: Sizes,
    team: Team,
    user: User,
    now: dt.datetime,
    progress: Progress,
) -> None:
    organisations, weights = write_organisations(rng, team, sizes.organisations)
    progress.done(f"{len(organisations):,} organisations")
    people, by_organisation = write_people(rng, team, organisations, weights, sizes.people)
    progress.done(f"{len(people):,} people")
    ratings = write_profile(rng, team, organisations)
    progress.done(f"ideal customer profile, {ratings:,} ratings")
    stories = [
        plan_story(rng, level, organisation, by_organisation, people, now)
        for level, organisation in zip(
            levels(rng, sizes.opportunities),
            rng.choices(organisations, weights, k=sizes.opportunities),
            strict=True,
        )
    ]
    opportunities = insert(
        Opportunity, (opportunity_of(rng, team, user, story, now) for story in stories)
    )
    progress.done(f"{len(opportunities):,} opportunities")
    changes, influences = write_history(rng, user, opportunities, stories)
    progress.done(f"{changes:,} level changes, {influences:,} buying influences")
    count = write_activities(rng, team, user, opportunities, stories, people, sizes, now)
    progress.done(f"{count:,} activities")
    count = write_follow_ups(rng, team, user, opportunities, stories, sizes, now)
    progress.done(f"{count:,} follow-ups")
    backdate(team)
    progress.done("creation dates set to the story's")


def write_organisations(
    rng: random.Random, team: Team, count: int
) -> tuple[list[Organisation], list[float]]:
    """The organisations, and how often each one buys (a few big customers, a long tail)."""
    taken: set[str] = set()
    rows = insert(Organisation, (organisation_of(rng, team, taken) for _ in range(count)))
    return rows, [min(rng.paretovariate(1.2), 40.0) for _ in rows]


def organisation_of(rng: random.Random, team: Team, taken: set[str]) -> Organisation:
    country = rng.choices(names.COUNTRIES, [c.quota for c in names.COUNTRIES])[0]
    sector = rng.choice(list(SECTOR_WORDS))
    name = company_name(rng, country, sector, taken)
    low, high = names.SECTOR_SIZES[sector]
    return Organisation(
        team_id=team.pk,
        name=name,
        sector=sector if rng.random() < 0.95 else "",
        size=rng.randint(low, high) if rng.random() < 0.9 else None,
        country=country.code,
        city=rng.choice(country.cities)[0],
    )


def company_name(rng: random.Random, country: names.Country, sector: str, taken: set[str]) -> str:
    """`Rossi Logistics Srl`, `Jansen & De Vries Foods BV`: unique in the team, as required."""
    form = LEGAL_FORMS.get(country.code, "Ltd")
    for attempt in range(20):
        owners = rng.sample(country.surnames, 2 if rng.random() < 0.5 else 1)
        name = f"{' & '.join(owners)} {rng.choice(SECTOR_WORDS[sector])} {form}"
        if attempt == 19:
            name = f"{name} {len(taken)}"
        if name.casefold() not in taken:
            taken.add(name.casefold())
            return name
    raise AssertionError("unreachable: the last attempt is always unique")


def write_people(
    rng: random.Random,
    team: Team,
    organisations: list[Organisation],
    weights: list[float],
    count: int,
) -> tuple[list[int], dict[int, list[int]]]:
    """One person at each organisation first, the rest where business is busiest; a few
    freelancers belong to none. Returns their ids, and the ids at each organisation."""
    homes: list[Organisation | None] = list(organisations[:count])
    others = rng.choices(organisations, weights, k=count - len(homes))
    homes += [None if rng.random() < 0.05 else home for home in others]
    rows = insert(Person, (person_of(rng, team, home) for home in homes))
    by_organisation: dict[int, list[int]] = {}
    for person in rows:
        if person.organisation_id is not None:
            by_organisation.setdefault(person.organisation_id, []).append(person.pk)
    return [person.pk for person in rows], by_organisation


def person_of(rng: random.Random, team: Team, organisation: Organisation | None) -> Person:
    country = COUNTRY[organisation.country] if organisation else rng.choice(names.COUNTRIES)
    return Person(
        team_id=team.pk,
        name=f"{rng.choice(country.first_names)} {rng.choice(country.surnames)}",
        job_title=rng.choice(TITLES) if organisation else "Freelance consultant",
        organisation=organisation,
        preferred_channel=rng.choice([*Channel.values, ""]),
        language=country.language,
    )


def write_profile(rng: random.Random, team: Team, organisations: list[Organisation]) -> int:
    """Demographic criteria next to the default psychographic ones, and some ratings."""
    FitCriterion.objects.bulk_create(
        FitCriterion(team=team, kind=FitCriterion.Kind.DEMOGRAPHIC, position=position, **fields)
        for position, fields in enumerate(
            [
                {
                    "name": "Sector",
                    "attribute": "sector",
                    "accepted": "Manufacturing, Logistics, Food production, Software",
                    "weight": 4,
                },
                {"name": "Country", "attribute": "country", "accepted": "IT, NL, SE", "weight": 3},
                {"name": "Size", "attribute": "size", "minimum": 10, "maximum": 150, "weight": 3},
            ]
        )
    )
    traits = list(FitCriterion.objects.filter(team=team, kind=FitCriterion.Kind.PSYCHOGRAPHIC))
    return stream(
        Rating,
        (
            Rating(organisation=organisation, criterion=trait, value=rng.randint(1, 5))
            for organisation in organisations
            if rng.random() < 0.6
            for trait in rng.sample(traits, rng.randint(1, min(3, len(traits))))
        ),
    )


def levels(rng: random.Random, count: int) -> list[str]:
    """Each level's share of `count`, shuffled; rounding leftovers are won."""
    shares = [[level] * (count * share // 100) for level, share in LEVEL_SHARES.items()]
    result = [level for share in shares for level in share]
    result += [Level.WON] * (count - len(result))
    rng.shuffle(result)
    return result


def plan_story(
    rng: random.Random,
    level: str,
    organisation: Organisation,
    by_organisation: dict[int, list[int]],
    people: list[int],
    now: dt.datetime,
) -> Story:
    customer: Organisation | None = organisation
    if rng.random() < 0.05:  # sold to a person on their own, not to an organisation
        customer = None
    staff = by_organisation.get(organisation.pk, []) if customer else []
    (low, high), _ = INFLUENCES[level]
    wanted = rng.randint(low, high)
    involved = rng.sample(staff, min(len(staff), max(wanted, 1)))
    while len(involved) < max(wanted, 1):  # a small customer: outsiders have a say too
        person = rng.choice(people)
        if person not in involved:
            involved.append(person)
    return Story(level, plan_moves(rng, level, now), customer, involved, wanted)


def plan_moves(rng: random.Random, level: str, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """Created above the funnel, then each move of the path, the last one at `end`."""
    path = (Level.ABOVE, *rng.choice(PATHS[level]))
    if level in OPEN_LEVELS:
        end = now - days(rng.uniform(0.05, 30 if len(path) > 1 else 150))
        span = rng.uniform(7, 240)
    else:
        end = now - days(rng.uniform(2, 700))
        span = rng.uniform(20, 300)
    if len(path) == 1:
        return [(Level.ABOVE, end)]
    start = end - days(span)
    middle = sorted(start + days(rng.uniform(0, span)) for _ in path[2:])
    return list(zip(path, [start, *middle, end], strict=True))


def opportunity_of(
    rng: random.Random, team: Team, user: User, story: Story, now: dt.datetime
) -> Opportunity:
    sector = story.organisation.sector if story.organisation else ""
    service = rng.choice([s for s in phrases.SERVICES if not s.sectors or sector in s.sectors])
    next_step, next_step_at = plan_next_step(rng, now) if story.level in OPEN_LEVELS else ("", None)
    reason = rng.choice(REASONS[story.level]) if story.level in REASONS else ""
    return Opportunity(
        team_id=team.pk,
        owner_id=user.pk,
        title=service.title.format(year=story.start.year),
        organisation=story.organisation,
        main_contact_id=story.people[0],
        value=Decimal(rng.randrange(service.low, service.high + 1, 250)),
        currency="EUR",
        level=story.level,
        level_changed=story.end,
        first_contact_on=story.start.astimezone(TIME_ZONE).date(),
        expected_close_on=expected_close(rng, story, now),
        source=rng.choices(phrases.SOURCES, phrases.SOURCE_WEIGHTS)[0],
        next_step=next_step,
        next_step_at=next_step_at,
        reason=reason.format(year=story.end.year),
    )


def plan_next_step(rng: random.Random, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """Most due in the coming weeks; some overdue, some today, a few forgotten."""
    roll = rng.random()
    if roll < 0.03:
        return "", None
    if roll < 0.15:
        at = now - days(rng.uniform(0.05, 30))
    elif roll < 0.25:
        today = now.astimezone(TIME_ZONE).date()
        at = dt.datetime.combine(today, dt.time(rng.choice(WORK_HOURS)), TIME_ZONE)
    else:
        at = now + days(rng.uniform(1, 45))
    return rng.choice(NEXT_STEPS), at.replace(second=0, microsecond=0)


def expected_close(rng: random.Random, story: Story, now: dt.datetime) -> dt.date | None:
    if story.level in (Level.WON, Level.LOST):
        return story.end.date()
    if story.level not in OPEN_LEVELS or (story.level == Level.ABOVE and rng.random() < 0.5):
        return None
    return max(story.start, now + days(rng.uniform(-15, 150))).date()


def write_history(
    rng: random.Random, user: User, opportunities: list[Opportunity], stories: list[Story]
) -> tuple[int, int]:
    changes = stream(
        LevelChange,
        (
            LevelChange(
                opportunity_id=opportunity.pk,
                at=at,
                by_id=user.pk,
                from_level=story.moves[index - 1][0] if index else "",
                to_level=level,
                reason=opportunity.reason if level == opportunity.level else "",
            )
            for opportunity, story in zip(opportunities, stories, strict=True)
            for index, (level, at) in enumerate(story.moves)
        ),
    )
    influences = stream(
        BuyingInfluence,
        (
            influence
            for opportunity, story in zip(opportunities, stories, strict=True)
            for influence in influences_of(rng, opportunity, story)
        ),
    )
    return changes, influences


def influences_of(
    rng: random.Random, opportunity: Opportunity, story: Story
) -> Iterator[BuyingInfluence]:
    """The main contact first, the economic buyer once the opportunity is in the funnel."""
    _, status_weights = INFLUENCES[story.level]
    for index, person in enumerate(story.people[: story.influences]):
        if index == 0 and (story.level != Level.ABOVE or rng.random() < 0.5):
            role = BuyingInfluence.Role.ECONOMIC
        else:
            role = rng.choice([BuyingInfluence.Role.USER, BuyingInfluence.Role.TECHNICAL] * 2)
            role = BuyingInfluence.Role.COACH if rng.random() < 0.15 else role
        status = rng.choices(Status.values, status_weights)[0]
        yield BuyingInfluence(
            opportunity_id=opportunity.pk,
            person_id=person,
            role=role,
            status=status,
            fit_confirmed=status == Status.SATISFIED and rng.random() < 0.8,
        )


def write_activities(
    rng: random.Random,
    team: Team,
    user: User,
    opportunities: list[Opportunity],
    stories: list[Story],
    people: list[int],
    sizes: Sizes,
    now: dt.datetime,
) -> int:
    """Most about an opportunity, busier ones getting more; a twelfth with a person only."""
    about_people = sizes.activities // 12
    subjects = showcase(stories) * min(SHOWCASE_ACTIVITIES, sizes.activities // 20)
    weights = [ACTIVITY_WEIGHTS[story.level] * rng.uniform(0.5, 1.5) for story in stories]
    left = sizes.activities - about_people - len(subjects)
    subjects += rng.choices(range(len(stories)), weights, k=left)
    rows = chain(
        (about_opportunity(rng, team, user, opportunities[i], stories[i], now) for i in subjects),
        (with_person(rng, team, user, rng.choice(people), now) for _ in range(about_people)),
    )
    return stream(Activity, rows)


def showcase(stories: Sequence[Story]) -> list[int]:
    """The Best few opportunity with the most buying influences, if there is one."""
    best_few = [i for i, story in enumerate(stories) if story.level == Level.BEST_FEW]
    return [max(best_few, key=lambda i: stories[i].influences)] if best_few else []


def about_opportunity(
    rng: random.Random,
    team: Team,
    user: User,
    opportunity: Opportunity,
    story: Story,
    now: dt.datetime,
) -> Activity:
    """Something done while it sat at some level, mostly with its main contact."""
    until = story.end if story.level in (Level.LOST, Level.DEAD) else now
    occurred = story.start + (until - story.start) * rng.random()
    person = story.people[0] if rng.random() < 0.7 else rng.choice(story.people)
    line = rng.choice(POOLS[story.level_at(occurred)])
    activity = activity_of(rng, team, user, line, occurred)
    activity.opportunity_id, activity.person_id = opportunity.pk, person
    return activity


def with_person(
    rng: random.Random, team: Team, user: User, person: int, now: dt.datetime
) -> Activity:
    line = rng.choice(phrases.PERSON_ONLY)
    activity = activity_of(rng, team, user, line, now - days(rng.uniform(0, 700)))
    activity.person_id = person
    return activity


def activity_of(
    rng: random.Random, team: Team, user: User, line: phrases.Line, occurred: dt.datetime
) -> Activity:
    kind, outcome, notes = line
    low, high = MINUTES[kind]
    return Activity(
        team_id=team.pk,
        by_id=user.pk,
        kind=kind,
        occurred=occurred.replace(microsecond=0),
        channel=rng.choice(SIGNAL_CHANNELS) if kind.endswith("signal") else KIND_CHANNELS[kind],
        outcome=outcome,
        minutes=5 if outcome == "no_answer" else rng.randrange(low, high + 1, 5),
        notes=notes,
    )


def write_follow_ups(
    rng: random.Random,
    team: Team,
    user: User,
    opportunities: list[Opportunity],
    stories: list[Story],
    sizes: Sizes,
    now: dt.datetime,
) -> int:
    """Each open opportunity's next step as its one planned follow-up, as sync_next_step would
    leave them; and a year of done and cancelled ones, busier opportunities having more."""
    planned = (
        follow_up_of(rng, team, user, opportunity, story, opportunity.next_step_at)
        for opportunity, story in zip(opportunities, stories, strict=True)
        if opportunity.next_step_at is not None
    )
    year_ago = now - days(365)
    lived = [i for i, story in enumerate(stories) if past_end(story, now) > year_ago]
    weights = [ACTIVITY_WEIGHTS[stories[i].level] for i in lived]
    done = [False] * sizes.cancelled_follow_ups + [True] * sizes.done_follow_ups
    past = rng.choices(lived, weights, k=len(done)) if lived else []
    history = (
        past_follow_up(rng, team, user, opportunities[i], stories[i], year_ago, now, done=d)
        for i, d in zip(past, done, strict=False)  # none at all if nothing lived this year
    )
    return stream(FollowUp, chain(planned, history))


def past_end(story: Story, now: dt.datetime) -> dt.datetime:
    return now if story.level in OPEN_LEVELS else story.end


def follow_up_of(
    rng: random.Random,
    team: Team,
    user: User,
    opportunity: Opportunity,
    story: Story,
    due_at: dt.datetime,
) -> FollowUp:
    return FollowUp(
        team_id=team.pk,
        opportunity_id=opportunity.pk,
        person_id=story.people[0],
        assigned_to_id=user.pk,
        kind=Kind.FOLLOW_UP,
        due_at=due_at,
        minutes=rng.choice([15, 30, 30, 45, 60]),
        channel=rng.choice(FOLLOW_UP_CHANNELS),
        purpose=opportunity.next_step or rng.choice(NEXT_STEPS),
        value_to_bring=rng.choice(VALUES_TO_BRING),
        sequence=rng.choice([0, 0, 0, 1, 2]),
    )


def past_follow_up(
    rng: random.Random,
    team: Team,
    user: User,
    opportunity: Opportunity,
    story: Story,
    year_ago: dt.datetime,
    now: dt.datetime,
    *,
    done: bool,
) -> FollowUp:
    """Done (with an outcome) or cancelled, during the opportunity's life in the past year."""
    start, end = max(story.start, year_ago), past_end(story, now)
    at = (start + (end - start) * rng.random()).replace(second=0, microsecond=0)
    follow_up = follow_up_of(rng, team, user, opportunity, story, at)
    follow_up.purpose = rng.choice(NEXT_STEPS)
    follow_up.status = FollowUpStatus.DONE if done else FollowUpStatus.CANCELLED
    follow_up.outcome = rng.choice(DONE_OUTCOMES) if done else ""
    follow_up.sequence += 1
    return follow_up


def backdate(team: Team) -> None:
    """bulk_create stamps created/updated with the current time; use the story's instead."""
    Activity.objects.filter(team=team).update(created=F("occurred"))
    # Done or cancelled when it was due; the planned ones were last changed now.
    FollowUp.objects.filter(team=team).exclude(status=FollowUpStatus.PLANNED).update(
        created=F("due_at"), updated=F("due_at")
    )
    created = LevelChange.objects.filter(opportunity=OuterRef("pk"), from_level="").values("at")
    Opportunity.objects.filter(team=team).update(
        created=Subquery(created[:1]), updated=F("level_changed")
    )
