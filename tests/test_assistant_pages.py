"""The pages around Funnel's emails: the Settings card that chooses them, "What Funnel sent",
and the page an email's unsubscribe link opens (signed in or not, or a mail client's one-click
POST with no cookie)."""

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats

from funnel.accounts.models import Profile
from funnel.assistant.letters import UNSUBSCRIBE_SALT, unsubscribe_token
from funnel.assistant.models import Job, Kind, Status
from tests.helpers import new_client

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"
SENT = reverse("sent_emails")
MOMENT = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
_keys = itertools.count()


def email_data(**changes: str) -> dict[str, str]:
    """The Emails card as the page sends it: a new user's settings, with an address."""
    values = {
        "email": "anna@example.com",
        "email_digest": "on",
        "email_hour": "7",
        "email_reminder_minutes": "",
        "email_nudges": "on",
        "email_weekly": "on",
        **changes,
    }
    sent = {f"emails-{name}": value for name, value in values.items() if value != "off"}
    return {"form": "emails", **sent}


def profile_of(user: User) -> Profile:
    return Profile.objects.select_related("user").get(user=user)


def email_job(user: User, kind: str = Kind.DIGEST, **fields: Any) -> Job:
    fields.setdefault("due_at", MOMENT)
    fields.setdefault("status", Status.DONE)
    fields.setdefault("attempts", 1)
    fields.setdefault("subject", "Today: 3 follow-ups")
    fields.setdefault("to", user.email or f"{user.username}@example.com")
    if fields["status"] == Status.DONE:
        fields.setdefault("finished_at", fields["due_at"])
    return Job.objects.create(kind=kind, key=f"{kind}:{user.pk}:{next(_keys)}", user=user, **fields)


def planned(user: User, kind: str = Kind.DIGEST) -> Job:
    """An email the planner put in and no worker has tried yet."""
    return email_job(user, kind, status=Status.WAITING, attempts=0, subject="", to="")


def link(user: User, kind: str) -> str:
    return reverse("unsubscribe", args=[unsubscribe_token(user.pk, kind)])


# The Settings card


def test_saving_the_email_settings_and_address_shows_them_on_reload(
    owner_client: Client, owner: User
) -> None:
    data = email_data(
        email="Anna.Rossi@Example.COM",
        email_digest="off",
        email_hour="18",
        email_when_empty="on",
        email_reminder_minutes="30",
        email_nudges="off",
        email_weekly="off",
    )
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 302
    assert response["Location"] == "/settings/#emails"
    profile = profile_of(owner)
    assert (
        profile.user.email,
        profile.email_digest,
        profile.email_hour,
        profile.email_when_empty,
        profile.email_reminder_minutes,
        profile.email_nudges,
        profile.email_weekly,
    ) == ("Anna.Rossi@example.com", False, 18, True, 30, False, False)
    page = owner_client.get(SETTINGS)
    assert "Your email settings are saved." in page.text
    assert 'value="Anna.Rossi@example.com"' in page.text
    assert '<option value="18" selected>6 p.m.</option>' in page.text
    assert 'name="emails-email_reminder_minutes" value="30"' in page.text


def test_an_empty_reminder_turns_email_reminders_off(owner_client: Client, owner: User) -> None:
    Profile.objects.filter(user=owner).update(email_reminder_minutes=15)
    owner_client.post(SETTINGS, email_data(email_reminder_minutes=""))
    assert profile_of(owner).email_reminder_minutes is None


def test_the_hours_are_written_as_the_users_language_writes_times(owner_client: Client) -> None:
    Profile.objects.filter(user__username="anna").update(language="it")
    page = owner_client.get(SETTINGS)
    assert '<option value="7" selected>07:00</option>' in page.text
    assert '<option value="23">23:00</option>' in page.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email_hour", "24"),
        ("email_hour", "-1"),
        ("email_hour", "\x00"),
        ("email_reminder_minutes", "99999"),
        ("email_reminder_minutes", "-5"),
        ("email", "not-an-email"),
        ("email", "anna\x00@example.com"),
        ("email", "a" * 250 + "@example.com"),
    ],
)
def test_bad_email_settings_show_a_field_error_and_save_nothing(
    owner_client: Client, owner: User, field: str, value: str
) -> None:
    response = owner_client.post(SETTINGS, email_data(email_digest="off", **{field: value}))
    assert response.status_code == 422
    assert response.context["emails_form"].errors[field]
    assert "Nothing was saved yet: please correct the marked fields." in response.text
    profile = profile_of(owner)
    assert (profile.email_digest, profile.email_hour, profile.user.email) == (True, 7, "")
    assert not response.context["form"].is_bound  # the other forms show what is saved


def test_saving_forgets_the_planned_emails_but_keeps_their_history(
    owner_client: Client, owner: User, outsider: User
) -> None:
    waiting = planned(owner)
    sent = email_job(owner)
    retrying = email_job(owner, status=Status.WAITING, attempts=1, last_error="timed out")
    others = planned(outsider)
    owner_client.post(SETTINGS, email_data(email_hour="9"))
    assert not Job.objects.filter(pk=waiting.pk).exists()
    assert set(Job.objects.values_list("pk", flat=True)) == {sent.pk, retrying.pk, others.pk}


def test_a_bad_email_setting_forgets_nothing(owner_client: Client, owner: User) -> None:
    waiting = planned(owner)
    owner_client.post(SETTINGS, email_data(email_hour="24"))
    assert Job.objects.filter(pk=waiting.pk).exists()


def test_a_new_time_zone_forgets_the_planned_emails(owner_client: Client, owner: User) -> None:
    waiting = planned(owner)
    data = {"language": "", "time_zone": "Europe/Rome", "currency": "EUR", "sales_cycle_days": "90"}
    assert owner_client.post(SETTINGS, data).status_code == 302
    assert not Job.objects.filter(pk=waiting.pk).exists()


def test_without_an_address_the_card_says_funnel_cannot_email(
    owner_client: Client, owner: User
) -> None:
    owner.profile.language = "en"  # chosen, so the emails speak it
    owner.profile.save(update_fields=["language"])
    page = owner_client.get(SETTINGS)
    assert 'id="emails"' in page.text
    assert "Funnel has no email address for you, so it cannot email you" in page.text
    assert f'href="{SENT}"' in page.text
    assert "Hours are in your time zone, UTC, and the emails speak your language" in page.text
    owner_client.post(SETTINGS, email_data())
    assert "it cannot email you" not in owner_client.get(SETTINGS).text


def test_following_the_browser_the_card_says_the_emails_come_in_english(
    owner_client: Client, owner: User
) -> None:
    owner.profile.language = ""
    owner.profile.save(update_fields=["language"])
    page = owner_client.get(SETTINGS)
    assert "The emails are in English until you choose a language under Preferences" in page.text


# What Funnel sent


def test_the_sent_page_needs_a_login(client: Client) -> None:
    response = client.get(SENT)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_sent_page_lists_only_the_users_own_emails(
    owner: User, outsider: User, owner_client: Client
) -> None:
    email_job(owner, subject="Digest for Anna")
    email_job(outsider, subject="Digest for Mallory")
    assert "Digest for Anna" in owner_client.get(SENT).text
    assert "Digest for Mallory" not in owner_client.get(SENT).text
    outsider_view = new_client()
    outsider_view.force_login(outsider)
    page = outsider_view.get(SENT).text
    assert "Digest for Mallory" in page
    assert "Digest for Anna" not in page
    assert "anna@example.com" not in page


def test_the_sent_page_says_why_an_email_failed_or_waits_for_a_retry(
    owner: User, owner_client: Client
) -> None:
    Profile.objects.filter(user=owner).update(time_zone="Europe/Rome")
    retry_at = dt.datetime(2026, 3, 2, 6, 20, tzinfo=dt.UTC)
    email_job(owner, subject="Delivered", finished_at=MOMENT)
    email_job(owner, Kind.WEEKLY, status=Status.FAILED, attempts=5, last_error="550 no such user")
    email_job(owner, Kind.REMINDER, status=Status.WAITING, attempts=2, due_at=retry_at,
              last_error="Connection refused")  # fmt: skip
    email_job(owner, Kind.NUDGE, status=Status.SKIPPED, last_error="the step has an outcome now")
    page = owner_client.get(SENT).text
    in_rome = formats.date_format(
        retry_at.astimezone(ZoneInfo("Europe/Rome")), "SHORT_DATETIME_FORMAT"
    )
    assert "Sent" in page
    assert "Failed: 550 no such user" in page
    assert f"Retrying: Connection refused (next try at {in_rome}, attempt 3)" in page
    assert "Not sent: the step has an outcome now" in page
    for label in ["Daily digest", "Weekly review", "Reminder", "Missed step"]:
        assert label in page
    # "When" is in the user's time zone: 06:00 UTC is 7 a.m. in Rome.
    assert (
        formats.date_format(MOMENT.astimezone(ZoneInfo("Europe/Rome")), "SHORT_DATETIME_FORMAT")
        in page
    )


def test_planned_emails_not_tried_yet_are_not_listed(owner: User, owner_client: Client) -> None:
    planned(owner)
    Job.objects.filter(user=owner).update(subject="Still planned")
    response = owner_client.get(SENT)
    assert "Still planned" not in response.text
    assert "Nothing sent yet" in response.text
    assert "the daily digest at 7 a.m." in response.text


def test_the_sent_page_reads_as_many_queries_for_30_emails_as_for_3(
    owner: User, owner_client: Client
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(SENT).status_code == 200
        return len(captured)

    for _ in range(3):
        email_job(owner, status=Status.FAILED, last_error="refused")
    few = queries()
    for kind in itertools.islice(itertools.cycle([Kind.DIGEST, Kind.WEEKLY, Kind.NUDGE]), 27):
        email_job(owner, kind, status=Status.WAITING, attempts=1, last_error="timed out")
    assert queries() == few


def test_the_sent_page_shows_50_emails_a_page(owner: User, owner_client: Client) -> None:
    for minutes in range(53):
        email_job(owner, due_at=MOMENT + dt.timedelta(minutes=minutes), subject=f"Email {minutes}")
    first = owner_client.get(SENT).text
    assert "Email 52" in first  # the newest first
    assert "Email 2<" not in first
    second = owner_client.get(SENT, {"page": "2"}).text
    assert "Email 2<" in second
    assert "Email 52" not in second
    assert owner_client.get(SENT, {"page": "²"}).status_code == 200


# Unsubscribing


def test_opening_the_unsubscribe_link_changes_nothing_even_logged_out(
    client: Client, owner: User
) -> None:
    waiting = planned(owner)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(link(owner, Kind.DIGEST))
    assert response.status_code == 200
    assert "Stop the daily digest for anna?" in response.text
    assert 'method="post"' in response.text
    assert "mainnav" not in response.text  # no app navigation for a visitor
    writes = [q["sql"] for q in captured if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert profile_of(owner).email_digest is True
    assert Job.objects.filter(pk=waiting.pk).exists()


def all_on(user: User) -> None:
    Profile.objects.filter(user=user).update(
        email_digest=True, email_weekly=True, email_nudges=True, email_reminder_minutes=15
    )


def email_switches(user: User) -> dict[str, object]:
    profile = profile_of(user)
    return {
        "digest": profile.email_digest,
        "weekly": profile.email_weekly,
        "nudge": profile.email_nudges,
        "reminder": profile.email_reminder_minutes,
    }


ON = {"digest": True, "weekly": True, "nudge": True, "reminder": 15}
OFF = {"digest": False, "weekly": False, "nudge": False, "reminder": None}


@pytest.mark.parametrize(
    ("kind", "question"),
    [
        (Kind.DIGEST, "Stop the daily digest for anna?"),
        (Kind.WEEKLY, "Stop the weekly review for anna?"),
        (Kind.NUDGE, "Stop the missed-step emails for anna?"),
        (Kind.REMINDER, "Stop the email reminders before follow-ups for anna?"),
    ],
)
def test_unsubscribing_turns_off_exactly_that_email(
    client: Client, owner: User, kind: str, question: str
) -> None:
    all_on(owner)
    waiting = planned(owner, kind)
    assert question in client.get(link(owner, kind)).text
    response = client.post(link(owner, kind))
    assert response.status_code == 200
    assert "Unsubscribed" in response.text
    assert f'href="{SETTINGS}#emails"' in response.text
    assert email_switches(owner) == {**ON, kind: OFF[kind]}
    assert not Job.objects.filter(pk=waiting.pk).exists()  # planned again without it


def test_unsubscribing_from_all_turns_off_all_four(client: Client, owner: User) -> None:
    all_on(owner)
    assert "Stop all emails from Funnel for anna?" in client.get(link(owner, "all")).text
    response = client.post(link(owner, "all"))
    assert "Funnel no longer sends any email to anna." in response.text
    assert email_switches(owner) == OFF


def test_a_mail_clients_one_click_unsubscribe_needs_no_cookie(owner: User) -> None:
    mail_client = new_client(enforce_csrf_checks=True)
    response = mail_client.post(
        link(owner, Kind.DIGEST),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert profile_of(owner).email_digest is False


def test_unsubscribing_twice_says_it_is_already_off(client: Client, owner: User) -> None:
    client.post(link(owner, Kind.WEEKLY))
    again = client.post(link(owner, Kind.WEEKLY))
    assert again.status_code == 200
    assert "The weekly review is already off for anna." in again.text
    assert "already off" in client.get(link(owner, Kind.WEEKLY)).text


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        signing.dumps({"user": 1, "kind": "digest"}, salt="another purpose"),
        signing.dumps({"user": 1, "kind": "everything"}, salt=UNSUBSCRIBE_SALT),
        signing.dumps(["not", "a", "dict"], salt=UNSUBSCRIBE_SALT),
    ],
)
def test_a_forged_unsubscribe_link_is_a_bad_request(
    client: Client, owner: User, token: str
) -> None:
    for response in [client.get(f"/unsubscribe/{token}/"), client.post(f"/unsubscribe/{token}/")]:
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.text
    assert email_switches(owner)["digest"] is True


def test_a_truncated_unsubscribe_link_is_a_bad_request(client: Client, owner: User) -> None:
    response = client.post(link(owner, Kind.DIGEST)[:-6] + "/")
    assert response.status_code == 400
    assert profile_of(owner).email_digest is True


def test_the_link_of_a_deleted_user_is_not_found(client: Client, owner: User) -> None:
    address = link(owner, Kind.DIGEST)
    owner.delete()
    for response in [client.get(address), client.post(address)]:
        assert response.status_code == 404
        assert "This account no longer exists" in response.text
