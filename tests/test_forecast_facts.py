"""The forecast's input loaded from the database, and its result kept: which opportunities the
outlook reads, when the kept outlook is stale, and how pages read it without computing or
writing (funnel.forecast.facts)."""

import dataclasses
import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.models import Profile
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import delete_opportunity
from funnel.forecast import facts
from funnel.forecast.alerts import DrySpell, StopAhead
from funnel.forecast.facts import compute, decode, encode, load_history, outlook_for, refresh
from funnel.forecast.model import Band, Basis, Forecast, Month
from funnel.forecast.models import StoredOutlook
from funnel.forecast.outlook import Outlook
from funnel.forecast.paths import LEVELS, Conversion, Path
from funnel.sales.actions import move_opportunity
from funnel.sales.models import Level, Opportunity
from tests.forecast_helpers import NOW, Life, prospecting_history, write_history
from tests.helpers import present

UTC = dt.UTC
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
TODAY = NOW.date()
LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rome(owner: User, clock: time_machine.Traveller) -> User:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return fresh(owner)


def fresh(user: User) -> User:
    """The user and profile as stored now, as a request or the worker reads them."""
    return User.objects.select_related("profile").get(pk=user.pk)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def deals(user: User, organisation: Organisation, count: int) -> None:
    """count opportunities found in the last months: some won, some open."""
    lives = []
    for index in range(count):
        found = NOW - dt.timedelta(days=5 + 3 * index)
        moves = [(found, "above"), (found + dt.timedelta(days=2), "in")]
        if index % 3 == 0:
            moves.append((found + dt.timedelta(days=4), "won"))
        lives.append(Life(tuple(moves), value=1000 + index))
    write_history(user, organisation, lives)


def load_paths(profile: Profile, *, as_of: dt.date) -> list[Path]:
    """What load_history reads, as one Path per opportunity with a move known by as_of."""
    history = load_history(profile, as_of=as_of)
    moves: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for path, day, level in zip(history.path, history.day, history.level, strict=True):
        moves[int(path)].append((dt.date.fromordinal(int(day)), LEVELS[int(level)]))
    return [Path(tuple(moves[i]), float(history.value[i])) for i in sorted(moves)]


# Which opportunities the outlook reads


def test_a_users_opportunities_become_paths_of_their_local_days_and_values(
    rome: User, organisation: Organisation, outsider: User, outsider_organisation: Organisation
) -> None:
    late_at_night = utc(2026, 3, 10, 23, 30)  # 0:30 on the 11th in Rome
    won_after_midnight_in_rome = utc(2026, 5, 5, 22, 30)  # 0:30 on 6 May in Rome (summer time)
    moves = (
        (late_at_night, "above"),
        (utc(2026, 4, 1, 8), "in"),
        (won_after_midnight_in_rome, "won"),
    )
    write_history(rome, organisation, [Life(moves, value=2500)])
    write_history(rome, organisation, [Life(((utc(2026, 6, 1, 9), "above"),), currency="USD")])
    write_history(outsider, outsider_organisation, [Life(((utc(2026, 6, 1, 9), "above"),))])

    paths = load_paths(rome.profile, as_of=TODAY)

    expected = (
        (dt.date(2026, 3, 11), "above"),
        (dt.date(2026, 4, 1), "in"),
        (dt.date(2026, 5, 6), "won"),
    )
    assert paths == [Path(expected, 2500.0)]


ZONES = [
    "Europe/Rome",
    "America/New_York",
    "America/Santiago",  # the clocks change at midnight
    "America/St_Johns",  # half an hour off the hour
    "Asia/Kathmandu",  # a quarter of an hour off
    "Australia/Lord_Howe",  # summer time moves the clocks by half an hour
    "Pacific/Chatham",
]


def moments_near_midnight(zone: ZoneInfo) -> list[dt.datetime]:
    """Just before, at and just after each local midnight of 2025 and 2026, and every ten
    minutes around each change of the clocks."""
    moments = []
    day = dt.date(2025, 1, 1)
    while day < dt.date(2027, 1, 1):
        midnight = dt.datetime.combine(day, dt.time(), zone).astimezone(UTC)
        moments += [
            midnight - dt.timedelta(seconds=0.4),
            midnight,
            midnight + dt.timedelta(minutes=59),
        ]
        following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        if following.utcoffset() != midnight.astimezone(zone).utcoffset():
            moments += [midnight + dt.timedelta(minutes=10 * n) for n in range(-144, 288)]
        day += dt.timedelta(days=1)
    return sorted(set(moments))


@pytest.mark.parametrize("zone", ZONES)
def test_every_move_counts_on_the_users_local_day_in_any_time_zone(
    owner: User, organisation: Organisation, zone: str
) -> None:
    owner.profile.time_zone = zone
    owner.profile.save(update_fields=["time_zone"])
    moments = moments_near_midnight(ZoneInfo(zone))
    levels = itertools.cycle(["above", "in"])
    write_history(owner, organisation, [Life(tuple(zip(moments, levels, strict=False)))])

    (path,) = load_paths(fresh(owner).profile, as_of=dt.date(2027, 1, 2))

    expected = [timezone.localdate(moment, ZoneInfo(zone)) for moment in moments]
    assert [day for day, _level in path.moves] == expected


def test_an_old_closed_opportunity_is_left_out_and_an_old_open_one_kept(
    rome: User, organisation: Organisation
) -> None:
    lost_long_ago = ((utc(2022, 2, 1, 9), "above"), (utc(2022, 3, 1, 9), "lost"))
    open_since_long_ago = ((utc(2021, 5, 3, 9), "above"),)
    lost_within_three_years = ((utc(2022, 2, 1, 9), "above"), (utc(2024, 6, 3, 9), "lost"))
    write_history(
        rome,
        organisation,
        [Life(lost_long_ago), Life(open_since_long_ago), Life(lost_within_three_years)],
    )

    paths = load_paths(rome.profile, as_of=TODAY)

    assert sorted(path.moves[0][0] for path in paths) == [dt.date(2021, 5, 3), dt.date(2022, 2, 1)]
    assert {path.level for path in paths} == {"above", "lost"}
    assert len(next(p for p in paths if p.level == "lost").moves) == 2  # its whole history


def test_the_practice_the_tests_write_is_kept_as_funnel_keeps_it(
    rome: User, organisation: Organisation
) -> None:
    """Each opportunity at its last move's level since that move (tests.forecast_helpers)."""
    ids = prospecting_history(rome, organisation, quiet_days=21)
    assert 150 < len(ids) <= 300
    for opportunity in Opportunity.objects.filter(pk__in=ids).prefetch_related("level_changes"):
        changes = list(opportunity.level_changes.all())
        assert changes[0].from_level == ""
        assert all(a.to_level == b.from_level for a, b in itertools.pairwise(changes))
        last = changes[-1]
        assert (opportunity.level, opportunity.level_changed) == (last.to_level, last.at)
    newest = max(path.created for path in load_paths(rome.profile, as_of=TODAY))
    assert newest <= TODAY - dt.timedelta(days=21)


def test_today_is_the_users_own_day(rome: User) -> None:
    late_evening = utc(2026, 11, 18, 23, 30)  # already the 19th in Rome
    assert outlook_for(rome, now=late_evening).as_of == dt.date(2026, 11, 19)


# When the kept outlook is stale


@dataclasses.dataclass
class World:
    user: User
    deal: Opportunity
    person: Person
    clock: time_machine.Traveller
    outsiders_deal: Opportunity


@pytest.fixture
def world(
    rome: User,
    clock: time_machine.Traveller,
    person: Person,
    make_opportunity: Callable[..., Opportunity],
    outsider: User,
    outsider_organisation: Organisation,
) -> World:
    deal = make_opportunity("Showroom", level=Level.IN, value=Decimal(8000))
    (outsiders,) = write_history(outsider, outsider_organisation, [Life(((NOW, "above"),))])
    clock.shift(dt.timedelta(minutes=1))
    return World(rome, deal, person, clock, Opportunity.objects.get(pk=outsiders))


def set_profile(world: World, **values: object) -> None:
    profile = Profile.objects.get(user=world.user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save(update_fields=list(values))


def moves(world: World) -> None:
    move_opportunity(
        opportunity=world.deal, to_level=Level.BEST_FEW, by=world.user, override_reason="Agreed"
    )


def is_added(world: World) -> None:
    write_history(world.user, present(world.deal.organisation), [Life(((NOW, "above"),))])


def is_deleted(world: World) -> None:
    delete_opportunity(opportunity=world.deal)


def is_revalued(world: World) -> None:
    world.deal.value = Decimal(9000)
    world.deal.save()


CHANGES: dict[str, Callable[[World], None]] = {
    "an opportunity moves": moves,
    "an opportunity is added": is_added,
    "an opportunity is deleted": is_deleted,
    "an opportunity's value changes": is_revalued,
    "the income target is set": lambda world: set_profile(world, income_target=Decimal(5000)),
    "the tolerance changes": lambda world: set_profile(world, income_tolerance=20),
    "the currency changes": lambda world: set_profile(world, currency="USD"),
    "the sales cycle setting changes": lambda world: set_profile(world, sales_cycle_days=60),
    "the time zone changes": lambda world: set_profile(world, time_zone="America/New_York"),
}


def version(world: World, day: dt.date = TODAY) -> str:
    return facts.version_of(Profile.objects.get(user=world.user), as_of=day)


@pytest.mark.parametrize("change", CHANGES)
def test_the_version_changes_with_what_the_outlook_reads(world: World, change: str) -> None:
    before = version(world)
    CHANGES[change](world)
    assert version(world) != before


def test_the_version_changes_when_the_day_turns(world: World) -> None:
    assert version(world, TODAY + dt.timedelta(days=1)) != version(world)


def test_the_version_holds_through_unrelated_writes(world: World) -> None:
    before = version(world)
    world.person.job_title = "Managing director"
    world.person.save()
    move_opportunity(
        opportunity=world.outsiders_deal, to_level=Level.IN, by=None, override_reason="Fits"
    )
    assert version(world) == before


# How pages read it


@pytest.mark.parametrize("count", [5, 50])
def test_a_stored_outlook_is_read_in_two_queries_however_many_opportunities(
    rome: User,
    organisation: Organisation,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deals(rome, organisation, count)
    assert refresh(fresh(rome), now=NOW)
    monkeypatch.setattr(facts, "compute", computing_is_not_expected)
    user = fresh(rome)

    with django_assert_num_queries(2):  # the version, and the stored row
        outlook = outlook_for(user, now=NOW)

    assert outlook == decode(StoredOutlook.objects.get(user=rome).data)
    assert outlook.forecast.basis.open_counts["in"] == count - len(range(0, count, 3))


def computing_is_not_expected(user: User, *, as_of: dt.date, months: int = 6) -> Outlook:
    raise AssertionError("computed instead of read")


def test_a_stale_outlook_is_computed_without_writing_and_kept_in_the_cache(
    rome: User,
    organisation: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deals(rome, organisation, 30)
    computed: list[dt.date] = []

    def counted(user: User, *, as_of: dt.date, months: int = 6) -> Outlook:
        computed.append(as_of)
        return compute(user, as_of=as_of, months=months)

    monkeypatch.setattr(facts, "compute", counted)
    user = fresh(rome)
    with CaptureQueriesContext(connection) as queries:
        first = outlook_for(user, now=NOW)
    assert [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])] == []
    assert not StoredOutlook.objects.exists()

    with django_assert_num_queries(2):  # the version and the stored row; the cache has the rest
        second = outlook_for(user, now=NOW)

    assert second == first
    assert computed == [TODAY]


def test_after_a_move_the_stored_outlook_is_not_served(
    rome: User, clock: time_machine.Traveller, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", level=Level.IN, value=Decimal(8000))
    refresh(fresh(rome), now=NOW)
    clock.shift(LATER - NOW)
    move_opportunity(opportunity=deal, to_level=Level.WON, by=rome, override_reason="Signed")

    this_month = outlook_for(fresh(rome), now=LATER).forecast.months[0]

    assert this_month.first == dt.date(2026, 11, 1)
    assert this_month.sources["won"] == Band(8000.0, 8000.0, 8000.0)
    stored = decode(StoredOutlook.objects.get(user=rome).data).forecast.months[0]
    assert stored.sources["won"] == Band(0.0, 0.0, 0.0)  # what the stale row said


# Keeping it


def test_refresh_stores_once_and_again_after_a_change_or_the_next_day(
    rome: User, clock: time_machine.Traveller, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", level=Level.IN, value=Decimal(8000))
    assert refresh(fresh(rome), now=NOW) is True
    assert refresh(fresh(rome), now=NOW) is False
    clock.shift(LATER - NOW)
    move_opportunity(opportunity=deal, to_level=Level.BEST_FEW, by=rome, override_reason="Agreed")
    assert refresh(fresh(rome), now=LATER) is True
    (row,) = StoredOutlook.objects.all()
    assert row.computed == LATER
    assert decode(row.data).forecast.basis.open_counts == {"above": 0, "in": 0, "best_few": 1}
    tomorrow = LATER + dt.timedelta(days=1)
    assert refresh(fresh(rome), now=tomorrow) is True
    assert decode(StoredOutlook.objects.get(user=rome).data).as_of == tomorrow.date()


def round_trip(outlook: Outlook) -> Outlook:
    """Through JSON text, as the database keeps it."""
    return decode(json.loads(json.dumps(encode(outlook), cls=DjangoJSONEncoder)))


@pytest.fixture
def dry_outlook(rome: User, organisation: Organisation) -> Outlook:
    """A real outlook with a dry spell ahead: prospecting stopped three weeks ago."""
    prospecting_history(rome, organisation, quiet_days=21)
    outlook = compute(fresh(rome), as_of=TODAY)
    assert outlook.dry_spell is not None
    return outlook


@pytest.mark.parametrize(
    ("dry_spell", "stop_ahead"),
    [
        (True, True),
        (True, False),
        (False, False),
        (False, True),
    ],
)
def test_an_outlook_comes_back_from_json_equal(
    dry_outlook: Outlook, dry_spell: bool, stop_ahead: bool
) -> None:
    outlook = dataclasses.replace(
        dry_outlook,
        dry_spell=dry_outlook.dry_spell if dry_spell else None,
        stop_ahead=StopAhead(times=2, months_later=3) if stop_ahead else None,
    )
    assert round_trip(outlook) == outlook


def test_a_dry_spell_too_late_to_fill_comes_back_equal(dry_outlook: Outlook) -> None:
    late = DrySpell(dt.date(2026, 12, 1), 2, 40, None, 4)
    outlook = dataclasses.replace(dry_outlook, dry_spell=late)
    assert round_trip(outlook) == outlook


def test_the_stored_outlook_is_the_computed_one(dry_outlook: Outlook, rome: User) -> None:
    refresh(fresh(rome), now=NOW)
    assert decode(StoredOutlook.objects.get(user=rome).data) == dry_outlook


# Users with little or nothing


def test_a_user_with_no_opportunities_gets_an_empty_outlook_without_a_warning(
    rome: User,
) -> None:
    refresh(fresh(rome), now=NOW)
    outlook = outlook_for(fresh(rome), now=NOW)
    assert all(month.total == Band(0.0, 0.0, 0.0) for month in outlook.forecast.months)
    assert (outlook.dry_spell, outlook.stop_ahead) == (None, None)
    assert outlook.forecast.basis.measured is False
    assert outlook.target == 0.0 and outlook.target_is_average


def test_deals_imported_as_won_count_as_won_deals_from_their_first_contact(
    rome: User, organisation: Organisation
) -> None:
    """Imported straight at Won: one move each, but each was found at its first contact."""
    won = [Life(((NOW - dt.timedelta(days=30 * k + 3), "won"),), value=2000) for k in range(12)]
    write_history(rome, organisation, won)

    outlook = outlook_for(fresh(rome), now=NOW)

    assert outlook.forecast.months[0].sources["won"] == Band(2000.0, 2000.0, 2000.0)
    assert sum(value for _month, value in outlook.won_by_month) == 24000.0
    assert outlook.target == 2000.0  # the average month of the last twelve
    assert outlook.forecast.basis.measured is True
    assert outlook.forecast.basis.won_deals == 12
    # A deal found and won every month or so: the months ahead expect about as much.
    assert all(month.total.p90 >= 2000.0 for month in outlook.forecast.months[1:])


# The stored shape


# The fields of what is stored, at each facts.FORMAT. Stored rows are read back into these
# classes while their version holds, and FORMAT is part of the version: a class that changes
# without FORMAT raised would have pages decode yesterday's rows into today's classes, and fail.
SHAPES = {
    1: {
        "Outlook": [
            "as_of",
            "cycle_days",
            "forecast",
            "target",
            "target_is_average",
            "tolerance",
            "dry_spell",
            "stop_ahead",
            "won_by_month",
            "funnel_by_week",
            "conversions",
        ],
        "Forecast": ["as_of", "months", "basis", "per_prospect"],
        "Month": ["first", "total", "sources"],
        "Band": ["p10", "p50", "p90"],
        "Basis": [
            "measured",
            "won_deals",
            "won_share",
            "days_to_win",
            "prospects_per_week",
            "won_value",
            "open_counts",
        ],
        "DrySpell": ["month", "weeks_ahead", "share", "prospects_per_week", "for_weeks"],
        "StopAhead": ["times", "months_later"],
        "Conversion": ["level", "reached", "won", "median_days"],
    }
}


def test_a_change_to_what_is_stored_comes_with_a_new_format() -> None:
    stored = (Outlook, Forecast, Month, Band, Basis, DrySpell, StopAhead, Conversion)
    now = {kind.__name__: [f.name for f in dataclasses.fields(kind)] for kind in stored}
    assert SHAPES.get(facts.FORMAT) == now, (
        "What the outlook stores changed shape: raise funnel.forecast.facts.FORMAT, so the rows "
        "stored before read as stale, and add the new shape to SHAPES."
    )


def test_a_big_import_is_no_burst_of_prospecting_nor_a_stop_after_it(
    rome: User, organisation: Organisation
) -> None:
    """Two hundred open deals from another tool, all created in Funnel on one day, were found
    over the two years before: they enter the funnel at their first contact."""
    imported = NOW - dt.timedelta(days=20)
    ids = write_history(rome, organisation, [Life(((imported, "above"),)) for _ in range(200)])
    for index, pk in enumerate(ids):
        first_contact = (imported - dt.timedelta(days=3 * index + 30)).date()
        Opportunity.objects.filter(pk=pk).update(first_contact_on=first_contact)

    outlook = outlook_for(fresh(rome), now=NOW)

    assert outlook.forecast.basis.prospects_per_week < 3  # not two hundred in one week
    assert outlook.stop_ahead is None
    counts = dict(zip(*facts_entries(rome), strict=True))
    assert max(counts.values()) <= 3


def facts_entries(user: User) -> tuple[list[dt.date], list[int]]:
    """New opportunities a week over the last year, as the outlook counts them."""
    from funnel.forecast.paths import week_start, weekly_entries

    history = facts.load_history(user.profile, as_of=NOW.date())
    weeks = [week_start(NOW.date()) - dt.timedelta(weeks=n) for n in range(52, -1, -1)]
    return weeks, weekly_entries(history, weeks)
