"""Follow-up settings: the defaults, and the working hours new follow-ups are proposed in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from funnel.accounts.models import Profile
from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.sales.models import Opportunity
from tests.followup_settings_helpers import SETTINGS, profile_of

pytestmark = pytest.mark.django_db


def follow_up_data(**changes: object) -> dict[str, object]:
    """The follow-up form as the page sends it, with the defaults a new user has."""
    values = {
        "follow_up_every_days": "7",
        "follow_up_channel": "phone",
        "stop_after_attempts": "6",
        "stop_after_days": "",
        "nurture_every_days": "90",
        "respond_within_hours": "24",
        "contacts_per_week": "2",
        "reminder_minutes": "15",
        "working_day_starts": "09:00:00",
        "working_day_ends": "17:30:00",
        "working_days": ["1", "2", "3", "4", "5"],
        **changes,
    }
    return {"form": "follow-up", **{f"follow_up-{name}": value for name, value in values.items()}}


# Follow-up defaults


def test_settings_show_the_follow_up_defaults_in_their_own_form(owner_client: Client) -> None:
    response = owner_client.get(SETTINGS)
    assert 'id="follow-up"' in response.text
    for text in [
        "How often you follow up",
        "When to stop trying",
        "Stop automatically",
        "Keep in touch every (days)",
        "Answer requests within (hours)",
        "Contacts with one person in 7 days, at most",
        "Remind me before each follow-up (minutes)",
        "Save follow-up defaults",
    ]:
        assert text in response.text
    assert 'id="prospecting"' in response.text
    assert "Follow-up defaults, time allocation targets and your calendar" not in response.text


def test_days_without_progress_say_what_empty_means(owner_client: Client, owner: User) -> None:
    response = owner_client.get(SETTINGS)
    assert "Leave empty for twice your normal sales cycle: 180 days now." in response.text
    Profile.objects.filter(user=owner).update(sales_cycle_days=30)
    response = owner_client.get(SETTINGS)
    assert "twice your normal sales cycle: 60 days now." in response.text


def test_saving_the_follow_up_defaults_changes_the_profile(
    owner_client: Client, owner: User
) -> None:
    data = follow_up_data(
        follow_up_every_days="10",
        follow_up_channel="email",
        stop_after_attempts="4",
        stop_after_days="120",
        stop_automatically="on",
        nurture_every_days="60",
        respond_within_hours="8",
        contacts_per_week="3",
        reminder_minutes="30",
    )
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 302
    assert response["Location"] == "/settings/#follow-up"
    profile = profile_of(owner)
    assert (
        profile.follow_up_every_days,
        profile.follow_up_channel,
        profile.stop_after_attempts,
        profile.stop_after_days,
        profile.stop_automatically,
        profile.nurture_every_days,
        profile.respond_within_hours,
        profile.contacts_per_week,
        profile.reminder_minutes,
    ) == (10, "email", 4, 120, True, 60, 8, 3, 30)
    page = owner_client.get(SETTINGS)
    assert "Your follow-up defaults are saved." in page.text
    assert "each with a reminder 30 minutes before" in page.text


def test_a_reminder_of_0_minutes_means_none(owner_client: Client, owner: User) -> None:
    owner_client.post(SETTINGS, follow_up_data(reminder_minutes="0"))
    assert profile_of(owner).reminder_minutes == 0
    assert "without reminders" in owner_client.get(SETTINGS).text


def test_an_empty_days_without_progress_goes_back_to_twice_the_cycle(
    owner_client: Client, owner: User
) -> None:
    Profile.objects.filter(user=owner).update(stop_after_days=100, stop_automatically=True)
    owner_client.post(SETTINGS, follow_up_data(stop_after_days=""))
    profile = profile_of(owner)
    assert profile.stop_after_days is None
    assert profile.stop_automatically is False  # an unticked box switches it off


def test_saving_the_follow_up_defaults_leaves_the_preferences_alone(
    owner_client: Client, owner: User
) -> None:
    Profile.objects.filter(user=owner).update(time_zone="Europe/Rome", currency="SEK")
    owner_client.post(SETTINGS, follow_up_data(follow_up_every_days="14"))
    profile = profile_of(owner)
    assert (profile.time_zone, profile.currency, profile.follow_up_every_days) == (
        "Europe/Rome",
        "SEK",
        14,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("follow_up_every_days", "0"),
        ("follow_up_every_days", "often"),
        ("stop_after_attempts", "51"),
        ("stop_after_days", "0"),
        ("nurture_every_days", "3"),
        ("respond_within_hours", ""),
        ("contacts_per_week", "21"),
        ("reminder_minutes", "-5"),
        ("follow_up_channel", "pigeon"),
    ],
)
def test_bad_follow_up_values_show_errors_and_save_nothing(
    owner_client: Client, owner: User, field: str, value: str
) -> None:
    data = follow_up_data(**{"follow_up_every_days": "12", field: value})
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 422  # sent and not saved
    assert response.context["follow_up_form"].errors[field]
    assert "Nothing was saved yet: please correct the marked fields." in response.text
    assert profile_of(owner).follow_up_every_days == 7
    # What was typed stays on the page, and the other form shows the saved preferences.
    if field != "follow_up_every_days":
        assert 'name="follow_up-follow_up_every_days" value="12"' in response.text
    preferences = response.context["form"]
    assert not preferences.is_bound
    assert preferences["sales_cycle_days"].value() == 90


def test_after_a_bad_follow_up_value_the_preferences_still_save(
    owner_client: Client, owner: User
) -> None:
    owner_client.post(SETTINGS, follow_up_data(stop_after_attempts="0"))
    data = {"language": "", "time_zone": "UTC", "currency": "GBP", "sales_cycle_days": "45"}
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 302
    profile = profile_of(owner)
    assert (profile.currency, profile.sales_cycle_days, profile.stop_after_attempts) == (
        "GBP",
        45,
        6,
    )


def test_bad_preferences_keep_the_follow_up_form_unbound_and_unchanged(
    owner_client: Client, owner: User
) -> None:
    data = {"language": "", "time_zone": "UTC", "currency": "EUR", "sales_cycle_days": "0"}
    response = owner_client.post(SETTINGS, data)
    assert response.context["form"].errors["sales_cycle_days"]
    follow_up_form = response.context["follow_up_form"]
    assert not follow_up_form.is_bound
    assert 'name="follow_up-follow_up_every_days" value="7"' in response.text


def test_number_fields_tell_the_browser_their_range(owner_client: Client) -> None:
    response = owner_client.get(SETTINGS)
    assert 'name="follow_up-nurture_every_days" value="90" min="7" max="730"' in response.text
    assert 'name="sales_cycle_days" value="90" min="1" max="3650"' in response.text


# Working hours: new follow-ups are proposed inside them


def test_working_hours_are_9_to_half_past_5_on_weekdays_until_the_user_says_otherwise(
    owner_client: Client,
) -> None:
    response = owner_client.get(SETTINGS)
    form = response.context["follow_up_form"]
    assert "Your working hours" in response.text
    assert '<option value="09:00:00" selected>9 a.m.</option>' in response.text
    assert '<option value="17:30:00" selected>5:30 p.m.</option>' in response.text
    assert form["working_days"].value() == ["1", "2", "3", "4", "5"]
    assert "In your time zone, UTC." in response.text
    for day in ["Monday", "Saturday", "Sunday"]:
        assert day in response.text


def test_saving_working_hours_and_days_changes_the_profile(
    owner_client: Client, owner: User
) -> None:
    data = follow_up_data(
        working_day_starts="08:30:00", working_day_ends="13:00:00", working_days=["6", "2", "3"]
    )
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 302
    profile = profile_of(owner)
    assert (profile.working_day_starts, profile.working_day_ends, profile.working_days) == (
        dt.time(8, 30),
        dt.time(13, 0),
        "236",
    )
    page = owner_client.get(SETTINGS)
    assert page.context["follow_up_form"]["working_days"].value() == ["2", "3", "6"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"working_day_starts": "18:00:00", "working_day_ends": "09:00:00"},
            "working_day_ends",
            "Your day starts at 6 p.m.: choose an end after that.",
        ),
        (
            {"working_day_starts": "09:00:00", "working_day_ends": "09:00:00"},
            "working_day_ends",
            "Your day starts at 9 a.m.: choose an end after that.",
        ),
        (
            {"working_days": []},
            "working_days",
            "Choose at least one day: follow-ups are planned on your working days.",
        ),
        (
            {"working_day_starts": "09:10:00"},
            "working_day_starts",
            "Choose a time on the quarter hour, such as 9:00 or 9:15.",
        ),
        ({"working_day_ends": "late"}, "working_day_ends", "Enter a valid time."),
        ({"working_days": ["8"]}, "working_days", "Select a valid choice."),
    ],
)
def test_impossible_working_hours_are_refused_in_words_and_nothing_is_lost(
    owner_client: Client, owner: User, changes: dict[str, object], field: str, message: str
) -> None:
    data = follow_up_data(follow_up_every_days="12", **changes)
    response = owner_client.post(SETTINGS, data)
    assert response.status_code == 422  # sent and not saved
    form = response.context["follow_up_form"]
    assert list(form.errors) == [field]
    assert message in str(form.errors[field])
    assert "Nothing was saved yet: please correct the marked fields." in response.text
    assert 'name="follow_up-follow_up_every_days" value="12"' in response.text
    profile = profile_of(owner)
    assert (profile.working_day_starts, profile.working_days, profile.follow_up_every_days) == (
        dt.time(9, 0),
        "12345",
        7,
    )


def test_the_next_follow_up_is_proposed_inside_the_users_working_hours(
    owner: User, opportunity: Opportunity
) -> None:
    Profile.objects.filter(user=owner).update(
        time_zone="Europe/Rome",
        working_day_starts=dt.time(8, 0),
        working_day_ends=dt.time(12, 0),
        working_days="23456",
    )
    opportunity.owner.refresh_from_db()
    monday_evening = dt.datetime(2026, 12, 7, 19, 53, tzinfo=dt.UTC)  # 20:53 in Rome
    with time_machine.travel(monday_evening, tick=False):
        proposed = actions.proposed_follow_up(opportunity)
    # A week later is a Monday, not one of their days: the Tuesday after, when they start.
    assert proposed.due_at == dt.datetime(2026, 12, 15, 8, 0, tzinfo=ZoneInfo("Europe/Rome"))


def test_a_missed_evening_follow_up_is_proposed_again_on_a_working_morning(
    owner: User, opportunity: Opportunity
) -> None:
    Profile.objects.filter(user=owner).update(time_zone="Europe/Rome")
    opportunity.owner.refresh_from_db()
    rome = ZoneInfo("Europe/Rome")
    missed = FollowUp(
        opportunity=opportunity, due_at=dt.datetime(2026, 12, 10, 20, 53, tzinfo=rome)
    )
    with time_machine.travel(dt.datetime(2026, 12, 11, 10, 0, tzinfo=rome), tick=False):
        assert actions.recovery_time(missed) == dt.datetime(2026, 12, 14, 9, 0, tzinfo=rome)
        missed.due_at = dt.datetime(2026, 12, 10, 11, 0, tzinfo=rome)
        assert actions.recovery_time(missed) == dt.datetime(2026, 12, 14, 11, 0, tzinfo=rome)
