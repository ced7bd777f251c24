"""Sacred prospecting blocks: recurrence, marking, moving within the week, rates, Today."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.lib.refusals import Refused
from funnel.prospecting import actions, facts, rules
from funnel.prospecting.models import Block, BlockOutcome
from funnel.sales.models import Activity, Opportunity

ROME = ZoneInfo("Europe/Rome")
URL = "/prospecting/"


def at_rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ROME)


@pytest.fixture(autouse=True)
def rome(owner: User) -> None:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])


def block(
    user: User,
    *,
    weekdays: tuple[str, ...] = ("TU",),
    first: dt.date = dt.date(2026, 3, 3),
    start: dt.time = dt.time(9),
    minutes: int = 180,
    interval: int = 1,
    until: dt.date | None = None,
    title: str = "Prospecting",
) -> Block:
    rule = rules.build_rule(
        weekdays=weekdays, interval=interval, until=until, first=dt.datetime.combine(first, start)
    )
    return Block.objects.create(
        team=user.profile.team,
        owner=user,
        title=title,
        starts_on=first,
        start_time=start,
        minutes=minutes,
        rule=rule,
    )


def plan(b: Block) -> rules.BlockPlan:
    return b.plan(ROME)


def starts(b: Block, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    return [o.start for o in rules.occurrences(plan(b), start, end)]


def occurrence(b: Block, start: dt.datetime) -> rules.Occurrence:
    loaded = facts.load(b.owner, since=start)
    (found,) = [
        o for o in loaded.planned_in(start, start + dt.timedelta(seconds=1)) if o.block.pk == b.pk
    ]
    return found


def mark_url(b: Block, start: dt.datetime) -> str:
    return reverse("prospecting_block_mark", args=[b.pk, int(start.timestamp())])


def prefix(b: Block, start: dt.datetime) -> str:
    return f"mark-{b.pk}-{int(start.timestamp())}"


# Recurrence


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Summer time starts on Sunday 29 March 2026, ends on Sunday 25 October 2026.
        ((2026, 3, 24), (2026, 3, 31)),
        ((2026, 10, 20), (2026, 10, 27)),
    ],
)
def test_a_tuesday_9_oclock_block_stays_at_9_local_across_a_daylight_saving_change(
    owner: User, before: tuple[int, int, int], after: tuple[int, int, int]
) -> None:
    b = block(owner)
    found = starts(b, at_rome(*before), at_rome(*after, 23))
    assert found == [at_rome(*before, 9), at_rome(*after, 9)]
    assert [(t.astimezone(ROME).hour, t.astimezone(ROME).minute) for t in found] == [(9, 0)] * 2
    utc_hours = [t.astimezone(dt.UTC).hour for t in found]
    assert utc_hours[0] != utc_hours[1]  # the same wall time is another UTC time
    assert sorted(utc_hours) == [7, 8]


def test_every_two_weeks_until_an_end_date(owner: User) -> None:
    b = block(owner, weekdays=("TU", "TH"), interval=2, until=dt.date(2026, 3, 31))
    found = starts(b, at_rome(2026, 3, 1), at_rome(2026, 6, 1))
    assert [t.date() for t in found] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 19),
        dt.date(2026, 3, 31),
    ]


def test_an_occurrence_lasts_the_blocks_duration_and_one_in_progress_is_found(owner: User) -> None:
    b = block(owner, minutes=90)
    (found,) = rules.occurrences(plan(b), at_rome(2026, 3, 3, 10), at_rome(2026, 3, 3, 10, 1))
    assert (found.start, found.end) == (at_rome(2026, 3, 3, 9), at_rome(2026, 3, 3, 10, 30))


def test_the_state_of_an_occurrence_follows_the_clock(owner: User) -> None:
    o = occurrence(block(owner), at_rome(2026, 3, 3, 9))
    assert rules.state(o, at_rome(2026, 3, 3, 8)) == rules.State.UPCOMING
    assert rules.state(o, at_rome(2026, 3, 3, 10)) == rules.State.IN_PROGRESS
    assert rules.state(o, at_rome(2026, 3, 3, 12)) == rules.State.TO_MARK
    marked = rules.Occurrence(o.block, o.start, o.end, rules.Mark("honoured"))
    assert rules.state(marked, at_rome(2026, 3, 3, 12)) == rules.State.MARKED


def test_stopping_a_block_keeps_its_past_and_ends_its_future(owner: User) -> None:
    b = block(owner)
    actions.stop_block(block=b, zone=ROME, at=at_rome(2026, 3, 12))
    found = starts(b, at_rome(2026, 3, 1), at_rome(2026, 4, 30))
    assert found == [at_rome(2026, 3, 3, 9), at_rome(2026, 3, 10, 9)]


# Moving and marking


def test_same_iso_week_runs_from_monday_to_sunday() -> None:
    tuesday = at_rome(2026, 3, 3, 9)
    assert rules.same_iso_week(tuesday, at_rome(2026, 3, 8, 23), ROME)
    assert not rules.same_iso_week(tuesday, at_rome(2026, 3, 9, 0), ROME)
    assert not rules.same_iso_week(tuesday, at_rome(2026, 3, 1, 23), ROME)


def test_a_moved_block_inside_the_week_is_accepted_and_shows_at_its_new_time(
    owner: User, owner_client: Client
) -> None:
    b = block(owner)
    start = at_rome(2026, 3, 3, 9)
    with time_machine.travel(at_rome(2026, 3, 3, 13), tick=False):
        response = owner_client.post(
            mark_url(b, start),
            {
                f"{prefix(b, start)}-outcome": "moved",
                f"{prefix(b, start)}-moved_start": "2026-03-05T14:00",
                f"{prefix(b, start)}-moved_end": "2026-03-05T17:00",
            },
        )
        assert response.status_code == 302
        row = BlockOutcome.objects.get(block=b)
        assert (row.outcome, row.moved_start, row.moved_end) == (
            "moved",
            at_rome(2026, 3, 5, 14),
            at_rome(2026, 3, 5, 17),
        )
        moved = occurrence(b, start)
        assert moved.slot == (at_rome(2026, 3, 5, 14), at_rome(2026, 3, 5, 17))
        assert rules.state(moved, at_rome(2026, 3, 4)) == rules.State.UPCOMING
    # Once the new slot is over, it is marked as it went, and counts so.
    with time_machine.travel(at_rome(2026, 3, 5, 18), tick=False):
        response = owner_client.post(mark_url(b, start), {f"{prefix(b, start)}-outcome": "partly"})
        assert response.status_code == 302
        moved = occurrence(b, start)
        assert moved.outcome == "partly"
        assert rules.honoured_rate([moved], at_rome(2026, 3, 6)) == rules.Rate(0.5, 1)


def test_a_move_outside_the_week_is_refused_and_the_input_kept(
    owner: User, owner_client: Client
) -> None:
    b = block(owner)
    start = at_rome(2026, 3, 3, 9)
    with time_machine.travel(at_rome(2026, 3, 3, 13), tick=False):
        response = owner_client.post(
            mark_url(b, start),
            {
                f"{prefix(b, start)}-outcome": "moved",
                f"{prefix(b, start)}-moved_start": "2026-03-09T09:00",
                f"{prefix(b, start)}-moved_end": "2026-03-09T12:00",
            },
        )
    assert response.status_code == 422
    assert "move it within the same week" in response.content.decode()
    assert 'value="2026-03-09T09:00"' in response.content.decode()
    assert not BlockOutcome.objects.exists()


def test_a_move_without_a_new_slot_is_refused(owner: User) -> None:
    b = block(owner)
    o = occurrence(b, at_rome(2026, 3, 3, 9))
    error = rules.mark_error(o, outcome="moved", now=at_rome(2026, 3, 3, 13))
    assert error and "new slot" in error


def test_marking_before_the_end_is_refused(owner: User, owner_client: Client) -> None:
    b = block(owner)
    start = at_rome(2026, 3, 3, 9)
    with time_machine.travel(at_rome(2026, 3, 3, 11), tick=False):
        response = owner_client.post(
            mark_url(b, start), {f"{prefix(b, start)}-outcome": "honoured"}
        )
    assert response.status_code == 422
    assert "once it has ended" in response.content.decode()
    assert not BlockOutcome.objects.exists()


def test_an_occurrence_is_marked_only_once(owner: User) -> None:
    b = block(owner)
    start, now = at_rome(2026, 3, 3, 9), at_rome(2026, 3, 3, 13)
    actions.mark(block=b, occurrence=occurrence(b, start), outcome="missed", now=now)
    with pytest.raises(Refused):
        actions.mark(block=b, occurrence=occurrence(b, start), outcome="honoured", now=now)


def test_a_time_that_is_not_an_occurrence_gets_404(owner: User, owner_client: Client) -> None:
    b = block(owner)
    with time_machine.travel(at_rome(2026, 3, 3, 13), tick=False):
        response = owner_client.post(mark_url(b, at_rome(2026, 3, 3, 10)), {})
    assert response.status_code == 404


# Activities and rates


def test_activities_logged_during_a_block_count_toward_it(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    b = block(owner)
    for hour, minute in [(8, 59), (9, 0), (10, 30), (12, 0)]:
        Activity.objects.create(
            team=owner.profile.team,
            opportunity=opportunity,
            by=owner,
            occurred=at_rome(2026, 3, 3, hour, minute),
        )
    o = occurrence(b, at_rome(2026, 3, 3, 9))
    times = facts.activity_times(owner, at_rome(2026, 3, 3), at_rome(2026, 3, 4))
    assert rules.within(o, times, lambda t: t) == [
        at_rome(2026, 3, 3, 9),
        at_rome(2026, 3, 3, 10, 30),
    ]
    with time_machine.travel(at_rome(2026, 3, 3, 13), tick=False):
        page = owner_client.get(URL).content.decode()
    assert "2 activities logged during it" in page


def test_the_honoured_rate_counts_partly_as_half_and_unmarked_as_missed(owner: User) -> None:
    b = block(owner, weekdays=("MO", "TU", "WE", "TH"), first=dt.date(2026, 3, 2))
    week = [at_rome(2026, 3, day, 9) for day in (2, 3, 4)]
    now = at_rome(2026, 3, 5, 10)  # Thursday's block is in progress: not counted yet
    for start, outcome in zip(week, ["honoured", "partly"], strict=False):
        actions.mark(block=b, occurrence=occurrence(b, start), outcome=outcome, now=now)
    loaded = facts.load(owner, since=at_rome(2026, 3, 1))
    rate = rules.honoured_rate(loaded.planned_in(*rules.week_of(now, ROME)), now)
    assert rate == rules.Rate(1.5, 3) and rate.percent == 50


def test_the_honoured_rate_for_a_month(owner: User, owner_client: Client) -> None:
    b = block(owner)  # Tuesdays in March 2026: 3, 10, 17, 24, 31
    now = at_rome(2026, 3, 31, 13)
    for day, outcome in [(3, "honoured"), (10, "honoured"), (17, "missed"), (24, "partly")]:
        start = at_rome(2026, 3, day, 9)
        actions.mark(block=b, occurrence=occurrence(b, start), outcome=outcome, now=now)
    loaded = facts.load(owner, since=at_rome(2026, 3, 1))
    rate = rules.honoured_rate(loaded.planned_in(*rules.month_of(now, ROME)), now)
    assert rate == rules.Rate(2.5, 5) and rate.percent == 50
    with time_machine.travel(now, tick=False):
        page = owner_client.get(URL).content.decode()
    assert "50%" in page


def test_prospecting_minutes_count_honoured_and_partly_blocks(owner: User) -> None:
    b = block(owner, minutes=120)
    now = at_rome(2026, 3, 31, 13)
    for day, outcome in [(3, "honoured"), (10, "partly"), (17, "missed")]:
        start = at_rome(2026, 3, day, 9)
        actions.mark(block=b, occurrence=occurrence(b, start), outcome=outcome, now=now)
    assert facts.prospecting_minutes(owner, at_rome(2026, 3, 1), at_rome(2026, 4, 1)) == 240
    assert facts.prospecting_minutes(owner, at_rome(2026, 3, 9), at_rome(2026, 3, 16)) == 120


# Today


def test_today_shows_todays_blocks_and_flags_yesterdays_missed_one(owner: User) -> None:
    block(owner, weekdays=("TU", "WE"))
    now = at_rome(2026, 3, 4, 8)  # Wednesday, before the block; Tuesday's was never marked
    today = facts.blocks_for_today(owner, now)
    assert [(s.occurrence.start, s.state) for s in today.today] == [
        (at_rome(2026, 3, 4, 9), rules.State.UPCOMING)
    ]
    assert [o.start for o in today.missed_yesterday] == [at_rome(2026, 3, 3, 9)]
    assert today.week_rate == rules.Rate(0.0, 1)


def test_today_does_not_flag_yesterdays_honoured_block(owner: User) -> None:
    b = block(owner)
    start = at_rome(2026, 3, 3, 9)
    actions.mark(
        block=b, occurrence=occurrence(b, start), outcome="honoured", now=start.replace(hour=13)
    )
    today = facts.blocks_for_today(owner, at_rome(2026, 3, 4, 8))
    assert today.missed_yesterday == [] and today.week_rate.percent == 100


def test_the_today_card_says_plan_a_catch_up(owner: User, rf: RequestFactory) -> None:
    from django.template.loader import render_to_string

    block(owner)
    html = render_to_string(
        "prospecting/today_card.html",
        {"blocks": facts.blocks_for_today(owner, at_rome(2026, 3, 4, 8))},
    )
    assert "Missed yesterday: plan a catch-up" in html


# The page


def test_planning_a_block_from_the_form(owner: User, owner_client: Client) -> None:
    with time_machine.travel(at_rome(2026, 3, 2, 8), tick=False):
        response = owner_client.post(
            URL,
            {
                "block-title": "Cold calls",
                "block-weekdays": ["TU", "TH"],
                "block-starts_on": "2026-03-02",
                "block-start_time": "09:00",
                "block-minutes": "180",
                "block-interval": "1",
                "block-until": "",
            },
        )
        assert response.status_code == 302
        b = Block.objects.get()
        assert (b.owner, b.title, b.rule) == (owner, "Cold calls", "FREQ=WEEKLY;BYDAY=TU,TH")
        page = owner_client.get(URL).content.decode()
    assert "Cold calls" in page and page.count('class="prospecting-occurrence ') == 4


def test_a_bad_block_form_shows_errors_and_keeps_the_input(owner_client: Client) -> None:
    response = owner_client.post(
        URL,
        {
            "block-title": "Cold calls",
            "block-starts_on": "2026-03-02",
            "block-start_time": "09:00",
            "block-minutes": "5",
            "block-interval": "1",
            "block-until": "2026-03-01",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was saved yet" in body and 'value="Cold calls"' in body
    assert "The end must not come before the first day." in body
    assert not Block.objects.exists()


def test_an_outsider_gets_404_for_someone_elses_block(owner: User, outsider_client: Client) -> None:
    b = block(owner)
    start = at_rome(2026, 3, 3, 9)
    with time_machine.travel(at_rome(2026, 3, 3, 13), tick=False):
        marked = outsider_client.post(
            mark_url(b, start), {f"{prefix(b, start)}-outcome": "honoured"}
        )
        stopped = outsider_client.post(reverse("prospecting_block_stop", args=[b.pk]))
        page = outsider_client.get(URL).content.decode()
    assert marked.status_code == 404 and stopped.status_code == 404
    assert not BlockOutcome.objects.exists() and "FREQ" in Block.objects.get().rule
    assert "Prospecting block planned" not in page and f"block-{b.pk}-" not in page


def test_the_page_needs_a_login(client: Client) -> None:
    assert client.get(URL).status_code == 302


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_and_today_run_as_many_queries_for_30_blocks_as_for_3(
    owner: User, owner_client: Client, opportunity: Opportunity
) -> None:
    now = at_rome(2026, 3, 6, 13)

    def add(count: int) -> None:
        for n in range(count):
            b = block(
                owner, weekdays=("MO", "TU", "WE"), first=dt.date(2026, 3, 2), title=f"Block {n}"
            )
            for day in (2, 3, 4):
                start = at_rome(2026, 3, day, 9)
                actions.mark(block=b, occurrence=occurrence(b, start), outcome="partly", now=now)
        Activity.objects.create(
            team=owner.profile.team, opportunity=opportunity, by=owner, occurred=now
        )

    with time_machine.travel(now, tick=False):
        add(3)
        few = queries_for(owner_client, URL)
        with CaptureQueriesContext(connection) as today_few:
            facts.blocks_for_today(owner, now)
        add(27)
        assert queries_for(owner_client, URL) == few
        with CaptureQueriesContext(connection) as today_many:
            facts.blocks_for_today(owner, now)
    assert len(today_many) == len(today_few) <= 2
