"""Follow-up settings: the defaults, the steps after the sale, and the calendar address."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.accounts.models import Profile
from funnel.followup import actions
from funnel.followup.actions import DEFAULT_POST_SALE_STEPS
from funnel.followup.models import FollowUp, PostSaleStep

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"
STEPS = "/settings/after-the-sale/"
RESTORE = "/settings/after-the-sale/restore/"
NEW_ADDRESS = "/settings/calendar/new-address/"


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


def steps_data(rows: list[dict[str, object]], initial: int) -> dict[str, object]:
    """The post-sale formset as the page sends it."""
    data: dict[str, object] = {
        "steps-TOTAL_FORMS": len(rows),
        "steps-INITIAL_FORMS": initial,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"steps-{index}-{name}": value for name, value in row.items()})
    return data


def current_rows(user) -> list[dict[str, object]]:
    """The user's steps as the editor shows them, unchanged."""
    return [
        {
            "id": step.pk,
            "purpose": step.purpose,
            "channel": step.channel,
            "anchor": step.anchor,
            "days_after": step.days_after,
            "ORDER": position,
        }
        for position, step in enumerate(PostSaleStep.objects.filter(owner=user), start=1)
    ]


def steps_of(user) -> list[tuple[str, str, str, int]]:
    return list(
        PostSaleStep.objects.filter(owner=user).values_list(
            "purpose", "channel", "anchor", "days_after"
        )
    )


def profile_of(user) -> Profile:
    return Profile.objects.get(user=user)


# Follow-up defaults


def test_settings_show_the_follow_up_defaults_in_their_own_form(owner_client):
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


def test_days_without_progress_say_what_empty_means(owner_client, owner):
    response = owner_client.get(SETTINGS)
    assert "Leave empty for twice your normal sales cycle: 180 days now." in response.text
    Profile.objects.filter(user=owner).update(sales_cycle_days=30)
    response = owner_client.get(SETTINGS)
    assert "twice your normal sales cycle: 60 days now." in response.text


def test_saving_the_follow_up_defaults_changes_the_profile(owner_client, owner):
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
    assert response.url == "/settings/#follow-up"
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


def test_a_reminder_of_0_minutes_means_none(owner_client, owner):
    owner_client.post(SETTINGS, follow_up_data(reminder_minutes="0"))
    assert profile_of(owner).reminder_minutes == 0
    assert "without reminders" in owner_client.get(SETTINGS).text


def test_an_empty_days_without_progress_goes_back_to_twice_the_cycle(owner_client, owner):
    Profile.objects.filter(user=owner).update(stop_after_days=100, stop_automatically=True)
    owner_client.post(SETTINGS, follow_up_data(stop_after_days=""))
    profile = profile_of(owner)
    assert profile.stop_after_days is None
    assert profile.stop_automatically is False  # an unticked box switches it off


def test_saving_the_follow_up_defaults_leaves_the_preferences_alone(owner_client, owner):
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
def test_bad_follow_up_values_show_errors_and_save_nothing(owner_client, owner, field, value):
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


def test_after_a_bad_follow_up_value_the_preferences_still_save(owner_client, owner):
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


def test_bad_preferences_keep_the_follow_up_form_unbound_and_unchanged(owner_client, owner):
    data = {"language": "", "time_zone": "UTC", "currency": "EUR", "sales_cycle_days": "0"}
    response = owner_client.post(SETTINGS, data)
    assert response.context["form"].errors["sales_cycle_days"]
    follow_up_form = response.context["follow_up_form"]
    assert not follow_up_form.is_bound
    assert 'name="follow_up-follow_up_every_days" value="7"' in response.text


def test_number_fields_tell_the_browser_their_range(owner_client):
    response = owner_client.get(SETTINGS)
    assert 'name="follow_up-nurture_every_days" value="90" min="7" max="730"' in response.text
    assert 'name="sales_cycle_days" value="90" min="1" max="3650"' in response.text


# Working hours: new follow-ups are proposed inside them


def test_working_hours_are_9_to_half_past_5_on_weekdays_until_the_user_says_otherwise(
    owner_client,
):
    response = owner_client.get(SETTINGS)
    form = response.context["follow_up_form"]
    assert "Your working hours" in response.text
    assert '<option value="09:00:00" selected>9 a.m.</option>' in response.text
    assert '<option value="17:30:00" selected>5:30 p.m.</option>' in response.text
    assert form["working_days"].value() == ["1", "2", "3", "4", "5"]
    assert "In your time zone, UTC." in response.text
    for day in ["Monday", "Saturday", "Sunday"]:
        assert day in response.text


def test_saving_working_hours_and_days_changes_the_profile(owner_client, owner):
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
    owner_client, owner, changes, field, message
):
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


def test_the_next_follow_up_is_proposed_inside_the_users_working_hours(owner, opportunity):
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


def test_a_missed_evening_follow_up_is_proposed_again_on_a_working_morning(owner, opportunity):
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


# Steps after the sale


def test_settings_list_the_steps_after_the_sale_and_link_to_the_editor(owner_client):
    response = owner_client.get(SETTINGS)
    assert f'href="{STEPS}"' in response.text
    assert "Send a handwritten thank-you card" in response.text
    assert "3 days after delivery" in response.text
    assert "when the sale is confirmed" in response.text


def test_the_editor_shows_the_users_steps_in_order(owner_client, owner):
    response = owner_client.get(STEPS)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [form.instance.purpose for form in formset.initial_forms] == [
        purpose for purpose, *_rest in DEFAULT_POST_SALE_STEPS
    ]
    assert "Restore the default steps" in response.text
    assert "Add a step" in response.text


def test_the_editor_edits_a_step(owner_client, owner):
    rows = current_rows(owner)
    rows[2].update(purpose="Visit them", channel="meeting", days_after=14)
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 302
    assert steps_of(owner)[2] == ("Visit them", "meeting", "delivery", 14)
    assert "Your steps after the sale are saved." in owner_client.get(STEPS).text


def test_the_editor_adds_a_step_at_the_end(owner_client, owner):
    rows = current_rows(owner)
    new = {"purpose": "Ask for a referral", "channel": "email", "anchor": "delivery"}
    rows.append({**new, "days_after": 30, "ORDER": ""})
    owner_client.post(STEPS, steps_data(rows, initial=3))
    assert steps_of(owner)[-1] == ("Ask for a referral", "email", "delivery", 30)
    assert len(steps_of(owner)) == 4


def test_an_untouched_blank_row_adds_nothing(owner_client, owner):
    rows = current_rows(owner)
    rows.append({"purpose": "", "channel": "letter", "anchor": "won", "days_after": 0})
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 302
    assert len(steps_of(owner)) == 3


def test_the_editor_removes_a_step(owner_client, owner):
    rows = current_rows(owner)
    rows[1]["DELETE"] = "on"
    owner_client.post(STEPS, steps_data(rows, initial=3))
    purposes = [purpose for purpose, *_rest in steps_of(owner)]
    assert purposes == [
        "Send a handwritten thank-you card",
        "Call to hear how it went and confirm their choice",
    ]


def test_the_editor_reorders_the_steps(owner_client, owner):
    rows = current_rows(owner)
    rows[0]["ORDER"], rows[2]["ORDER"] = 3, 1
    owner_client.post(STEPS, steps_data(rows, initial=3))
    steps = PostSaleStep.objects.filter(owner=owner)
    assert [(step.position, step.purpose) for step in steps] == [
        (0, "Call to hear how it went and confirm their choice"),
        (1, "Send a thank-you card for the delivery"),
        (2, "Send a handwritten thank-you card"),
    ]


def test_a_step_needs_to_say_what_to_do(owner_client, owner):
    rows = current_rows(owner)
    rows[0]["purpose"] = ""
    rows.append({"purpose": "", "channel": "phone", "anchor": "delivery", "days_after": 9})
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 422  # sent and not saved
    forms = response.context["formset"].forms
    message = "Say what to do, such as “Send a thank-you card”."
    assert forms[0].errors["purpose"] == [message]
    assert forms[3].errors["purpose"] == [message]
    assert "Nothing was saved yet" in response.text
    assert steps_of(owner)[0][0] == "Send a handwritten thank-you card"


@pytest.mark.parametrize(("field", "value"), [("days_after", "366"), ("anchor", "someday")])
def test_a_step_refuses_bad_timing(owner_client, owner, field, value):
    rows = current_rows(owner)
    rows[0][field] = value
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 422  # sent and not saved
    assert response.context["formset"].forms[0].errors[field]
    assert steps_of(owner)[0] == ("Send a handwritten thank-you card", "letter", "won", 0)


def test_restoring_the_default_steps_replaces_the_users_steps(owner_client, owner, outsider):
    PostSaleStep.objects.filter(owner=owner).delete()
    PostSaleStep.objects.create(owner=owner, purpose="Mine", anchor="won")
    outsiders_steps = steps_of(outsider)
    response = owner_client.post(RESTORE)
    assert response.url == STEPS
    assert steps_of(owner) == [
        (purpose, channel, anchor, days)
        for purpose, channel, anchor, days in DEFAULT_POST_SALE_STEPS
    ]
    assert steps_of(outsider) == outsiders_steps
    assert "The default steps after the sale are back." in owner_client.get(STEPS).text


def test_restoring_the_default_steps_needs_a_post(owner_client, owner):
    PostSaleStep.objects.filter(owner=owner).delete()
    assert owner_client.get(RESTORE).status_code == 405
    assert steps_of(owner) == []


def test_an_outsider_never_sees_another_users_steps(owner, outsider_client):
    PostSaleStep.objects.filter(owner=owner).update(purpose="Anna's secret step")
    response = outsider_client.get(STEPS)
    assert "Anna&#x27;s secret step" not in response.text
    assert "Anna's secret step" not in outsider_client.get(SETTINGS).text


def test_an_outsider_cannot_edit_or_remove_another_users_steps(owner, outsider, outsider_client):
    before, outsiders_before = steps_of(owner), steps_of(outsider)
    rows = current_rows(owner)
    rows[0]["purpose"] = "Hacked"
    rows[1]["DELETE"] = "on"
    response = outsider_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code in {200, 302}
    assert steps_of(owner) == before
    assert steps_of(outsider) == outsiders_before
    assert not PostSaleStep.objects.filter(purpose="Hacked").exists()


def test_the_editor_reads_the_steps_in_the_same_queries_however_many(owner_client, owner):
    with CaptureQueriesContext(connection) as few:
        owner_client.get(STEPS)
    PostSaleStep.objects.bulk_create(
        PostSaleStep(owner=owner, position=n, purpose=f"Step {n}", anchor="won")
        for n in range(3, 12)
    )
    with CaptureQueriesContext(connection) as many:
        owner_client.get(STEPS)
    assert len(many) == len(few)


# The calendar address


def test_settings_show_the_private_calendar_address(owner_client, owner):
    response = owner_client.get(SETTINGS)
    token = profile_of(owner).calendar_token
    address = f"http://testserver/calendar/{token}.ics"
    assert address == "http://testserver" + reverse("calendar_feed", args=[token])
    assert f'value="{address}" readonly' in response.text
    assert "Google Calendar" in response.text
    assert "Make a new address" in response.text


def test_making_a_new_address_changes_the_token_and_the_page(owner_client, owner):
    old = profile_of(owner).calendar_token
    response = owner_client.post(NEW_ADDRESS)
    assert response.url == "/settings/#calendar"
    new = profile_of(owner).calendar_token
    assert new != old and len(new) >= 40
    page = owner_client.get(SETTINGS).text
    assert f"/calendar/{new}.ics" in page
    assert old not in page
    assert "The old one no longer works" in page


def test_making_a_new_address_needs_a_post(owner_client, owner):
    old = profile_of(owner).calendar_token
    assert owner_client.get(NEW_ADDRESS).status_code == 405
    assert profile_of(owner).calendar_token == old


def test_making_a_new_address_changes_only_your_own(owner, outsider, outsider_client):
    old = profile_of(owner).calendar_token
    outsider_client.post(NEW_ADDRESS)
    assert profile_of(owner).calendar_token == old
    assert old not in outsider_client.get(SETTINGS).text


# Logging in


@pytest.mark.parametrize("path", [SETTINGS, STEPS, RESTORE, NEW_ADDRESS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_follow_up_settings_ask_anonymous_visitors_to_log_in(client, owner, path, method):
    token = profile_of(owner).calendar_token
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert profile_of(owner).calendar_token == token
    assert len(steps_of(owner)) == 3
