"""A person's page: their contact history on every channel and opportunity, and how often."""

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from funnel.contacts.models import Organisation, Person
from funnel.followup import actions
from funnel.followup.frequency import Frequency, Moment, contact_frequency
from funnel.followup.models import FollowUp, Status
from funnel.lib.channels import Channel
from funnel.sales.models import Activity, Opportunity

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # a Monday
DAY = dt.timedelta(days=1)
HTMX = {"HX-Request": "true"}


def ago(days: float) -> dt.datetime:
    return NOW - days * DAY


def moments(*days_ago: float) -> list[Moment]:
    return [Moment(ago(days), "Call") for days in days_ago]


def frequency(past: Sequence[Moment], planned: Sequence[Moment] = (), limit: int = 2) -> Frequency:
    return contact_frequency(past=past, planned=planned, now=NOW, limit=limit)


# The figures, without the database


def test_contacts_are_counted_in_the_last_7_30_and_90_days() -> None:
    figures = frequency(moments(1, 2, 6.9, 12, 29, 60, 89, 120))
    assert (figures.last_7_days, figures.last_30_days, figures.last_90_days) == (3, 5, 7)


def test_the_average_gap_is_over_the_last_90_days_in_whole_days() -> None:
    assert frequency(moments(1, 3, 7, 13)).average_gap_days == 4
    assert frequency(moments(1, 60, 200)).average_gap_days == 59
    assert frequency(moments(1, 1.2, 1.4)).average_gap_days == 0


def test_there_is_no_average_with_fewer_than_two_contacts() -> None:
    assert frequency(moments()).average_gap_days is None
    assert frequency(moments(4)).average_gap_days is None
    assert frequency(moments(4, 100)).average_gap_days is None


def test_the_last_contact_and_the_next_planned_one_are_the_nearest_to_now() -> None:
    past = [Moment(ago(9), "Email"), Moment(ago(2), "Call"), Moment(ago(5), "Meeting")]
    planned = [Moment(ago(-6), "Letter"), Moment(ago(-2), "Phone"), Moment(ago(1), "Phone")]
    figures = frequency(past, planned)
    assert figures.last_contact == Moment(ago(2), "Call")
    assert figures.next_planned == Moment(ago(-2), "Phone")  # the missed one is not next


def test_nothing_done_and_nothing_planned_gives_empty_figures() -> None:
    figures = frequency([])
    assert (figures.last_7_days, figures.last_contact, figures.next_planned) == (0, None, None)
    assert not figures.over_limit and not figures.over_limit_coming


def test_a_contact_logged_ahead_of_time_does_not_count_yet() -> None:
    figures = frequency(moments(1, -1))
    assert figures.last_7_days == 1
    assert figures.last_contact == Moment(ago(1), "Call")


def test_more_contacts_in_the_last_7_days_than_the_limit_is_over_it() -> None:
    assert not frequency(moments(1, 3)).over_limit
    assert frequency(moments(1, 3, 5)).over_limit
    assert not frequency(moments(1, 3, 5), limit=3).over_limit
    assert not frequency(moments(1, 3, 8)).over_limit


def test_planned_contacts_that_make_too_many_in_7_days_are_over_the_limit() -> None:
    planned = moments(-1)
    assert frequency(moments(2), planned).busiest_coming_week == 2
    assert not frequency(moments(2), planned).over_limit_coming
    assert frequency(moments(2, 5), planned).over_limit_coming  # 5 days ago to tomorrow: 3
    assert frequency([], moments(-1, -2, -3)).over_limit_coming
    assert not frequency(moments(6.5), moments(-1, -3, -10, -11)).over_limit_coming


def test_only_the_coming_7_days_of_plans_are_checked() -> None:
    assert frequency([], moments(-8, -9, -10)).busiest_coming_week == 0
    assert frequency([], moments(-6, -9, -10)).busiest_coming_week == 3


# The page


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def log(person: Person, when: dt.datetime, **fields: object) -> Activity:
    fields.setdefault("kind", Activity.Kind.CALL)
    return Activity.objects.create(team=person.team, person=person, occurred=when, **fields)


def plan(
    opportunity: Opportunity, person: Person, when: dt.datetime, purpose: str, **fields: object
) -> FollowUp:
    return actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team,
            opportunity=opportunity,
            person=person,
            assigned_to=opportunity.owner,
            due_at=when,
            purpose=purpose,
            **fields,
        )
    )


def words(html: str) -> str:
    """The text as a reader sees it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def timeline(html: str) -> list[tuple[str, str]]:
    """The history's entries in page order: (activity or follow-up state, their words)."""
    rows = re.findall(r'<li class="history-(\w+)">(.*?)</li>', html, re.DOTALL)
    return [(state, words(text)) for state, text in rows]


def test_the_history_merges_activities_and_follow_ups_newest_first(
    frozen: None,
    owner_client: Client,
    person: Person,
    opportunity: Opportunity,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    other = make_opportunity("Warehouse audit", main_contact=person)
    log(
        person,
        ago(2),
        opportunity=opportunity,
        channel=Channel.PHONE,
        outcome=Activity.Outcome.REACHED,
        notes="Talked about the budget",
    )
    log(person, ago(10), kind=Activity.Kind.EMAIL, notes="Sent the brochure")
    plan(other, person, ago(-3), "Send the proposal", channel=Channel.EMAIL)
    plan(opportunity, person, ago(1), "Call about the offer")
    plan(opportunity, person, ago(5), "Visit the plant", status=Status.CANCELLED)
    plan(other, person, ago(20), "Show the demo", status=Status.DONE, outcome="replied")

    response = owner_client.get(person.get_absolute_url())

    assert response.status_code == 200
    assert timeline(response.text) == [
        (
            "planned",
            "12/03/2026 9 a.m. · 30 minutes Planned Send the proposal · Email · Warehouse audit",
        ),
        (
            "missed",
            "11/29/2026 9 a.m. · 30 minutes Missed Call about the offer · Phone · "
            "Operations review",
        ),
        (
            "activity",
            "11/28/2026 9 a.m. Call · Phone · Reached · Operations review Talked about the budget",
        ),
        (
            "cancelled",
            "11/25/2026 9 a.m. · 30 minutes Cancelled Visit the plant · Phone · Operations review",
        ),
        ("activity", "11/20/2026 9 a.m. Email Sent the brochure"),
        (
            "done",
            "11/10/2026 9 a.m. · 30 minutes Done Show the demo · Phone · Replied · Warehouse audit",
        ),
    ]
    assert f'href="{other.get_absolute_url()}"' in response.text


def test_a_follow_up_done_by_an_activity_with_them_shows_once_as_that_activity(
    frozen: None, owner: User, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    plan(opportunity, person, ago(1), "Ask about the budget")
    activity = Activity(
        team=person.team,
        opportunity=opportunity,
        person=person,
        occurred=ago(1) + dt.timedelta(minutes=10),
    )
    actions.log_activity(activity=activity, by=owner)

    entries = timeline(owner_client.get(person.get_absolute_url()).text)

    assert FollowUp.objects.get(purpose="Ask about the budget").status == Status.DONE
    assert [state for state, text in entries if "budget" in text] == ["activity"]
    assert "Planned as: Ask about the budget" in entries[0][1]


def test_a_planned_follow_up_is_missed_once_its_time_and_duration_have_passed(
    owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    plan(opportunity, person, NOW, "Call about the offer", minutes=45)
    url = person.get_absolute_url()
    with time_machine.travel(NOW + dt.timedelta(minutes=44), tick=False):
        assert [state for state, _ in timeline(owner_client.get(url).text)] == ["planned"]
    with time_machine.travel(NOW + dt.timedelta(minutes=46), tick=False):
        assert [state for state, _ in timeline(owner_client.get(url).text)] == ["missed"]


def test_the_frequency_sums_up_how_often_they_are_contacted(
    frozen: None, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    for days in (1, 2, 5, 12, 25, 60, 100):
        log(person, ago(days))
    plan(opportunity, person, ago(-2), "Send the proposal")

    text = words(owner_client.get(person.get_absolute_url()).text)

    assert "3 contacts in the last 7 days · 5 in 30 days · 6 in 90 days" in text
    assert "every 12 days on average" in text  # 59 days between the first and the sixth
    assert "last: Sun 11/29/2026 9 a.m., call" in text
    assert "next: Wed 12/02/2026 9 a.m., phone" in text


def test_someone_never_contacted_has_no_figures_yet(
    frozen: None, owner_client: Client, person: Person
) -> None:
    text = owner_client.get(person.get_absolute_url()).text
    assert "Not contacted yet, and nothing planned." in text
    assert "No contact logged yet." in text
    assert "in the last 7 days" not in text


def test_contacts_beyond_the_weekly_limit_are_a_warning(
    frozen: None, owner: User, owner_client: Client, person: Person
) -> None:
    for days in (1, 3, 5):
        log(person, ago(days))
    url = person.get_absolute_url()
    assert "More than your limit of 2 contacts in 7 days." in owner_client.get(url).text

    owner.profile.contacts_per_week = 3
    owner.profile.save(update_fields=["contacts_per_week"])
    assert "More than your limit" not in owner_client.get(url).text


def test_planned_contacts_beyond_the_weekly_limit_are_a_warning(
    frozen: None, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    log(person, ago(2))
    plan(opportunity, person, ago(-1), "Call about the offer")
    url = person.get_absolute_url()
    assert "goes beyond your limit" not in owner_client.get(url).text

    plan(opportunity, person, ago(-3), "Send the proposal")
    text = owner_client.get(url).text
    assert "What is planned goes beyond your limit of 2 contacts in 7 days." in text
    assert "More than your limit" not in text


def test_other_peoples_contacts_are_not_in_the_history(
    frozen: None,
    owner_client: Client,
    person: Person,
    organisation: Organisation,
    opportunity: Opportunity,
) -> None:
    colleague = Person.objects.create(team=person.team, name="Marco", organisation=organisation)
    log(colleague, ago(1), notes="Spoke to Marco")
    plan(opportunity, colleague, ago(-1), "Call Marco back")
    text = owner_client.get(person.get_absolute_url()).text
    assert "Marco" not in text
    assert "Not contacted yet, and nothing planned." in text


def test_the_history_shows_the_latest_20_and_the_rest_on_demand(
    frozen: None, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    for day in range(1, 26):
        log(person, ago(26 - day), notes=f"Contact number {day:02}")
    url = person.get_absolute_url()

    page = owner_client.get(url).text
    assert len(timeline(page)) == 20
    assert "Contact number 25" in page and "Contact number 06" in page
    assert "Contact number 05" not in page
    assert f'hx-get="{url}?older=20"' in page
    assert f'href="{url}?older=20#history"' in page

    fragment = owner_client.get(url, {"older": "20"}, headers=HTMX).text
    assert "<html" not in fragment
    assert [f"Contact number {n:02}" in fragment for n in (5, 1, 6)] == [True, True, False]
    assert "Show more" not in fragment

    without_script = owner_client.get(url, {"older": "20"})
    assert "<html" in without_script.text
    assert "Contact number 05" in without_script.text
    assert "Vary" in without_script.headers and "HX-Request" in without_script.headers["Vary"]


def test_show_more_pages_through_activities_and_follow_ups_together(
    frozen: None, owner_client: Client, person: Person, opportunity: Opportunity
) -> None:
    for day in range(1, 16):
        log(person, ago(2 * day), notes=f"Contact number {day:02}")
        plan(opportunity, person, ago(2 * day + 1), f"Plan number {day:02}", status=Status.DONE)
    url = person.get_absolute_url()

    first = timeline(owner_client.get(url).text)
    second = timeline(owner_client.get(url, {"older": "20"}, headers=HTMX).text)

    assert len(first) == 20 and len(second) == 10
    assert first[-1][1].endswith("Plan number 10 · Phone · Operations review")
    assert second[0][1].endswith("Contact number 11")


@pytest.mark.parametrize("params", [{}, {"older": "20"}])
def test_an_outsider_gets_404_on_someone_elses_history(
    outsider_client: Client, person: Person, params: dict[str, str]
) -> None:
    response = outsider_client.get(person.get_absolute_url(), params, headers=HTMX)
    assert response.status_code == 404


def test_the_page_makes_as_many_queries_for_40_contacts_as_for_3(
    frozen: None,
    owner_client: Client,
    person: Person,
    opportunity: Opportunity,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    def add_contacts(indexes: range) -> None:
        for index in indexes:
            other = make_opportunity(f"Row {index:02}", main_contact=person)
            log(person, ago(index), opportunity=other, outcome=Activity.Outcome.REPLIED)
            status = [Status.PLANNED, Status.DONE, Status.CANCELLED][index % 3]
            plan(other, person, ago(index - 5), f"Plan {index}", status=status)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(person.get_absolute_url()).status_code == 200
        return len(queries)

    add_contacts(range(3))
    few = count_queries()
    add_contacts(range(3, 40))
    assert count_queries() == few
