"""The roller coaster seen before it comes (docs/method.md §1): the dry spell the forecast sees
on Today's prospecting card and in the weekly review, and the worker's `forecasts` job that
keeps each outlook ready so pages only read it."""

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from funnel.accounts.actions import create_user
from funnel.assistant import planning, weekly
from funnel.assistant.models import Job, Kind, Status
from funnel.assistant.weekly import build_weekly_review
from funnel.assistant.worker import Worker
from funnel.contacts.models import Organisation
from funnel.forecast import facts
from funnel.forecast.alerts import StopAhead
from funnel.forecast.models import StoredOutlook
from funnel.forecast.outlook import Outlook
from funnel.lib.mail import plain_text as text_of
from funnel.today import views as today_views
from tests.forecast_helpers import NOW, Life, prospecting_history, write_history
from tests.helpers import Clock, present
from tests.smtp_helpers import Mailbox

SITE = "https://funnel.example.com"
# The warning as Today and the weekly review word it, in English.
WARNING = re.compile(
    r"In about \d+ weeks? income falls to (about \d+ % of your target|almost nothing): "
    r"add \d+ prospects? a week for the next 4 weeks\."
)
FORECAST_LINK = 'href="/reports/#forecast"'
TARGET_LINK = 'href="/settings/#income-target"'


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def site(settings: Settings) -> None:
    settings.BASE_URL = SITE


@pytest.fixture
def quiet(owner: User, organisation: Organisation) -> User:
    """A year of prospecting every week, and no new prospect in the last three weeks."""
    prospecting_history(owner, organisation, quiet_days=21)
    return owner


@pytest.fixture
def steady(owner: User, organisation: Organisation) -> User:
    """The same year of prospecting, kept up to this week."""
    prospecting_history(owner, organisation)
    return owner


def health_card(client: Client) -> str:
    """Today's "Keep prospecting" card, as the page shows it ("" when there is none)."""
    response = client.get(reverse("today"))
    assert response.status_code == 200
    found = re.search(r'<section class="card slowdowns".*?</section>', response.text, re.DOTALL)
    return found.group(0) if found else ""


def fresh(user: User) -> User:
    return User.objects.select_related("profile").get(pk=user.pk)


# Today's card


def test_today_warns_of_the_dry_spell_and_says_how_many_prospects_fill_it(
    owner_client: Client, quiet: User
) -> None:
    card = health_card(owner_client)
    assert WARNING.search(card), card
    assert FORECAST_LINK in card
    assert 'href="/prospecting/"' in card  # where the blocks are planned
    assert TARGET_LINK in card  # the target is the past year's average until one is set


def test_with_a_target_set_today_does_not_ask_for_one(owner_client: Client, quiet: User) -> None:
    quiet.profile.income_target = 4000
    quiet.profile.save(update_fields=["income_target"])
    card = health_card(owner_client)
    assert WARNING.search(card)
    assert TARGET_LINK not in card


def test_prospecting_kept_up_gives_no_warning(owner_client: Client, steady: User) -> None:
    card = health_card(owner_client)
    assert "income falls to" not in card
    assert FORECAST_LINK not in card


def test_an_outsider_does_not_see_the_owners_warning(
    outsider_client: Client, quiet: User, outsider: User
) -> None:
    Organisation.objects.create(team=outsider.profile.team, name="Mallory Trading")
    assert "income falls to" not in health_card(outsider_client)


STOP_AHEAD = (
    "The last 2 times your funnel was this full, you stopped prospecting and income fell 3 "
    "months later: keep this week's blocks."
)


@pytest.fixture
def stops_before(steady: User, monkeypatch: pytest.MonkeyPatch) -> User:
    """The history says: twice, with a funnel this full, prospecting stopped and income fell."""
    real = facts.outlook_for

    def warned(user: User, *, now: dt.datetime | None = None) -> Outlook:
        outlook = real(user, now=now)
        return dataclasses.replace(outlook, stop_ahead=StopAhead(times=2, months_later=3))

    monkeypatch.setattr(today_views, "outlook_for", warned)
    monkeypatch.setattr(weekly, "outlook_for", warned)
    return steady


def test_today_warns_before_a_stop_like_the_last_ones(
    owner_client: Client, stops_before: User
) -> None:
    card = health_card(owner_client)
    assert html.escape(STOP_AHEAD) in card
    assert 'href="/prospecting/"' in card
    assert "income falls to" not in card


# The weekly review


def test_the_weekly_review_carries_the_warning_with_the_link_to_the_forecast(
    quiet: User,
) -> None:
    letter = present(build_weekly_review(fresh(quiet), now=NOW))

    keep_prospecting = letter.text.split("== Keep prospecting ==")[1]
    warning = present(WARNING.search(keep_prospecting))
    assert f"See the forecast: {SITE}/reports/#forecast" in keep_prospecting
    assert warning.group(0) in letter.html
    assert f'href="{SITE}/reports/#forecast"' in letter.html


def test_the_weekly_review_of_a_steady_week_has_no_warning(steady: User) -> None:
    letter = present(build_weekly_review(fresh(steady), now=NOW))
    assert "income falls to" not in letter.text
    assert "/reports/#forecast" not in letter.html


def test_the_weekly_review_carries_the_stop_warning_with_the_link_to_the_blocks(
    stops_before: User,
) -> None:
    letter = present(build_weekly_review(fresh(stops_before), now=NOW))
    assert f"* {STOP_AHEAD}\n  Your prospecting blocks: {SITE}/prospecting/" in letter.text
    assert html.escape(STOP_AHEAD) in letter.html


MONDAY_7AM = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


def test_the_weekly_email_on_monday_brings_the_warning(
    owner: User,
    organisation: Organisation,
    smtp: Mailbox,
    frozen: time_machine.Traveller,
) -> None:
    frozen.move_to(MONDAY_7AM)
    prospecting_history(owner, organisation, quiet_days=21, now=MONDAY_7AM)
    owner.email = "anna@example.com"
    owner.save(update_fields=["email"])
    owner.profile.email_digest = False
    owner.profile.email_weekly = True
    owner.profile.email_hour = 7
    owner.profile.save()

    Worker(clock=Clock(MONDAY_7AM)).run_round()

    (message,) = smtp.messages
    assert message["Subject"].startswith("Your week, 16 November")
    text = text_of(message)
    assert WARNING.search(text)
    assert f"{SITE}/reports/#forecast" in text


# The worker's forecasts job


def forecast_jobs() -> list[Job]:
    return list(Job.objects.filter(kind=Kind.FORECASTS).order_by("due_at"))


def test_the_forecasts_job_is_planned_once_every_five_minutes(db: None) -> None:
    for minute in (0, 2, 4):
        planning.plan(NOW + dt.timedelta(minutes=minute))
    assert [job.key for job in forecast_jobs()] == ["forecasts:2026-11-18T10:00"]
    planning.plan(NOW + dt.timedelta(minutes=7))
    assert [(job.key, job.due_at) for job in forecast_jobs()] == [
        ("forecasts:2026-11-18T10:00", NOW),
        ("forecasts:2026-11-18T10:05", NOW + dt.timedelta(minutes=5)),
    ]


def logged_in(user: User, ago: dt.timedelta) -> User:
    User.objects.filter(pk=user.pk).update(last_login=NOW - ago)
    return user


def test_the_forecasts_job_keeps_the_outlooks_of_users_who_came_lately(
    quiet: User, outsider: User
) -> None:
    logged_in(quiet, dt.timedelta(days=13))
    logged_in(outsider, dt.timedelta(days=15))
    create_user(username="never", password="correct-horse-battery")
    gone = logged_in(create_user(username="gone", password="correct-horse-battery"), dt.timedelta())
    User.objects.filter(pk=gone.pk).update(is_active=False)

    Worker(clock=Clock(NOW)).run_round()

    assert list(StoredOutlook.objects.values_list("user__username", flat=True)) == ["anna"]
    (job,) = forecast_jobs()
    assert (job.status, job.last_error) == (Status.DONE, "brought 1 up to date, failed for 0 users")
    Worker(clock=Clock(NOW + dt.timedelta(minutes=5))).run_round()  # nothing changed since
    assert forecast_jobs()[1].last_error == "brought 0 up to date, failed for 0 users"


def test_one_users_failing_forecast_does_not_keep_the_others_stale(
    quiet: User, outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_in(quiet, dt.timedelta(hours=1))
    logged_in(outsider, dt.timedelta(hours=1))
    compute = facts.compute

    def failing_for_anna(user: User, *, as_of: dt.date, months: int = 6) -> Outlook:
        if user.pk == quiet.pk:
            raise RuntimeError("a broken row")
        return compute(user, as_of=as_of, months=months)

    monkeypatch.setattr(facts, "compute", failing_for_anna)
    assert quiet.pk < outsider.pk  # the failing user comes first

    Worker(clock=Clock(NOW)).run_round()

    assert list(StoredOutlook.objects.values_list("user__username", flat=True)) == ["mallory"]
    (job,) = forecast_jobs()
    assert (job.status, job.last_error) == (Status.DONE, "brought 1 up to date, failed for 1 users")


def computing_is_not_expected(user: User, *, as_of: dt.date, months: int = 6) -> Outlook:
    raise AssertionError("computed instead of read")


def test_today_reads_the_outlook_the_worker_stored(
    owner_client: Client, quiet: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """force_login counts as coming lately; then the page shows the warning from the stored
    outlook without computing one."""
    Worker(clock=Clock(NOW)).run_round()
    assert StoredOutlook.objects.filter(user=quiet).exists()
    monkeypatch.setattr(facts, "compute", computing_is_not_expected)

    assert WARNING.search(health_card(owner_client))


def test_the_stored_outlook_is_kept_up_to_date_by_the_next_run_after_a_change(
    owner_client: Client,
    quiet: User,
    organisation: Organisation,
    frozen: time_machine.Traveller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prospecting picks up again: the next run takes the warning away, and Today with it."""
    Worker(clock=Clock(NOW)).run_round()
    assert WARNING.search(health_card(owner_client))
    frozen.shift(dt.timedelta(minutes=3))
    found = timezone.now()
    write_history(quiet, organisation, [Life(((found, "above"),)) for _ in range(12)])
    frozen.shift(dt.timedelta(minutes=2))

    Worker(clock=Clock(timezone.now())).run_round()
    monkeypatch.setattr(facts, "compute", computing_is_not_expected)

    assert "income falls to" not in health_card(owner_client)


# Today's queries


def count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("today")).status_code == 200
    return len(queries)


def test_today_with_a_stored_outlook_makes_as_many_queries_for_300_opportunities_as_for_30(
    owner_client: Client,
    owner: User,
    organisation: Organisation,
    frozen: time_machine.Traveller,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def add_history(count: int) -> None:
        found = NOW - dt.timedelta(days=40)
        lives = [
            Life(((found, "above"), (found + dt.timedelta(days=9), "in"), (NOW, "won")))
            if index % 3 == 0
            else Life(((found, "above"), (found + dt.timedelta(days=9), "in")))
            for index in range(count)
        ]
        write_history(owner, organisation, lives)
        frozen.shift(dt.timedelta(minutes=1))
        assert facts.refresh(fresh(owner), now=timezone.now())

    add_history(30)
    monkeypatch.setattr(facts, "compute", computing_is_not_expected)
    count_queries(owner_client)  # the first look keeps the day's sales cycle
    few = count_queries(owner_client)
    monkeypatch.undo()
    add_history(270)
    monkeypatch.setattr(facts, "compute", computing_is_not_expected)
    count_queries(owner_client)

    with django_assert_num_queries(few):
        response = owner_client.get(reverse("today"))

    outlook: Outlook = response.context["outlook"]
    assert outlook.forecast.basis.open_counts["in"] == 200
