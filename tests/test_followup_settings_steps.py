"""Follow-up settings: the steps after the sale, the calendar address, and logging in."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.followup.actions import DEFAULT_POST_SALE_STEPS
from funnel.followup.models import PostSaleStep
from tests.followup_settings_helpers import SETTINGS, profile_of

pytestmark = pytest.mark.django_db

STEPS = "/settings/after-the-sale/"
RESTORE = "/settings/after-the-sale/restore/"
NEW_ADDRESS = "/settings/calendar/new-address/"


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


def current_rows(user: User) -> list[dict[str, object]]:
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


def steps_of(user: User) -> list[tuple[str, str, str, int]]:
    return list(
        PostSaleStep.objects.filter(owner=user).values_list(
            "purpose", "channel", "anchor", "days_after"
        )
    )


# Steps after the sale


def test_settings_list_the_steps_after_the_sale_and_link_to_the_editor(
    owner_client: Client,
) -> None:
    response = owner_client.get(SETTINGS)
    assert f'href="{STEPS}"' in response.text
    assert "Send a handwritten thank-you card" in response.text
    assert "3 days after delivery" in response.text
    assert "when the sale is confirmed" in response.text


def test_the_editor_shows_the_users_steps_in_order(owner_client: Client, owner: User) -> None:
    response = owner_client.get(STEPS)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [form.instance.purpose for form in formset.initial_forms] == [
        purpose for purpose, *_rest in DEFAULT_POST_SALE_STEPS
    ]
    assert "Restore the default steps" in response.text
    assert "Add a step" in response.text


def test_the_editor_edits_a_step(owner_client: Client, owner: User) -> None:
    rows = current_rows(owner)
    rows[2].update(purpose="Visit them", channel="meeting", days_after=14)
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 302
    assert steps_of(owner)[2] == ("Visit them", "meeting", "delivery", 14)
    assert "Your steps after the sale are saved." in owner_client.get(STEPS).text


def test_the_editor_adds_a_step_at_the_end(owner_client: Client, owner: User) -> None:
    rows = current_rows(owner)
    new = {"purpose": "Ask for a referral", "channel": "email", "anchor": "delivery"}
    rows.append({**new, "days_after": 30, "ORDER": ""})
    owner_client.post(STEPS, steps_data(rows, initial=3))
    assert steps_of(owner)[-1] == ("Ask for a referral", "email", "delivery", 30)
    assert len(steps_of(owner)) == 4


def test_an_untouched_blank_row_adds_nothing(owner_client: Client, owner: User) -> None:
    rows = current_rows(owner)
    rows.append({"purpose": "", "channel": "letter", "anchor": "won", "days_after": 0})
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 302
    assert len(steps_of(owner)) == 3


def test_the_editor_removes_a_step(owner_client: Client, owner: User) -> None:
    rows = current_rows(owner)
    rows[1]["DELETE"] = "on"
    owner_client.post(STEPS, steps_data(rows, initial=3))
    purposes = [purpose for purpose, *_rest in steps_of(owner)]
    assert purposes == [
        "Send a handwritten thank-you card",
        "Call to hear how it went and confirm their choice",
    ]


def test_the_editor_reorders_the_steps(owner_client: Client, owner: User) -> None:
    rows = current_rows(owner)
    rows[0]["ORDER"], rows[2]["ORDER"] = 3, 1
    owner_client.post(STEPS, steps_data(rows, initial=3))
    steps = PostSaleStep.objects.filter(owner=owner)
    assert [(step.position, step.purpose) for step in steps] == [
        (0, "Call to hear how it went and confirm their choice"),
        (1, "Send a thank-you card for the delivery"),
        (2, "Send a handwritten thank-you card"),
    ]


def test_a_step_needs_to_say_what_to_do(owner_client: Client, owner: User) -> None:
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
def test_a_step_refuses_bad_timing(
    owner_client: Client, owner: User, field: str, value: str
) -> None:
    rows = current_rows(owner)
    rows[0][field] = value
    response = owner_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code == 422  # sent and not saved
    assert response.context["formset"].forms[0].errors[field]
    assert steps_of(owner)[0] == ("Send a handwritten thank-you card", "letter", "won", 0)


def test_restoring_the_default_steps_replaces_the_users_steps(
    owner_client: Client, owner: User, outsider: User
) -> None:
    PostSaleStep.objects.filter(owner=owner).delete()
    PostSaleStep.objects.create(owner=owner, purpose="Mine", anchor="won")
    outsiders_steps = steps_of(outsider)
    response = owner_client.post(RESTORE)
    assert response["Location"] == STEPS
    assert steps_of(owner) == [
        (purpose, channel, anchor, days)
        for purpose, channel, anchor, days in DEFAULT_POST_SALE_STEPS
    ]
    assert steps_of(outsider) == outsiders_steps
    assert "The default steps after the sale are back." in owner_client.get(STEPS).text


def test_restoring_the_default_steps_needs_a_post(owner_client: Client, owner: User) -> None:
    PostSaleStep.objects.filter(owner=owner).delete()
    assert owner_client.get(RESTORE).status_code == 405
    assert steps_of(owner) == []


def test_an_outsider_never_sees_another_users_steps(owner: User, outsider_client: Client) -> None:
    PostSaleStep.objects.filter(owner=owner).update(purpose="Anna's secret step")
    response = outsider_client.get(STEPS)
    assert "Anna&#x27;s secret step" not in response.text
    assert "Anna's secret step" not in outsider_client.get(SETTINGS).text


def test_an_outsider_cannot_edit_or_remove_another_users_steps(
    owner: User, outsider: User, outsider_client: Client
) -> None:
    before, outsiders_before = steps_of(owner), steps_of(outsider)
    rows = current_rows(owner)
    rows[0]["purpose"] = "Hacked"
    rows[1]["DELETE"] = "on"
    response = outsider_client.post(STEPS, steps_data(rows, initial=3))
    assert response.status_code in {200, 302}
    assert steps_of(owner) == before
    assert steps_of(outsider) == outsiders_before
    assert not PostSaleStep.objects.filter(purpose="Hacked").exists()


def test_the_editor_reads_the_steps_in_the_same_queries_however_many(
    owner_client: Client, owner: User
) -> None:
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


def test_settings_show_the_private_calendar_address(owner_client: Client, owner: User) -> None:
    response = owner_client.get(SETTINGS)
    token = profile_of(owner).calendar_token
    address = f"http://testserver/calendar/{token}.ics"
    assert address == "http://testserver" + reverse("calendar_feed", args=[token])
    assert f'value="{address}" readonly' in response.text
    assert "Google Calendar" in response.text
    assert "Make a new address" in response.text


def test_making_a_new_address_changes_the_token_and_the_page(
    owner_client: Client, owner: User
) -> None:
    old = profile_of(owner).calendar_token
    response = owner_client.post(NEW_ADDRESS)
    assert response["Location"] == "/settings/#calendar"
    new = profile_of(owner).calendar_token
    assert new != old and len(new) >= 40
    page = owner_client.get(SETTINGS).text
    assert f"/calendar/{new}.ics" in page
    assert old not in page
    assert "The old one no longer works" in page


def test_making_a_new_address_needs_a_post(owner_client: Client, owner: User) -> None:
    old = profile_of(owner).calendar_token
    assert owner_client.get(NEW_ADDRESS).status_code == 405
    assert profile_of(owner).calendar_token == old


def test_making_a_new_address_changes_only_your_own(
    owner: User, outsider: User, outsider_client: Client
) -> None:
    old = profile_of(owner).calendar_token
    outsider_client.post(NEW_ADDRESS)
    assert profile_of(owner).calendar_token == old
    assert old not in outsider_client.get(SETTINGS).text


# Logging in


@pytest.mark.parametrize("path", [SETTINGS, STEPS, RESTORE, NEW_ADDRESS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_follow_up_settings_ask_anonymous_visitors_to_log_in(
    client: Client, owner: User, path: str, method: str
) -> None:
    token = profile_of(owner).calendar_token
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert profile_of(owner).calendar_token == token
    assert len(steps_of(owner)) == 3
