"""The follow-up method's rules (docs/method.md §2 and §3) as pure functions, without a database."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.followup import rules
from funnel.sales.models import Activity, Level

Outcome = Activity.Outcome
ROME = ZoneInfo("Europe/Rome")
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
WEEKLY_PHONE = rules.Plan(every_days=7, channel="phone", agreed=False)
AGREED_FORTNIGHT = rules.Plan(every_days=14, channel="email", agreed=True)
LIMITS = rules.StopLimits(attempts=6, days=180)


# Plans


def test_the_plan_takes_what_the_customer_asked_for_else_the_users_default() -> None:
    asked = rules.plan_for(
        every_days=14, channel="email", agreed=True, default_days=7, default_channel="phone"
    )
    default = rules.plan_for(
        every_days=None, channel="", agreed=False, default_days=7, default_channel="phone"
    )
    assert asked == rules.Plan(14, "email", True)
    assert default == rules.Plan(7, "phone", False)


def test_the_next_follow_up_keeps_the_local_time_across_a_clock_change() -> None:
    thursday_10_rome = dt.datetime(2026, 10, 22, 10, 0, tzinfo=ROME)
    following = rules.next_follow_up_at(thursday_10_rome, WEEKLY_PHONE, ROME)
    assert following == dt.datetime(2026, 10, 29, 10, 0, tzinfo=ROME)  # after summer time ends
    assert following.utcoffset() == dt.timedelta(hours=1)


def test_a_follow_up_that_would_fall_on_a_weekend_moves_to_monday() -> None:
    tuesday = dt.datetime(2026, 12, 1, 15, 30, tzinfo=ROME)
    every_four_days = rules.Plan(4, "phone", False)
    assert rules.next_follow_up_at(tuesday, every_four_days, ROME) == dt.datetime(
        2026, 12, 7, 15, 30, tzinfo=ROME
    )


# Working hours: where a proposed follow-up lands

OFFICE = rules.OFFICE_HOURS  # 9:00 to 17:30, Monday to Friday


def rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ROME)


@pytest.mark.parametrize(
    ("at", "minutes", "slot"),
    [
        (rome(2026, 12, 7, 20, 53), 30, rome(2026, 12, 8, 9, 0)),  # Monday evening: Tuesday
        (rome(2026, 12, 7, 6, 40), 30, rome(2026, 12, 7, 9, 0)),  # early: when the day starts
        (rome(2026, 12, 7, 10, 7), 30, rome(2026, 12, 7, 10, 15)),  # on the next quarter hour
        (rome(2026, 12, 7, 10, 15), 30, rome(2026, 12, 7, 10, 15)),  # already on one
        (rome(2026, 12, 7, 17, 0), 30, rome(2026, 12, 7, 17, 0)),  # ends as the day ends
        (rome(2026, 12, 7, 17, 5), 30, rome(2026, 12, 8, 9, 0)),  # would end after 17:30
        (rome(2026, 12, 11, 17, 10), 30, rome(2026, 12, 14, 9, 0)),  # Friday late: Monday
        (rome(2026, 12, 12, 11, 0), 30, rome(2026, 12, 14, 9, 0)),  # Saturday: Monday
        (rome(2026, 12, 7, 12, 0), 600, rome(2026, 12, 8, 9, 0)),  # longer than a day: at 9
    ],
)
def test_a_proposed_contact_lands_on_the_next_quarter_hour_of_the_working_day(
    at: dt.datetime, minutes: int, slot: dt.datetime
) -> None:
    assert rules.next_working_slot(at, OFFICE, ROME, minutes) == slot


def test_working_hours_are_counted_in_the_users_zone_not_the_servers() -> None:
    evening_in_new_york = dt.datetime(2026, 12, 7, 23, 0, tzinfo=UTC)  # 18:00 there
    new_york = ZoneInfo("America/New_York")
    slot = rules.next_working_slot(evening_in_new_york, OFFICE, new_york, 30)
    assert slot == dt.datetime(2026, 12, 8, 9, 0, tzinfo=new_york)


def test_a_user_who_works_tuesday_to_saturday_gets_saturdays_not_mondays() -> None:
    hours = rules.WorkingHours(dt.time(8, 0), dt.time(13, 0), frozenset({2, 3, 4, 5, 6}))
    friday_evening = rome(2026, 12, 11, 19, 0)
    assert rules.next_working_slot(friday_evening, hours, ROME) == rome(2026, 12, 12, 8, 0)
    saturday_after_work = rome(2026, 12, 12, 13, 30)
    assert rules.next_working_slot(saturday_after_work, hours, ROME) == rome(2026, 12, 15, 8, 0)


def test_the_setting_is_read_as_iso_weekdays_and_a_broken_one_means_office_hours() -> None:
    hours = rules.working_hours(starts=dt.time(8, 30), ends=dt.time(16, 0), days="1357")
    assert hours == rules.WorkingHours(dt.time(8, 30), dt.time(16, 0), frozenset({1, 3, 5, 7}))
    backwards = rules.working_hours(starts=dt.time(18, 0), ends=dt.time(9, 0), days="12345")
    no_days = rules.working_hours(starts=dt.time(9, 0), ends=dt.time(17, 0), days="")
    odd_minute = rules.working_hours(starts=dt.time(9, 10), ends=dt.time(17, 0), days="12345")
    assert backwards == no_days == odd_minute == OFFICE


def test_an_evening_call_is_followed_up_on_a_working_morning_not_at_the_same_time() -> None:
    monday_evening_call = rome(2026, 12, 7, 20, 53)
    following = rules.next_follow_up_at(
        monday_evening_call, WEEKLY_PHONE, ROME, hours=OFFICE, minutes=30
    )
    assert following == rome(2026, 12, 15, 9, 0)  # a week later was 20:53: the next morning


def test_a_follow_up_in_working_hours_keeps_the_plans_day_and_time() -> None:
    thursday_10_rome = rome(2026, 10, 22, 10, 0)
    following = rules.next_follow_up_at(thursday_10_rome, WEEKLY_PHONE, ROME, hours=OFFICE)
    assert following == rome(2026, 10, 29, 10, 0)
    assert following.utcoffset() == dt.timedelta(hours=1)  # summer time ended in between


def test_a_missed_contact_is_proposed_the_next_working_day_at_its_usual_time() -> None:
    friday = rome(2026, 12, 11, 15, 0)
    assert rules.recovery_slot(friday, dt.time(11, 0), OFFICE, ROME, 30) == rome(2026, 12, 14, 11)


def test_a_missed_evening_contact_is_proposed_the_next_working_morning_not_a_day_later() -> None:
    friday = rome(2026, 12, 11, 15, 0)
    assert rules.recovery_slot(friday, dt.time(20, 53), OFFICE, ROME, 30) == rome(2026, 12, 14, 9)


# The same rule for any moment, zone and working hours (Hypothesis): a brute-force search over
# every quarter hour is the oracle. These zones have DST, half-hour offsets and a half-hour DST.
ZONES = [
    "UTC",
    "Europe/Rome",
    "America/New_York",
    "Asia/Kolkata",
    "America/St_Johns",
    "Australia/Lord_Howe",
]
QUARTERS = [dt.time(q // 4, q % 4 * 15) for q in range(96)]


@st.composite
def working_hours(draw: st.DrawFn) -> rules.WorkingHours:
    starts = draw(st.integers(0, 94))
    ends = draw(st.integers(starts + 1, 95))
    days = draw(st.frozensets(st.integers(1, 7), min_size=1))
    return rules.WorkingHours(QUARTERS[starts], QUARTERS[ends], days)


moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES).map(ZoneInfo)
durations = st.sampled_from([0, 5, 15, 30, 45, 60, 90, 240, 600])


def is_working_slot(
    moment: dt.datetime, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int
) -> bool:
    """Said plainly: on a quarter hour, on a working day, starting and ending inside the day
    (a contact longer than the working day: at its start)."""
    local = moment.astimezone(zone)
    start = local.hour * 60 + local.minute
    first = hours.starts.hour * 60 + hours.starts.minute
    end = hours.ends.hour * 60 + hours.ends.minute
    fits = first + minutes <= end
    return (
        local.minute % 15 == 0
        and local.second == local.microsecond == 0
        and local.isoweekday() in hours.days
        and (first <= start and start + minutes <= end if fits else start == first)
    )


def first_slot_by_search(
    at: dt.datetime, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int
) -> dt.datetime:
    quarter = at.astimezone(UTC).replace(second=0, microsecond=0)
    quarter += dt.timedelta(minutes=-quarter.minute % 15)
    if quarter < at:
        quarter += dt.timedelta(minutes=15)
    while not is_working_slot(quarter, hours, zone, minutes):
        quarter += dt.timedelta(minutes=15)  # every offset of these zones is a quarter hour
    return quarter


@settings(max_examples=300, deadline=None)
@given(at=moments, hours=working_hours(), zone=zones, minutes=durations)
def test_the_slot_is_the_first_working_quarter_hour_at_or_after_the_moment(
    at: dt.datetime, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int
) -> None:
    slot = rules.next_working_slot(at, hours, zone, minutes)
    assert slot >= at
    assert is_working_slot(slot, hours, zone, minutes)
    assert slot == first_slot_by_search(at, hours, zone, minutes)
    assert slot.tzinfo == zone  # shown in the user's zone


@settings(max_examples=200, deadline=None)
@given(at=moments, hours=working_hours(), zone=zones, minutes=durations)
def test_a_slot_is_its_own_next_slot(
    at: dt.datetime, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int
) -> None:
    slot = rules.next_working_slot(at, hours, zone, minutes)
    assert rules.next_working_slot(slot, hours, zone, minutes) == slot


@settings(max_examples=200, deadline=None)
@given(
    after=moments,
    every=st.integers(1, 365),
    hours=working_hours(),
    zone=zones,
    minutes=durations,
)
def test_the_next_follow_up_is_in_working_hours_and_never_sooner_than_the_plan(
    after: dt.datetime, every: int, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int
) -> None:
    plan = rules.Plan(every, "phone", agreed=True)
    following = rules.next_follow_up_at(after, plan, zone, hours=hours, minutes=minutes)
    assert is_working_slot(following, hours, zone, minutes)
    earliest_day = after.astimezone(zone).date() + dt.timedelta(days=every)
    assert following.astimezone(zone).date() >= earliest_day


@settings(max_examples=200, deadline=None)
@given(
    now=moments,
    usual=st.sampled_from(QUARTERS),
    hours=working_hours(),
    zone=zones,
    minutes=durations,
)
def test_a_missed_contact_comes_back_on_the_first_working_day_after_today(
    now: dt.datetime,
    usual: dt.time,
    hours: rules.WorkingHours,
    zone: ZoneInfo,
    minutes: int,
) -> None:
    slot = rules.recovery_slot(now, usual, hours, zone, minutes)
    local_today = now.astimezone(zone).date()
    assert is_working_slot(slot, hours, zone, minutes)
    assert slot.astimezone(zone).date() > local_today
    skipped = range(1, (slot.astimezone(zone).date() - local_today).days)
    assert not any(
        has_a_slot(local_today + dt.timedelta(days=n), hours, zone, minutes) for n in skipped
    )


def has_a_slot(day: dt.date, hours: rules.WorkingHours, zone: ZoneInfo, minutes: int) -> bool:
    """A working day whose working hours the clock does not skip entirely (2:00 to 2:15 on the
    night summer time starts in New York is no time at all)."""
    first = hours.starts.hour * 60 + hours.starts.minute
    last = max(hours.ends.hour * 60 + hours.ends.minute - minutes, first)
    return day.isoweekday() in hours.days and any(
        rules.instants(day, minute, zone) for minute in range(first, last + 1, 15)
    )


def test_a_working_day_the_clock_skips_entirely_has_no_recovery_slot() -> None:
    hours = rules.WorkingHours(
        starts=dt.time(2, 0), ends=dt.time(2, 15), days=frozenset(range(1, 8))
    )
    new_york = ZoneInfo("America/New_York")
    saturday = dt.datetime(2010, 3, 13, 5, 0, tzinfo=dt.UTC)  # midnight in New York
    slot = rules.recovery_slot(saturday, dt.time(0, 0), hours, new_york, 0)
    assert slot == dt.datetime(2010, 3, 15, 2, 0, tzinfo=new_york)  # Sunday 2:00 never came


# Stop rules


def test_attempts_in_a_row_count_unanswered_tries_since_the_last_answer() -> None:
    newest_first = [Outcome.NO_ANSWER, "", Outcome.NO_ANSWER, Outcome.REPLIED, Outcome.NO_ANSWER]
    assert rules.attempts_in_a_row(newest_first) == 2
    assert rules.attempts_in_a_row([Outcome.REACHED, Outcome.NO_ANSWER]) == 0
    assert rules.attempts_in_a_row([]) == 0


def test_a_not_buying_signal_is_an_answer_but_not_progress() -> None:
    assert Outcome.NOT_BUYING_SIGNAL in rules.RESPONSES
    assert Outcome.NOT_BUYING_SIGNAL not in rules.PROGRESS
    assert rules.attempts_in_a_row([Outcome.NOT_BUYING_SIGNAL, Outcome.NO_ANSWER]) == 0


def test_limits_come_from_the_opportunity_then_the_user_then_twice_the_cycle() -> None:
    own = rules.stop_limits(
        attempts=3, days=30, default_attempts=6, default_days=None, cycle_days=90
    )
    users = rules.stop_limits(
        attempts=None, days=None, default_attempts=6, default_days=100, cycle_days=90
    )
    cycle = rules.stop_limits(
        attempts=None, days=None, default_attempts=6, default_days=None, cycle_days=90
    )
    assert (own, users, cycle) == (
        rules.StopLimits(3, 30),
        rules.StopLimits(6, 100),
        rules.StopLimits(6, 180),
    )


def proposal(
    level: str = Level.ABOVE, attempts: int = 0, idle_days: int = 0, qualified: bool = False
) -> rules.StopProposal | None:
    return rules.stop_proposal(
        level=level,
        attempts=attempts,
        progress_at=NOW - dt.timedelta(days=idle_days),
        now=NOW,
        limits=LIMITS,
        qualified=qualified,
    )


def test_six_attempts_without_answer_propose_dead_for_an_unqualified_prospect() -> None:
    assert proposal(attempts=5) is None
    stop = proposal(attempts=6)
    assert stop is not None
    assert (stop.rule, stop.to_level) == ("attempts", Level.DEAD)
    assert stop.reason == "Stop rule: 6 attempts in a row without an answer."


def test_a_qualified_opportunity_goes_to_nurture_instead() -> None:
    stop = proposal(level=Level.IN, attempts=7, qualified=True)
    assert stop is not None
    assert stop.to_level == Level.NURTURE


def test_days_without_progress_fire_at_the_limit() -> None:
    assert proposal(idle_days=179) is None
    stop = proposal(idle_days=180)
    assert stop is not None
    assert (stop.rule, stop.reason) == ("days", "Stop rule: no progress in 180 days.")


def test_stop_rules_never_fire_on_closed_or_parked_opportunities() -> None:
    for level in (Level.WON, Level.LOST, Level.DEAD, Level.NURTURE):
        assert proposal(level=level, attempts=20, idle_days=999) is None


@pytest.mark.parametrize(
    ("level", "fit", "qualified"),
    [
        (Level.IN, None, True),
        (Level.BEST_FEW, 10, True),
        (Level.ABOVE, 40, True),
        (Level.ABOVE, 39, False),
        (Level.ABOVE, None, False),
    ],
)
def test_qualified_means_in_the_funnel_or_a_fit_at_the_threshold(
    level: str, fit: int | None, qualified: bool
) -> None:
    assert rules.is_qualified(level=level, fit_score=fit, poor_fit_below=40) is qualified


# The pest guard


def warnings(
    when: dt.datetime,
    *,
    plan: rules.Plan = AGREED_FORTNIGHT,
    last: dt.datetime | None = None,
    contacts: Sequence[dt.datetime] = (),
    limit: int = 2,
) -> list[str]:
    return rules.pest_warnings(
        when=when, plan=plan, last_contact=last, person="Giulia", contacts=contacts, limit=limit
    )


def test_sooner_than_the_agreed_interval_warns_with_both_figures() -> None:
    last = NOW - dt.timedelta(days=3)
    assert warnings(NOW, last=last) == [
        "Sooner than agreed: the customer asked to hear from you every 14 days, and this is "
        "3 days after the last contact."
    ]
    assert warnings(NOW, last=NOW - dt.timedelta(days=14)) == []


def test_the_users_own_default_interval_does_not_warn() -> None:
    assert warnings(NOW, plan=WEEKLY_PHONE, last=NOW - dt.timedelta(days=1)) == []


def test_a_third_contact_in_seven_days_warns() -> None:
    two_before = [NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=5)]
    assert warnings(NOW, contacts=two_before[:1]) == []
    assert warnings(NOW, contacts=two_before) == [
        "Giulia would be contacted 3 times in 7 days: more than the 2 you allow."
    ]


def test_contacts_planned_after_count_too_but_not_those_a_week_away() -> None:
    around = [NOW + dt.timedelta(days=4), NOW - dt.timedelta(days=4)]
    far = [NOW + dt.timedelta(days=7), NOW - dt.timedelta(days=7)]
    assert rules.busiest_week(NOW, around) == 2  # no seven days hold all three
    assert rules.busiest_week(NOW, [NOW + dt.timedelta(days=3), NOW - dt.timedelta(days=3)]) == 3
    assert rules.busiest_week(NOW, far) == 1
    assert rules.busiest_week(NOW, [NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)]) == 3


# Missed, requests, after the sale, delegation


def test_a_follow_up_is_missed_once_its_time_is_over_without_an_outcome() -> None:
    start = NOW - dt.timedelta(minutes=30)
    assert rules.is_missed(due_at=start, minutes=29, now=NOW)
    assert not rules.is_missed(due_at=start, minutes=30, now=NOW)


def test_a_request_is_answered_within_the_setting() -> None:
    assert rules.respond_by(NOW, 24) == NOW + dt.timedelta(hours=24)


def test_post_sale_steps_count_from_the_sale_or_wait_for_the_delivery_date() -> None:
    won = dt.datetime(2026, 11, 30, 15, 0, tzinfo=ROME)
    same_day = rules.post_sale_due(
        anchor="won", days_after=0, won_at=won, delivery_on=None, zone=ROME
    )
    assert same_day == won  # a card at confirmation: now, not this morning
    assert rules.post_sale_due(
        anchor="won", days_after=2, won_at=won, delivery_on=None, zone=ROME
    ) == dt.datetime(2026, 12, 2, 10, 0, tzinfo=ROME)
    assert (
        rules.post_sale_due(
            anchor="delivery", days_after=3, won_at=won, delivery_on=None, zone=ROME
        )
        is None
    )
    assert rules.post_sale_due(
        anchor="delivery", days_after=3, won_at=won, delivery_on=dt.date(2027, 1, 15), zone=ROME
    ) == dt.datetime(2027, 1, 18, 10, 0, tzinfo=ROME)
    wednesday = dt.date(2027, 1, 13)  # three days on is a Saturday: the call is on Monday
    assert rules.post_sale_due(
        anchor="delivery", days_after=3, won_at=won, delivery_on=wednesday, zone=ROME
    ) == dt.datetime(2027, 1, 18, 10, 0, tzinfo=ROME)


def test_the_bottom_quarter_of_value_times_fit_is_suggested_for_delegation() -> None:
    weights = [Decimal(w) for w in (100, 900, 300, 50, 700, 200, 400, 800)]
    assert rules.bottom_quarter(weights) == Decimal(100)  # 50 and 100 are the bottom two of 8
    assert rules.bottom_quarter(weights[:3]) is None


def test_the_apology_names_the_customer_the_new_time_and_the_sender() -> None:
    text = rules.apology(name="Giulia", sender="Anna Rossi", when="Tuesday 10:00")
    assert text.startswith("Dear Giulia,")
    assert "Tuesday 10:00" in text
    assert text.endswith("Anna Rossi")
