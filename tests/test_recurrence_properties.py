"""A prospecting block's occurrences are found from the window asked for, never from the day
the block began: the same occurrences as expanding the rule from its start, whatever the rule,
start and window (Hypothesis), at a cost that does not grow with the years since."""

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil import rrule  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.prospecting import rules

ROME = ZoneInfo("Europe/Rome")


def plan(
    first: dt.datetime, weekdays: list[str], interval: int, until: dt.date | None
) -> rules.BlockPlan:
    text = rules.build_rule(weekdays=weekdays, interval=interval, until=until, first=first)
    return rules.BlockPlan(1, "Prospecting", first, 90, text, ROME)


def every_occurrence_from_the_start(
    block: rules.BlockPlan, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """The reference: dateutil expanding the rule from its first day."""
    full = rrule.rrulestr(block.rule, dtstart=block.first, forceset=False)
    length = dt.timedelta(minutes=block.minutes)
    since = (start - length).astimezone(ROME).replace(tzinfo=None)
    until = end.astimezone(ROME).replace(tzinfo=None)
    found = [local.replace(tzinfo=ROME) for local in full.between(since, until, inc=True)]
    return [begins for begins in found if begins < end and begins + length > start]


@settings(max_examples=200, deadline=None)
@given(
    first=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    weekdays=st.lists(st.sampled_from(rules.WEEKDAYS), min_size=1, unique=True),
    interval=st.integers(1, 8),
    until=st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2035, 1, 1))),
    window_start=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2034, 1, 1)),
    days=st.integers(1, 70),
)
def test_occurrences_from_the_window_are_those_of_the_whole_rule(
    first: dt.datetime,
    weekdays: list[str],
    interval: int,
    until: dt.date | None,
    window_start: dt.datetime,
    days: int,
) -> None:
    block = plan(first.replace(second=0, microsecond=0), weekdays, interval, until)
    start = window_start.replace(tzinfo=ROME)
    end = start + dt.timedelta(days=days)

    found = [o.start for o in rules.occurrences(block, start, end)]

    assert found == every_occurrence_from_the_start(block, start, end)


def test_a_block_that_began_a_thousand_years_ago_is_expanded_from_the_window() -> None:
    block = plan(dt.datetime(1000, 1, 6, 9, 0), ["MO", "TH"], 1, None)
    start = dt.datetime(2026, 11, 30, tzinfo=ROME)

    rule = rules.parsed(block, near=start.replace(tzinfo=None))

    assert rule._dtstart > dt.datetime(2026, 1, 1), "it starts near the window"
    found = rules.occurrences(block, start, start + dt.timedelta(days=7))
    assert [o.start.strftime("%a %H:%M") for o in found] == ["Mon 09:00", "Thu 09:00"]
