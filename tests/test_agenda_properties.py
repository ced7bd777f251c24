"""Today's order holds for any mix of candidates: it never raises, never goes backwards, and
every item says why it is there (docs/method.md §1, "Priorities"). Property-based, without the
database: Hypothesis builds the mixes, including the ones no fixture thought of."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.followup.models import Kind
from funnel.sales.models import Level
from funnel.sales.rules import InfluenceFacts, OpportunityFacts
from funnel.today.priorities import (
    AgendaSettings,
    Candidate,
    FollowUpFacts,
    Group,
    build_agenda,
    priority_key,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
# A few moments around now, so that ties, "due today", missed and later steps all come up.
MOMENTS = [NOW + dt.timedelta(hours=hours) for hours in (-72, -3, -1, 0, 1, 5, 13, 30, 400)]

moments = st.one_of(st.none(), st.sampled_from(MOMENTS))
days = st.one_of(st.none(), st.sampled_from([TODAY + dt.timedelta(d) for d in (-400, -5, 0, 40)]))
influences = st.lists(
    st.builds(
        InfluenceFacts,
        name=st.sampled_from(["Giulia", "Marco"]),
        role=st.sampled_from(["economic", "user", "technical", "coach"]),
        status=st.sampled_from(["unknown", "contacted", "satisfied"]),
        fit_confirmed=st.booleans(),
    ),
    max_size=3,
)
follow_ups = st.one_of(
    st.none(),
    st.builds(
        FollowUpFacts,
        id=st.integers(1, 10),
        kind=st.sampled_from(Kind.values),
        purpose=st.sampled_from(["", "Call back"]),
        channel=st.sampled_from(["Phone", "Email"]),
        due_at=moments,
        minutes=st.integers(5, 600),
        assigned_to=st.sampled_from(["", "Luca"]),
    ),
)


@st.composite
def candidate(draw: st.DrawFn, id: int) -> Candidate:
    level = draw(st.sampled_from(Level.values))
    follow_up = draw(follow_ups)
    expected_close_on = draw(days)
    return Candidate(
        id=id,
        title=f"Deal {id}",
        customer=f"Customer {id}",
        level=level,
        value=draw(st.sampled_from([Decimal(0), Decimal(1000), Decimal("999999999999.99")])),
        currency="EUR",
        fit_score=draw(st.one_of(st.none(), st.integers(0, 100))),
        next_step=draw(st.sampled_from(["", "Call back"])),
        # As funnel.today.agenda builds it: the follow-up's time when there is one.
        next_step_at=follow_up.due_at if follow_up else draw(moments),
        expected_close_on=expected_close_on,
        level_since=draw(st.sampled_from([TODAY, TODAY - dt.timedelta(days=200)])),
        facts=OpportunityFacts(level, expected_close_on, draw(influences)),
        follow_up=follow_up,
        attempts=draw(st.integers(0, 60)),
        progress_at=draw(moments),
        stop_after_attempts=draw(st.one_of(st.none(), st.integers(1, 50))),
        stop_after_days=draw(st.one_of(st.none(), st.integers(1, 3650))),
        waiting_for_delivery=draw(st.booleans()),
    )


@st.composite
def candidates(draw: st.DrawFn) -> list[Candidate]:
    count = draw(st.integers(0, 12))
    return [draw(candidate(id=draw(st.integers(1, 6)))) for _ in range(count)]


agenda_settings = st.builds(
    AgendaSettings,
    now=st.just(NOW),
    end_of_today=st.just(dt.datetime(2026, 12, 1, tzinfo=UTC)),
    today=st.just(TODAY),
    cycle_days=st.sampled_from([1, 90, 3650]),
    poor_fit_below=st.integers(0, 100),
    stop_after_attempts=st.integers(1, 50),
    stop_after_days=st.one_of(st.none(), st.integers(1, 3650)),
)


@settings(max_examples=300, deadline=None)
@given(candidates(), agenda_settings, st.one_of(st.none(), st.integers(1, 5)))
def test_any_mix_of_candidates_makes_an_agenda_in_order_with_reasons(
    mix: list[Candidate], agenda: AgendaSettings, limit: int | None
) -> None:
    built = build_agenda(mix, settings=agenda, totals={}, limit=limit)

    assert [summary.group for summary in built.groups] == list(Group)
    for summary in built.groups:
        keys = [priority_key(item.opportunity, agenda) for item in summary.items]
        assert keys == sorted(keys), "priorities never go backwards inside a group"
        assert [item.urgency for item in summary.items] == sorted(
            item.urgency for item in summary.items
        )
        assert limit is None or len(summary.items) <= limit
        ids = [item.opportunity.id for item in summary.items]
        assert len(ids) == len(set(ids)), "an opportunity is one item"
    assert all(isinstance(item.reason, str) and item.reason.strip() for item in built.items)
    assert [int(item.group) for item in built.items] == sorted(int(i.group) for i in built.items)


@settings(max_examples=300, deadline=None)
@given(candidate(id=1), candidate(id=2), agenda_settings)
def test_any_two_candidates_compare_whatever_they_lack(
    first: Candidate, second: Candidate, agenda: AgendaSettings
) -> None:
    """Sorting needs a total order: two keys always compare, one way or the other."""
    a, b = priority_key(first, agenda), priority_key(second, agenda)
    assert (a < b) or (b < a) or (a == b)
