"""What the assistant's emails say: the daily digest, the weekly review, the reminder before a
follow-up and the nudge after a missed one, read as their recipient would."""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pytest_django import Settings

from funnel.assistant.digest import build_digest
from funnel.assistant.letters import Letter, read_unsubscribe_token
from funnel.assistant.models import Kind
from funnel.assistant.reminders import build_nudge, build_reminder
from funnel.assistant.weekly import build_weekly_review
from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.followup.models import FollowUp
from funnel.goals.models import Goal, Metric, Period
from funnel.prospecting.models import BlockOutcome
from funnel.quotes.models import Quote
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Activity, Level, Opportunity
from tests.calendar_helpers import follow_up as scheduled
from tests.helpers import present
from tests.today_helpers import weekly_block

ROME = ZoneInfo("Europe/Rome")
SITE = "https://funnel.example.com"
# Monday 7 December 2026, 7:00 in Rome: the digest and the weekly review go out.
NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=ROME)
FRIDAY_3PM = dt.datetime(2026, 12, 4, 15, 0, tzinfo=ROME)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def site(settings: Settings) -> None:
    settings.BASE_URL = SITE


@pytest.fixture
def rome(owner: User) -> User:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return owner


@pytest.fixture
def giulia(organisation: Organisation) -> Person:
    """Speaks English, so the apology reads in the same language as the test."""
    person = Person.objects.create(
        team=organisation.team, name="Giulia Ferretti", organisation=organisation
    )
    EmailAddress.objects.create(person=person, address="giulia@ferretti.example")
    PhoneNumber.objects.create(person=person, number="+39 051 555 0101")
    return person


@pytest.fixture
def deal(make_opportunity: Callable[..., Opportunity], giulia: Person) -> Opportunity:
    return make_opportunity(
        "Showroom fit-out", level=Level.IN, main_contact=giulia, value=Decimal(18000)
    )


def follow_up(
    opportunity: Opportunity, due_at: dt.datetime, purpose: str = "the revised offer", **more: Any
) -> FollowUp:
    return scheduled(opportunity, due_at, purpose, **more)


def digest(user: User, when_empty: bool = False) -> Letter:
    return present(build_digest(user, now=NOW, when_empty=when_empty))


# The daily digest


def test_missed_follow_ups_come_first_with_the_apology_to_send(
    rome: User, deal: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    closing = make_opportunity("Flagship store", level=Level.BEST_FEW, value=Decimal(90000))
    follow_up(closing, NOW + dt.timedelta(hours=3), "the contract")
    follow_up(deal, FRIDAY_3PM)

    letter = digest(rome)

    for part in (letter.text, letter.html):
        assert part.index("Showroom fit-out") < part.index("Close the Best few")
        assert part.index("Close the Best few") < part.index("Flagship store")
    # Proposed for the next working day at the usual hour, signed by the owner.
    assert (
        "Dear Giulia, I am sorry I did not get back to you as I promised. May I call you on "
        "Dec. 8, 2026, 3 p.m. instead? Kind regards, Anna Rossi"
    ) in letter.text
    assert "Missed: put these right first" in letter.text
    assert letter.text.count("Dear Giulia") == 1
    assert "Dear Giulia, I am sorry" in letter.html


def test_the_apology_is_in_the_persons_language(rome: User, deal: Opportunity) -> None:
    Person.objects.filter(pk=present(deal.main_contact_id)).update(language="it")
    follow_up(deal, FRIDAY_3PM)

    assert "Gentile Giulia, mi scuso" in digest(rome).text


def test_the_subject_names_the_day_and_the_missed_follow_ups(
    rome: User, deal: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    follow_up(deal, FRIDAY_3PM)
    make_opportunity("Second office", level=Level.ABOVE)

    assert digest(rome).subject == "Monday 7 December: 1 missed follow-up, 1 thing to do"


def test_the_subject_and_the_dates_are_in_the_users_language(rome: User, deal: Opportunity) -> None:
    follow_up(deal, FRIDAY_3PM)

    with translation.override("it"):
        letter = digest(rome)

    assert letter.subject.startswith("Lunedì 7 Dicembre: ")
    assert "Monday" not in letter.text


def test_each_item_links_to_where_it_is_done_at_the_sites_address(
    rome: User, deal: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    missed = follow_up(deal, FRIDAY_3PM)
    other = make_opportunity("Second office", level=Level.ABOVE)

    letter = digest(rome)

    log = f"{SITE}/opportunities/{deal.pk}/?log=1&follow_up={missed.pk}#activities"
    assert log in letter.text
    assert f'href="{log.replace("&", "&amp;")}"' in letter.html
    assert f"{SITE}/opportunities/{deal.pk}/#follow-up" in letter.text  # reschedule
    assert f'href="{SITE}/opportunities/{other.pk}/"' in letter.html
    assert 'href="/' not in letter.html


def test_times_are_the_users_own(owner: User, deal: Opportunity) -> None:
    follow_up(deal, NOW + dt.timedelta(hours=4), "the samples")  # 11:00 in Rome, 10:00 in UTC

    in_utc = digest(owner).text
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    in_rome = digest(owner).text

    assert "due today at 10 a.m." in in_utc
    assert "due today at 11 a.m." in in_rome


def test_the_days_blocks_quotes_and_goals_are_in_it(
    rome: User, deal: Opportunity, make_opportunity: Callable[..., Opportunity]
) -> None:
    weekly_block(rome, "MO")
    Quote.objects.create(
        team=deal.team,
        opportunity=deal,
        number="Q-2026-014",
        currency="EUR",
        status=Quote.Status.SENT,
        amount=Decimal(18000),
        sent_on=dt.date(2026, 11, 10),
        valid_until=dt.date(2026, 12, 10),
    )
    Goal.objects.create(
        owner=rome,
        metric=Metric.PROSPECTS,
        period=Period.WEEK,
        target=Decimal(5),
        reward="a long lunch",
        starts_on=dt.date(2026, 11, 1),
    )

    letter = digest(rome)

    assert "Prospecting, 9 a.m.\N{EN DASH}11 a.m. · sacred" in letter.text
    assert f"{SITE}/prospecting/#block-" in letter.text
    assert "Q-2026-014" in letter.text
    assert "Valid until 12/10/2026: follow up for a decision before it expires." in letter.text
    assert f"{SITE}/opportunities/{deal.pk}/#quotes" in letter.text
    assert "New prospects added" in letter.text
    assert "Reward when you reach it: a long lunch" in letter.text


def test_an_empty_day_sends_nothing_unless_asked(rome: User) -> None:
    assert build_digest(rome, now=NOW, when_empty=False) is None

    letter = digest(rome, when_empty=True)

    assert letter.subject == "Monday 7 December: nothing planned, time to prospect"
    assert "A quiet day is the day to prospect" in letter.text
    assert f"{SITE}/opportunities/new/" in letter.text


def test_the_footer_stops_only_the_digest(rome: User, deal: Opportunity) -> None:
    letter = digest(rome)

    assert f"{SITE}/settings/#emails" in letter.text
    assert "Stop the daily digest; other emails still come." in letter.text
    token = letter.text.split(f"{SITE}/unsubscribe/")[1].split("/")[0]
    assert read_unsubscribe_token(token) == (rome.pk, Kind.DIGEST)


def test_names_are_escaped_in_html_and_plain_in_text(
    rome: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    hostile = Organisation.objects.create(team=rome.profile.team, name="<script>x</script>")
    make_opportunity("Deal & <b>co</b>", organisation=hostile)

    letter = digest(rome)

    assert "<script>" not in letter.html
    assert "&lt;script&gt;x&lt;/script&gt;" in letter.html
    assert "Deal &amp; &lt;b&gt;co&lt;/b&gt;" in letter.html
    assert "Deal & <b>co</b> · <script>x</script>" in letter.text


def queries_for_a_digest(user: User, opportunities: int, organisation: Organisation) -> int:
    levels = [Level.ABOVE, Level.IN, Level.BEST_FEW]
    person = Person.objects.create(team=organisation.team, name="Marco", organisation=organisation)
    for i in range(opportunities):
        opportunity = Opportunity(
            team=user.profile.team,
            owner=user,
            title=f"Deal {opportunities}-{i}",
            organisation=organisation,
            main_contact=person,
            level=levels[i % 3],
            value=Decimal(1000 + i),
            currency="EUR",
        )
        create_opportunity(opportunity=opportunity, by=user)
        if i < 3:  # as many missed in both: each group reads past its due rows alike
            follow_up(opportunity, FRIDAY_3PM)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert "Missed" in digest(user).text
    return len(queries)


def test_a_digest_costs_the_same_queries_with_3_or_30_opportunities(
    rome: User, outsider: User, organisation: Organisation
) -> None:
    outsider.profile.time_zone = "Europe/Rome"
    outsider.profile.save(update_fields=["time_zone"])
    other = Organisation.objects.create(team=outsider.profile.team, name="Elsewhere")

    few = queries_for_a_digest(rome, 3, organisation)
    many = queries_for_a_digest(outsider, 30, other)

    assert few == many


# The reminder and the nudge


def test_the_reminder_says_who_how_and_why_with_the_invitation(
    rome: User, deal: Opportunity
) -> None:
    start = NOW + dt.timedelta(minutes=15)
    planned = follow_up(
        deal, start, "Go through the revised offer", value_to_bring="the new fabric samples"
    )

    with CaptureQueriesContext(connection) as queries:
        letter = build_reminder(FollowUp.objects.get(pk=planned.pk), now=NOW)

    assert letter.subject == (
        "In 15 minutes: Go through the revised offer · Giulia Ferretti (Ferretti Arredamenti)"
    )
    assert "the new fabric samples" in letter.text
    assert "+39 051 555 0101" in letter.text
    assert "giulia@ferretti.example" in letter.text
    assert "Dec. 7, 2026, 7:15 a.m." in letter.text  # Rome, not UTC (6:15)
    assert f"{SITE}/opportunities/{deal.pk}/" in letter.text
    assert len(queries) <= 4
    [attachment] = letter.attachments
    assert attachment.mimetype == "text/calendar"
    assert attachment.filename.endswith("-2026-12-07.ics")
    [event] = icalendar.Calendar.from_ical(attachment.content).walk("VEVENT")
    assert event.decoded("dtstart") == start


def test_a_reminder_further_ahead_names_the_time(rome: User, deal: Opportunity) -> None:
    planned = follow_up(deal, NOW + dt.timedelta(hours=2), channel="meeting")

    letter = build_reminder(planned, now=NOW)

    assert letter.subject.startswith("At 9 a.m.: the revised offer · Giulia Ferretti")
    read = read_unsubscribe_token(letter.text.split("/unsubscribe/")[1].split("/")[0])
    assert read == (rome.pk, Kind.REMINDER)


def test_the_nudge_asks_for_the_outcome_and_offers_the_apology(
    rome: User, deal: Opportunity
) -> None:
    missed = follow_up(deal, FRIDAY_3PM)

    letter = build_nudge(missed, now=NOW)

    assert letter.subject == (
        "No outcome yet: the revised offer · Giulia Ferretti (Ferretti Arredamenti) "
        "(12/04/2026 3 p.m.)"
    )
    log = f"{SITE}/opportunities/{deal.pk}/?log=1&follow_up={missed.pk}#activities"
    assert log in letter.text
    assert "May I call you on Dec. 8, 2026, 3 p.m. instead?" in letter.text
    assert "a simple apology fixes it: call anyway" in letter.text
    assert "Stop the emails about missed follow-ups" in letter.html
    assert letter.attachments == []


def test_a_reminder_without_a_person_names_the_customer(
    rome: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    nobody = make_opportunity("Catalogue", level=Level.IN)
    planned = follow_up(nobody, NOW + dt.timedelta(minutes=30), channel="email")

    letter = build_reminder(planned, now=NOW)

    assert letter.subject == "In 30 minutes: the revised offer · Ferretti Arredamenti"
    assert "The calendar invitation is attached." in letter.text


# The weekly review


def log(user: User, opportunity: Opportunity | None, at: dt.datetime, minutes: int) -> None:
    Activity.objects.create(
        team=user.profile.team,
        opportunity=opportunity,
        by=user,
        kind=Activity.Kind.CALL,
        occurred=at,
        minutes=minutes,
    )


def test_the_weekly_review_shares_last_weeks_time_per_level(
    rome: User, make_opportunity: Callable[..., Opportunity], deal: Opportunity
) -> None:
    prospect = make_opportunity("New prospect", level=Level.ABOVE)
    # Monday 0:30 in Rome is still Sunday in UTC: it belongs to last week for this user.
    log(rome, prospect, dt.datetime(2026, 11, 30, 0, 30, tzinfo=ROME), 60)
    log(rome, deal, dt.datetime(2026, 12, 3, 10, 0, tzinfo=ROME), 120)
    log(rome, deal, dt.datetime(2026, 11, 29, 23, 0, tzinfo=ROME), 500)  # the week before
    log(rome, deal, dt.datetime(2026, 12, 7, 0, 30, tzinfo=ROME), 500)  # this week

    letter = present(build_weekly_review(rome, now=NOW))

    assert letter.subject.startswith("Your week, 30 November \N{EN DASH} 6 December")
    assert "Above the funnel: 1 h 00 min, 33% (target 34%, -1 points)" in letter.text
    assert "In the funnel: 2 h 00 min, 67% (target 33%, +34 points)" in letter.text
    assert "Best few: 0 min, 0% (target 33%, -33 points)" in letter.text
    assert f"{SITE}/reports/?period=week&amp;on=2026-11-30" in letter.html


def test_the_weekly_review_names_a_drifting_best_few_deal(
    rome: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    make_opportunity("Flagship store", level=Level.BEST_FEW, expected_close_on=dt.date(2026, 12, 1))
    make_opportunity("On track", level=Level.BEST_FEW, expected_close_on=dt.date(2026, 12, 20))

    letter = present(build_weekly_review(rome, now=NOW))

    assert letter.subject.endswith(": 1 Best few deal drifting")
    drifting = letter.text.split("== Best few drifting ==")[1]
    assert "Flagship store" in drifting
    assert "Its expected close, 12/01/2026, has passed." in drifting
    assert "On track" not in drifting


def test_the_weekly_review_tells_how_each_block_went(rome: User) -> None:
    block = weekly_block(rome, "TH")
    thursday = dt.datetime(2026, 12, 3, 9, 0, tzinfo=ROME)
    BlockOutcome.objects.create(block=block, original_start=thursday, outcome="honoured")
    weekly_block(rome, "MO", minutes=60)

    text = present(build_weekly_review(rome, now=NOW)).text

    assert "Prospecting, Thursday 9 a.m.\N{EN DASH}11 a.m.: Honoured" in text
    assert "Prospecting, Monday 9 a.m.\N{EN DASH}10 a.m.: Not marked: counted as missed" in text
    assert "50% honoured, over 2 blocks." in text


def test_the_weekly_review_names_the_slowdown_and_its_cure(rome: User) -> None:
    Goal.objects.create(
        owner=rome,
        metric=Metric.PROSPECTS,
        period=Period.WEEK,
        target=Decimal(2),
        reward="a concert",
        starts_on=dt.date(2026, 11, 1),
    )

    letter = present(build_weekly_review(rome, now=NOW))

    assert "Prospecting fading without your noticing" in letter.text
    assert "Plan a weekly prospecting block and treat it as sacred." in letter.text
    assert f"{SITE}/prospecting/" in letter.text
    assert "New prospects added (30 Nov \N{EN DASH} 6 Dec): 0 of 2" in letter.text


def test_no_weekly_review_for_someone_with_nothing(rome: User) -> None:
    assert build_weekly_review(rome, now=NOW) is None
