"""The calendar subscription, read as calendar apps read it: times, identity, reminders,
the secret address, answering fast, prospecting blocks. Every feed is parsed twice, with
icalendar and with vobject."""

import datetime as dt
import gzip
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
import time_machine
import vobject  # type: ignore[import-untyped]  # vobject publishes no type hints
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership, new_calendar_token
from funnel.followup import actions, calendar
from funnel.followup.models import Kind, Status
from funnel.prospecting import rules
from funnel.prospecting.models import Block
from funnel.sales.models import Opportunity
from tests import calendar_helpers
from tests.calendar_helpers import (
    DASH,
    NOW,
    ROME,
    at_rome,
    by_icalendar,
    by_vobject,
    feed,
    feed_url,
    follow_up,
    only,
)

# Fixtures shared with the other calendar tests (in calendar_helpers.py).
frozen = calendar_helpers.frozen
rome = calendar_helpers.rome


def sequence(event: icalendar.Event) -> int:
    value = event["SEQUENCE"]
    assert isinstance(value, int)
    return value


def moment(value: object) -> dt.datetime:
    """An event's start or end: a time of day, never a whole day."""
    assert isinstance(value, dt.datetime)
    return value


# The feed: times, identity, changes


@pytest.mark.parametrize(
    ("day", "utc_hour"), [(dt.date(2026, 2, 10), 9), (dt.date(2026, 7, 10), 8)]
)
def test_a_10_oclock_follow_up_in_rome_is_10_oclock_rome_in_both_parsers(
    client: Client, owner: User, opportunity: Opportunity, day: dt.date, utc_hour: int
) -> None:
    follow_up(opportunity, dt.datetime.combine(day, dt.time(10), ROME), minutes=45)
    body = feed(client, owner)
    event, other = only(by_icalendar(body)), only(by_vobject(body))
    for start, end in [
        (event.start, event.end),
        (other.dtstart.value, other.dtend.value),
    ]:
        assert (start.date(), start.hour, start.minute) == (day, 10, 0)
        assert start.astimezone(dt.UTC).hour == utc_hour
        assert end - start == dt.timedelta(minutes=45)
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert [tz.tz_name for tz in icalendar.Calendar.from_ical(body).timezones] == ["Europe/Rome"]


def test_a_user_in_utc_gets_utc_times(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    owner.profile.time_zone = "UTC"
    owner.profile.save(update_fields=["time_zone"])
    follow_up(opportunity, dt.datetime(2026, 2, 10, 14, 30, tzinfo=dt.UTC))
    body = feed(client, owner)
    assert b"DTSTART:20260210T143000Z" in body and b"VTIMEZONE" not in body
    assert only(by_vobject(body)).dtstart.value == dt.datetime(2026, 2, 10, 14, 30, tzinfo=dt.UTC)


def test_uids_are_unique_and_stay_the_same_from_one_request_to_the_next(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    for day in (13, 14, 15):
        follow_up(opportunity, at_rome(2026, 1, day, 10))
    first, second = by_icalendar(feed(client, owner)), by_icalendar(feed(client, owner))
    assert len(first) == 3
    assert list(first) == list(second)
    assert set(first) == set(by_vobject(feed(client, owner)))


def test_a_rescheduled_follow_up_is_a_newer_version_at_the_new_time(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    planned = follow_up(opportunity, at_rome(2026, 1, 20, 10))
    before = only(by_icalendar(feed(client, owner)))
    planned.due_at = at_rome(2026, 1, 21, 15)
    actions.schedule(follow_up=planned)
    body = feed(client, owner)
    after, other = only(by_icalendar(body)), only(by_vobject(body))
    assert after["UID"] == before["UID"]
    assert sequence(after) > sequence(before)
    assert int(other.sequence.value) == sequence(after)
    assert after.start == other.dtstart.value == at_rome(2026, 1, 21, 15)


def test_a_cancelled_follow_up_stays_in_the_feed_as_cancelled(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    planned = follow_up(opportunity, at_rome(2026, 1, 20, 10))
    actions.cancel(follow_up=planned)
    body = feed(client, owner)
    assert only(by_icalendar(body))["STATUS"] == "CANCELLED"
    assert only(by_vobject(body)).status.value == "CANCELLED"


def test_the_feed_shows_the_last_60_days_and_everything_ahead(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, NOW - dt.timedelta(days=61), "Too old")
    follow_up(opportunity, NOW - dt.timedelta(days=59), "Overdue")
    done = follow_up(opportunity, NOW - dt.timedelta(days=3), "Done last week")
    done.status = Status.DONE
    done.save(update_fields=["status"])
    follow_up(opportunity, NOW + dt.timedelta(days=400), "Next year")
    follow_up(opportunity, None, "Thank you after delivery", kind=Kind.POST_SALE)
    with time_machine.travel(NOW - dt.timedelta(days=61), tick=False):
        actions.cancel(follow_up=follow_up(opportunity, NOW + dt.timedelta(days=1), "Gone"))
    summaries = sorted(str(e["SUMMARY"]) for e in by_icalendar(feed(client, owner)).values())
    assert summaries == [
        f"Next year{DASH}Ferretti Arredamenti",
        f"Overdue{DASH}Ferretti Arredamenti",
        f"✓ Done last week{DASH}Ferretti Arredamenti",
    ]


def test_each_event_says_what_why_and_links_to_the_opportunity(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(
        opportunity,
        at_rome(2026, 1, 20, 10),
        "Send the revised proposal; two options, one cheaper",
        value_to_bring="A case study from a furniture maker in Modena, with figures",
    )
    body = feed(client, owner)
    event, other = only(by_icalendar(body)), only(by_vobject(body))
    link = f"http://testserver/opportunities/{opportunity.pk}/"
    summary = f"Send the revised proposal; two options, one cheaper{DASH}Ferretti Arredamenti"
    assert event["SUMMARY"] == other.summary.value == summary
    assert event["URL"] == other.url.value == link
    assert event["DESCRIPTION"] == other.description.value
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Channel: Phone",
        "With: Giulia Ferretti",
        "Value to bring: A case study from a furniture maker in Modena, with figures",
        link,
    ]
    assert max(len(line) for line in body.split(b"\r\n")) <= 75


def test_long_accented_text_survives_line_folding_in_both_parsers(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    purpose = "Richiamare per l'offerta: è più conveniente, però c'è l'IVA " * 4
    follow_up(opportunity, at_rome(2026, 1, 20, 10), purpose.strip()[:200])
    body = feed(client, owner)
    expected = f"{purpose.strip()[:200]}{DASH}Ferretti Arredamenti"
    assert only(by_icalendar(body))["SUMMARY"] == only(by_vobject(body)).summary.value == expected
    assert max(len(line) for line in body.split(b"\r\n")) <= 75


def test_the_calendar_is_named_after_the_user(client: Client, owner: User) -> None:
    body = feed(client, owner)
    parsed = icalendar.Calendar.from_ical(body)
    assert parsed["X-WR-CALNAME"] == f"Funnel{DASH}Anna Rossi"
    assert parsed["METHOD"] == "PUBLISH"
    assert vobject.readOne(body.decode()).x_wr_calname.value == f"Funnel{DASH}Anna Rossi"


def test_the_feed_speaks_the_users_language(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    owner.profile.language = "it"
    owner.profile.save(update_fields=["language"])
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    description = str(only(by_icalendar(feed(client, owner)))["DESCRIPTION"])
    assert "Telefono" in description  # the channel, already in the Italian catalogue


# Reminders


def test_the_reminder_is_15_minutes_before_unless_the_user_chooses_otherwise(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    body = feed(client, owner)
    event = only(by_icalendar(body))
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert [time.trigger for time in event.alarms.times] == [at_rome(2026, 1, 20, 9, 45)]
    assert only(by_vobject(body)).valarm.trigger.value == dt.timedelta(minutes=-15)

    owner.profile.reminder_minutes = 90
    owner.profile.save(update_fields=["reminder_minutes"])
    body = feed(client, owner)
    assert only(by_icalendar(body)).alarms.times[0].trigger == at_rome(2026, 1, 20, 8, 30)
    assert only(by_vobject(body)).valarm.trigger.value == dt.timedelta(minutes=-90)


def test_no_reminder_when_the_user_wants_none(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    owner.profile.reminder_minutes = 0
    owner.profile.save(update_fields=["reminder_minutes"])
    assert b"VALARM" not in feed(client, owner)


def test_done_and_cancelled_follow_ups_need_no_reminder(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    actions.cancel(follow_up=follow_up(opportunity, at_rome(2026, 1, 20, 10)))
    done = follow_up(opportunity, NOW - dt.timedelta(days=1))
    done.status = Status.DONE
    done.save(update_fields=["status"])
    body = feed(client, owner)
    assert len(by_icalendar(body)) == 2
    assert b"VALARM" not in body


# The secret address


def test_the_feed_needs_no_login_and_is_a_calendar(client: Client, owner: User) -> None:
    response = client.get(feed_url(owner))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]


def test_an_unknown_token_gets_404(client: Client, owner: User) -> None:
    assert client.get(reverse("calendar_feed", args=["not-a-token"])).status_code == 404


def test_a_new_token_makes_the_old_address_404(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    old = feed_url(owner)
    owner.profile.calendar_token = new_calendar_token()
    owner.profile.save(update_fields=["calendar_token"])
    assert client.get(old).status_code == 404
    assert len(by_icalendar(feed(client, owner))) == 1


def test_an_outsiders_feed_never_shows_the_owners_follow_ups(
    client: Client, owner: User, outsider: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    body = feed(client, outsider)
    assert by_icalendar(body) == {} and by_vobject(body) == {}
    assert b"Ferretti" not in body


def test_a_follow_up_delegated_to_a_teammate_is_in_their_feed_not_the_owners(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    teammate = create_user(username="bruno", password="correct-horse-battery")
    Membership.objects.create(team=owner.profile.team, user=teammate)
    follow_up(opportunity, at_rome(2026, 1, 20, 10), assigned_to=teammate)
    assert by_icalendar(feed(client, owner)) == {}
    assert len(by_icalendar(feed(client, teammate))) == 1


# Answering fast


def test_an_unchanged_feed_answers_304_and_a_change_sends_it_again(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    planned = follow_up(opportunity, at_rome(2026, 1, 20, 10))
    url = feed_url(owner)
    etag = client.get(url)["ETag"]
    unchanged = client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    actions.cancel(follow_up=planned)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_feed_is_compressed_for_apps_that_accept_it_and_still_answers_304(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    for day in range(13, 20):
        follow_up(opportunity, at_rome(2026, 1, day, 10))
    url = feed_url(owner)
    compressed = client.get(url, headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert len(by_icalendar(gzip.decompress(compressed.content))) == 7
    again = client.get(
        url, headers={"accept-encoding": "gzip", "if-none-match": compressed["ETag"]}
    )
    assert again.status_code == 304


def test_a_new_reminder_setting_changes_the_etag(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    follow_up(opportunity, at_rome(2026, 1, 20, 10))
    url = feed_url(owner)
    etag = client.get(url)["ETag"]
    owner.profile.reminder_minutes = 30
    owner.profile.save(update_fields=["reminder_minutes"])
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def queries_for_feed(client: Client, url: str) -> int:
    """Queries to build the feed (not to serve a copy kept from an earlier request)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_feed_runs_as_many_queries_for_30_follow_ups_as_for_3(
    client: Client,
    owner: User,
    opportunity: Opportunity,
    make_opportunity: Callable[..., Opportunity],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for hours in range(3):
        follow_up(opportunity, NOW + dt.timedelta(hours=hours + 1))
    url = feed_url(owner)
    few = queries_for_feed(client, url)
    others = [make_opportunity(f"Deal {n}") for n in range(9)]
    for hours in range(27):
        follow_up(others[hours % 9], NOW + dt.timedelta(hours=hours + 10))
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
    assert queries_for_feed(client, url) == few
    assert len(by_icalendar(feed(client, owner))) == 30


def test_a_feed_asked_for_again_without_an_etag_is_not_built_again(
    client: Client,
    owner: User,
    opportunity: Opportunity,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    follow_up(opportunity, NOW + dt.timedelta(hours=1))
    url = feed_url(owner)
    first = client.get(url).content
    with django_assert_max_num_queries(3):  # the token, the version; no events read
        again = client.get(url).content
    assert again == first
    follow_up(opportunity, NOW + dt.timedelta(hours=2), "Another call")
    assert b"Another call" in client.get(url).content


# The pieces


@pytest.mark.parametrize("length", [10, 33, 34, 74, 75, 76, 150, 151])
def test_folding_never_splits_a_character_and_unfolds_to_the_line(length: int) -> None:
    line = "SUMMARY:" + ("é" * length)
    folded = calendar.fold(line).encode()
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert folded.replace(b"\r\n ", b"").decode() == line


def test_text_escapes_what_rfc_5545_asks() -> None:
    assert calendar.text("a\\b; c, d\r\ne\nf") == "a\\\\b\\; c\\, d\\ne\\nf"


# Prospecting blocks


def prospecting_block(user: User, **fields: Any) -> Block:
    first = fields.pop("first", dt.date(2026, 1, 13))  # a Tuesday
    rule = rules.build_rule(
        weekdays=fields.pop("weekdays", ["TU"]),
        interval=1,
        until=fields.pop("until", None),
        first=dt.datetime.combine(first, dt.time(9)),
    )
    return Block.objects.create(
        team=user.profile.team,
        owner=user,
        title=fields.pop("title", "Prospecting"),
        starts_on=first,
        start_time=dt.time(9),
        minutes=180,
        rule=rule,
    )


def test_prospecting_blocks_are_in_the_feed_at_9_local_across_daylight_saving(
    client: Client, owner: User
) -> None:
    prospecting_block(owner, until=dt.date(2026, 4, 7))
    body = feed(client, owner)
    for events in (by_icalendar(body), by_vobject(body)):
        starts = sorted(
            moment(e.start if isinstance(e, icalendar.Event) else e.dtstart.value)
            for e in events.values()
        )
        assert len(starts) == 13  # Tuesdays from 13 January to 7 April
        assert {(s.hour, s.minute, s.weekday()) for s in starts} == {(9, 0, 1)}
        utc_hours = {s.date(): s.astimezone(dt.UTC).hour for s in starts}
        assert utc_hours[dt.date(2026, 3, 24)] == 8 and utc_hours[dt.date(2026, 3, 31)] == 7
    assert all(uid.startswith("block-") for uid in by_icalendar(body))


def test_a_moved_block_keeps_its_uid_and_shows_at_its_new_time(client: Client, owner: User) -> None:
    from funnel.prospecting import actions as prospecting_actions
    from funnel.prospecting import facts as prospecting_facts

    block = prospecting_block(owner, until=dt.date(2026, 1, 31))
    before = by_icalendar(feed(client, owner))
    assert len(before) == 3  # 13, 20 and 27 January
    start = at_rome(2026, 1, 13, 9)
    with time_machine.travel(at_rome(2026, 1, 13, 13), tick=False):
        (occurrence,) = prospecting_facts.load(owner, since=start).planned_in(
            start, start + dt.timedelta(minutes=1)
        )
        prospecting_actions.mark(
            block=block,
            occurrence=occurrence,
            outcome="moved",
            now=at_rome(2026, 1, 13, 13),
            moved_start=at_rome(2026, 1, 15, 14),
            moved_end=at_rome(2026, 1, 15, 16),
        )
    body = feed(client, owner)
    after, other = by_icalendar(body), by_vobject(body)
    assert after.keys() == before.keys() == other.keys()
    moved = [uid for uid in after if after[uid].start != before[uid].start]
    assert len(moved) == 1
    (uid,) = moved
    for start_, end in [
        (after[uid].start, after[uid].end),
        (other[uid].dtstart.value, other[uid].dtend.value),
    ]:
        assert (start_, end) == (at_rome(2026, 1, 15, 14), at_rome(2026, 1, 15, 16))
    assert sequence(after[uid]) == 1


def test_the_feed_runs_as_many_queries_for_30_blocks_as_for_3(client: Client, owner: User) -> None:
    for n in range(3):
        prospecting_block(owner, title=f"Block {n}")
    url = feed_url(owner)
    few = queries_for_feed(client, url)
    for n in range(27):
        prospecting_block(owner, title=f"More {n}", weekdays=["MO", "WE"])
    assert queries_for_feed(client, url) == few <= 4


def test_a_new_prospecting_block_changes_the_etag(client: Client, owner: User) -> None:
    url = feed_url(owner)
    etag = client.get(url)["ETag"]
    prospecting_block(owner)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
