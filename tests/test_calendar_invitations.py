"""Invitations to a follow-up, read as the customer's calendar app reads them."""

import icalendar
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from funnel.contacts.models import EmailAddress, Person
from funnel.followup import actions
from funnel.followup.models import FollowUp, Kind
from funnel.sales.models import Opportunity
from tests import calendar_helpers
from tests.calendar_helpers import DASH, at_rome, by_icalendar, by_vobject, feed, follow_up, only
from tests.helpers import Response

# Fixtures shared with the other calendar tests (in calendar_helpers.py).
frozen = calendar_helpers.frozen
rome = calendar_helpers.rome


# Invitations


@pytest.fixture
def invited(owner: User, opportunity: Opportunity, person: Person) -> FollowUp:
    owner.email = "anna@example.com"
    owner.save(update_fields=["email"])
    EmailAddress.objects.create(person=person, address="giulia@ferretti.example")
    EmailAddress.objects.create(person=person, address="giulia.home@example.com")
    return follow_up(opportunity, at_rome(2026, 2, 10, 10), "Operations review call")


def invite(client: Client, planned: FollowUp) -> Response:
    return client.get(reverse("follow_up_invite", args=[planned.pk]))


@pytest.fixture
def in_english(person: Person) -> None:
    """The prospect reads English: the invitation is written in it."""
    person.language = "en"
    person.save(update_fields=["language"])


def test_an_invitation_asks_the_prospect_with_the_user_as_organizer(
    owner_client: Client, invited: FollowUp, in_english: None
) -> None:
    response = invite(owner_client, invited)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert response["Content-Disposition"] == (
        'attachment; filename="call-with-anna-rossi-2026-02-10.ics"'
    )
    parsed = icalendar.Calendar.from_ical(response.content)
    event = only({str(e["UID"]): e for e in parsed.events})
    assert parsed["METHOD"] == "REQUEST"
    assert event["ORGANIZER"] == "mailto:anna@example.com"
    assert event["ORGANIZER"].params["CN"] == "Anna Rossi"
    assert event["ATTENDEE"] == "mailto:giulia@ferretti.example"
    assert event["ATTENDEE"].params["CN"] == "Giulia Ferretti"
    other = only(by_vobject(response.content))
    assert other.organizer.params["CN"] == ["Anna Rossi"]
    assert other.attendee.value == "mailto:giulia@ferretti.example"
    assert event.start == other.dtstart.value == at_rome(2026, 2, 10, 10)


def unfolded(body: bytes) -> str:
    """The .ics as one text, lines unfolded and escapes undone: what any reader can see."""
    text = body.decode().replace("\r\n ", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n")


def test_the_customer_reads_a_title_written_for_them_and_never_the_purpose(
    client: Client, owner: User, owner_client: Client, invited: FollowUp, in_english: None
) -> None:
    invited.purpose = "Call to qualify: budget, timing, who decides"
    actions.schedule(follow_up=invited)
    response = invite(owner_client, invited)
    event, other = only(by_icalendar(response.content)), only(by_vobject(response.content))
    assert event["SUMMARY"] == other.summary.value == "Call with Anna Rossi"
    everything = unfolded(response.content)
    for private in ["qualify", "budget", "who decides", "Operations review"]:
        assert private not in everything
        assert private not in response["Content-Disposition"]
    # The user's own calendar keeps what the call is for.
    in_feed = only(by_icalendar(feed(client, owner)))
    assert (
        in_feed["SUMMARY"]
        == f"Call to qualify: budget, timing, who decides{DASH}Ferretti Arredamenti"
    )


@pytest.mark.parametrize(
    ("channel", "title"),
    [
        ("meeting", "Meeting with Anna Rossi"),
        ("phone", "Call with Anna Rossi"),
        ("video", "Video call with Anna Rossi"),
        ("email", "Appointment with Anna Rossi"),
        ("letter", "Appointment with Anna Rossi"),
    ],
)
def test_the_invitations_title_says_how_they_will_meet(
    owner_client: Client, invited: FollowUp, in_english: None, channel: str, title: str
) -> None:
    invited.channel = channel
    actions.schedule(follow_up=invited)
    response = invite(owner_client, invited)
    assert only(by_icalendar(response.content))["SUMMARY"] == title


def test_without_a_full_name_the_title_uses_the_username(
    owner_client: Client, owner: User, invited: FollowUp, in_english: None
) -> None:
    owner.first_name = owner.last_name = ""
    owner.save(update_fields=["first_name", "last_name"])
    assert only(by_icalendar(invite(owner_client, invited).content))["SUMMARY"] == "Call with anna"


def test_the_invitations_title_is_in_the_prospects_language(
    owner_client: Client, invited: FollowUp
) -> None:
    with translation.override("it"):
        italian = translation.gettext("Call with %(name)s") % {"name": "Anna Rossi"}
    response = invite(owner_client, invited)  # Giulia speaks Italian; Anna's pages are English
    assert only(by_icalendar(response.content))["SUMMARY"] == italian


def test_the_invitation_is_the_same_event_as_in_the_feed(
    client: Client, owner: User, owner_client: Client, invited: FollowUp
) -> None:
    in_invite = only(by_icalendar(invite(owner_client, invited).content))
    in_feed = only(by_icalendar(feed(client, owner)))
    assert in_invite["UID"] == in_feed["UID"] and in_invite["SEQUENCE"] == in_feed["SEQUENCE"]


def test_the_invitation_is_in_the_prospects_language(
    owner_client: Client, invited: FollowUp
) -> None:
    description = str(only(by_vobject(invite(owner_client, invited).content)).description.value)
    assert "febbraio" in description.lower()  # the date, in Italian formats
    assert "Telefono" in description  # the channel, in the Italian catalogue
    # "Quando" needs the new "When: …" message translated; until then the English shows.
    assert description.splitlines()[0].endswith("10 Febbraio 2026 10:00 (Europe/Rome)")


def test_a_regional_language_counts_as_its_language(
    owner_client: Client, invited: FollowUp, person: Person
) -> None:
    person.language = "it-CH"
    person.save(update_fields=["language"])
    description = str(only(by_icalendar(invite(owner_client, invited).content))["DESCRIPTION"])
    assert "Telefono" in description


def test_without_a_known_language_the_invitation_is_in_the_users(
    owner_client: Client, invited: FollowUp, person: Person
) -> None:
    person.language = "ja"
    person.save(update_fields=["language"])
    description = str(only(by_icalendar(invite(owner_client, invited).content))["DESCRIPTION"])
    assert "Feb. 10, 2026, 10 a.m." in description and "Phone" in description


def test_the_invitation_keeps_the_users_notes_and_links_to_themselves(
    owner_client: Client, invited: FollowUp
) -> None:
    invited.value_to_bring = "Push the premium plan"
    actions.schedule(follow_up=invited)
    body = invite(owner_client, invited).content
    assert b"premium" not in body and b"opportunities/" not in body and b"VALARM" not in body


def test_a_cancelled_follow_up_is_withdrawn(owner_client: Client, invited: FollowUp) -> None:
    actions.cancel(follow_up=invited)
    parsed = icalendar.Calendar.from_ical(invite(owner_client, invited).content)
    assert parsed["METHOD"] == "CANCEL"
    assert parsed.events[0]["STATUS"] == "CANCELLED"


def test_without_an_email_the_invitation_is_published_without_organizer(
    owner_client: Client, owner: User, opportunity: Opportunity
) -> None:
    planned = follow_up(opportunity, at_rome(2026, 2, 10, 10))
    parsed = icalendar.Calendar.from_ical(invite(owner_client, planned).content)
    assert parsed["METHOD"] == "PUBLISH"
    assert "ORGANIZER" not in parsed.events[0] and "ATTENDEE" not in parsed.events[0]


def test_an_outsider_gets_404_for_an_invitation(outsider_client: Client, invited: FollowUp) -> None:
    assert invite(outsider_client, invited).status_code == 404


def test_an_invitation_needs_a_login(client: Client, invited: FollowUp) -> None:
    response = invite(client, invited)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_post_sale_step_without_a_date_has_no_invitation(
    owner_client: Client, opportunity: Opportunity
) -> None:
    waiting = follow_up(opportunity, None, "Thank you after delivery", kind=Kind.POST_SALE)
    assert invite(owner_client, waiting).status_code == 404
