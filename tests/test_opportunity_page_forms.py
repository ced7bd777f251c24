"""The opportunity page's folded forms are drawn when opened, and the page asks no more of the
database as it grows, nor anything while its template is drawn."""

import datetime as dt
import traceback
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership
from funnel.contacts.models import Person
from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, BuyingInfluence, Level, Opportunity
from tests.conftest import PASSWORD

HTMX = {"HX-Request": "true"}
# A field of each folded form, as the page would draw it.
FIELDS = {
    "follow_up_form": 'name="next-due_at"',
    "plan_form": 'name="plan-follow_up_every_days"',
    "quote_form": 'name="quote-number"',
    "assign_form": 'name="owner"',
}
# How a page without script asks for each of them.
ASKED = {
    "follow_up_form": "?add=follow-up",
    "plan_form": "?edit=plan",
    "quote_form": "?add=quote",
    "assign_form": "?edit=owner",
}


@pytest.fixture
def teammate(owner: User) -> User:
    luca = create_user(username="luca", password=PASSWORD, first_name="Luca", last_name="Bianchi")
    Membership.objects.create(team=owner.profile.team, user=luca)
    return luca


def plan(opportunity: Opportunity, purpose: str = "Call about the offer", **fields: Any) -> None:
    fields.setdefault("person", opportunity.main_contact)
    actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team,
            opportunity=opportunity,
            assigned_to=opportunity.owner,
            due_at=timezone.now() + dt.timedelta(days=2),
            purpose=purpose,
            **fields,
        )
    )


def a_quote(opportunity: Opportunity, number: str = "Q-2026-001") -> Quote:
    return Quote.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        number=number,
        amount=Decimal(1000),
        currency="EUR",
    )


@pytest.fixture
def busy(opportunity: Opportunity, person: Person, teammate: User) -> Opportunity:
    """An opportunity with something in every card: each folded form stays folded."""
    BuyingInfluence.objects.create(opportunity=opportunity, person=person, role="economic")
    plan(opportunity)
    a_quote(opportunity)
    return opportunity


def url(name: str, opportunity: Opportunity) -> str:
    return reverse(name, args=[opportunity.pk])


def page(client: Client, opportunity: Opportunity, query: str = "") -> str:
    response = client.get(opportunity.get_absolute_url() + query)
    assert response.status_code == 200
    return response.text


def test_the_folded_forms_are_not_on_the_page_until_opened(
    owner_client: Client, busy: Opportunity
) -> None:
    text = page(owner_client, busy)
    for name, field in FIELDS.items():
        assert field not in text, name
        assert f'hx-get="{url(name, busy)}" hx-trigger="toggle once"' in text
        assert f'href="{ASKED[name]}#' in text  # inside <noscript>


@pytest.mark.parametrize("name", FIELDS)
def test_opening_a_fold_draws_its_form(owner_client: Client, busy: Opportunity, name: str) -> None:
    response = owner_client.get(url(name, busy), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert FIELDS[name] in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_the_follow_up_form_proposes_the_next_one_as_the_plan_has_it(
    owner_client: Client, busy: Opportunity
) -> None:
    busy.follow_up_every_days = 14
    busy.save()
    fragment = owner_client.get(url("follow_up_form", busy), headers=HTMX).text
    proposed = timezone.localdate() + dt.timedelta(days=14)
    assert f'value="{proposed:%Y-%m-%d}T' in fragment
    assert 'name="next-assigned_to"' in fragment  # a shared team: who does it
    assert f'action="{url("opportunity_next_step", busy)}"' in fragment


@pytest.mark.parametrize("name", FIELDS)
def test_a_page_without_script_asks_for_a_form_in_the_address(
    owner_client: Client, busy: Opportunity, name: str
) -> None:
    text = page(owner_client, busy, ASKED[name])
    assert FIELDS[name] in text
    assert "<html" in text
    others = [field for other, field in FIELDS.items() if other != name]
    assert not any(field in text for field in others)


def test_a_form_that_must_show_at_once_is_on_the_page(
    owner_client: Client, opportunity: Opportunity
) -> None:
    """Nothing planned, no quote yet: their forms are drawn open at once."""
    text = page(owner_client, opportunity)
    assert FIELDS["follow_up_form"] in text
    assert FIELDS["quote_form"] in text
    assert FIELDS["plan_form"] not in text
    assert f'hx-get="{url("follow_up_form", opportunity)}"' not in text
    assert f'hx-get="{url("quote_form", opportunity)}"' not in text


def test_a_low_potential_opportunity_shows_the_delegate_form_at_once(
    owner_client: Client,
    busy: Opportunity,
    make_opportunity: Callable[..., Opportunity],
) -> None:
    for index in range(4):  # worth more than it: it is in the bottom quarter
        make_opportunity(f"Bigger {index}", value=Decimal(10**6))
    text = page(owner_client, busy)
    assert "Low potential" in text
    assert FIELDS["assign_form"] in text


def test_alone_in_the_team_there_is_no_one_to_delegate_to(
    owner_client: Client, opportunity: Opportunity
) -> None:
    text = page(owner_client, opportunity, "?edit=owner")
    assert "Delegate" not in text
    assert FIELDS["assign_form"] not in text


def test_a_closed_opportunity_offers_no_follow_up_forms(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    lost = make_opportunity("Lost deal", level=Level.LOST, reason="Budget cut")
    for query in ("", "?add=follow-up", "?edit=plan"):
        text = page(owner_client, lost, query)
        assert FIELDS["follow_up_form"] not in text
        assert FIELDS["plan_form"] not in text


# Sent back with errors: drawn open, with what was typed


def test_a_refused_follow_up_comes_back_drawn_open_with_its_errors(
    owner_client: Client, busy: Opportunity
) -> None:
    data = {"next-due_at": "", "next-minutes": "30", "next-channel": "email"}
    data["next-purpose"] = "Send the case study"
    response = owner_client.post(url("opportunity_next_step", busy), data)
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert 'value="Send the case study"' in response.text
    assert f'hx-get="{url("follow_up_form", busy)}"' not in response.text


def test_a_refused_plan_comes_back_drawn_open_with_its_errors(
    owner_client: Client, busy: Opportunity
) -> None:
    data = {"plan-follow_up_every_days": "-3", "plan-follow_up_channel": "email"}
    response = owner_client.post(url("plan_edit", busy), data)
    assert response.status_code == 422
    assert FIELDS["plan_form"] in response.text
    assert 'value="-3"' in response.text
    assert f'hx-get="{url("plan_form", busy)}"' not in response.text
    assert FIELDS["follow_up_form"] not in response.text  # the other forms stay folded


def test_a_refused_handover_comes_back_drawn_open_with_its_errors(
    owner_client: Client, busy: Opportunity, outsider: User
) -> None:
    response = owner_client.post(url("opportunity_assign", busy), {"owner": outsider.pk})
    assert response.status_code == 422
    assert FIELDS["assign_form"] in response.text
    assert "Select a valid choice." in response.text


# Someone else's


@pytest.mark.parametrize("name", FIELDS)
def test_someone_elses_folded_forms_are_not_found(
    outsider_client: Client, busy: Opportunity, name: str
) -> None:
    assert outsider_client.get(url(name, busy), headers=HTMX).status_code == 404


@pytest.mark.parametrize("name", FIELDS)
def test_the_folded_forms_ask_for_a_login(client: Client, busy: Opportunity, name: str) -> None:
    response = client.get(url(name, busy), headers=HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Queries


@pytest.fixture
def queries_while_drawing() -> Iterator[list[str]]:
    """The SQL run while a template is drawn: none, when the view read everything first."""
    found: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if any("/django/template/" in frame.filename for frame in traceback.extract_stack()):
            found.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield found


@pytest.mark.parametrize("query", ["", *ASKED.values(), "?log=1", "?add=influence"])
def test_the_page_runs_no_query_while_its_template_is_drawn(
    owner_client: Client, busy: Opportunity, queries_while_drawing: list[str], query: str
) -> None:
    page(owner_client, busy, query)
    assert queries_while_drawing == []


def test_a_first_visit_runs_no_query_while_its_template_is_drawn(
    owner_client: Client, opportunity: Opportunity, queries_while_drawing: list[str]
) -> None:
    """No influence, nothing planned, no quote: those forms are drawn on the page."""
    text = page(owner_client, opportunity)
    assert 'name="influence-person"' in text
    assert queries_while_drawing == []


def test_the_page_makes_as_many_queries_for_30_rows_as_for_3(
    owner: User,
    owner_client: Client,
    busy: Opportunity,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    team = owner.profile.team

    def add_rows(indexes: range) -> None:
        for index in indexes:
            person = Person.objects.create(
                team=team, name=f"Row {index:02} person", organisation=busy.organisation
            )
            BuyingInfluence.objects.create(opportunity=busy, person=person, role="user")
            Activity.objects.create(
                team=team, opportunity=busy, person=person, by=owner, minutes=10
            )
            plan(busy, f"Step {index}", person=person)
            a_quote(busy, f"Q-2026-{index + 100}")
            colleague = create_user(username=f"colleague{index}", password=PASSWORD)
            Membership.objects.create(team=team, user=colleague)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(owner_client, busy)
        return len(captured)

    add_rows(range(3))
    count()  # the first look measures the day's sales cycle and keeps it
    few = count()
    add_rows(range(3, 30))
    count()
    with django_assert_num_queries(few):
        text = page(owner_client, busy)
    assert "Row 29 person" in text
    assert "Q-2026-129" in text
