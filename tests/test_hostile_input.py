"""Hostile and clumsy input (the developers' standard): year 1 and 9999, numbers no
database holds, "²" (which passes str.isdigit()), NUL bytes. Every field of every form on every
page gets them; none answers 500, and after any save that is accepted every page of the user
still answers. Rows stored out of range before the ranges existed don't break a page either."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import ContextList
from django.urls import reverse

from benchmarks.user_pages import PAGES
from funnel.contacts.models import Organisation, Person
from funnel.followup.models import FollowUp
from funnel.goals.models import Goal
from funnel.lib.forms import MAX_ROWS
from funnel.prospecting.models import Block
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, Level, Opportunity
from tests.busy import one_of_everything
from tests.helpers import new_client
from tests.hostile import COMPUTED, EXTREMES, NOT_ATTACKED, broken_pages, forms_on

UTC = dt.UTC


@pytest.fixture
def seller(
    owner: User,
    organisation: Organisation,
    person: Person,
    make_opportunity: Callable[..., Opportunity],
) -> User:
    """A user with one of everything: a deal at each level, follow-ups, a quote, a goal, a
    prospecting block."""
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    one_of_everything(owner, person, make_opportunity)
    return owner


@pytest.fixture
def visitor(seller: User) -> Client:
    """A signed-in client that reports a 500 as a status, so every failure is listed at once."""
    client = new_client(raise_request_exception=False)
    client.force_login(seller)
    return client


# Every form field, every extreme


@pytest.mark.parametrize("page_name", [name for name, _address in PAGES])
def test_no_form_field_answers_500_to_extreme_values(
    visitor: Client, seller: User, page_name: str
) -> None:
    address = dict(PAGES)[page_name](seller)
    if address.endswith(".ics"):
        return  # no forms in a calendar
    failures, saved = [], []
    for form in forms_on(visitor, address):
        seen = set()
        for field in form.fields:
            shape = re.sub(r"-[0-9]+-", "-N-", field.name)  # one row of a formset stands for all
            if field.name in NOT_ATTACKED or shape in seen:
                continue
            seen.add(shape)
            for value in EXTREMES.get(field.kind, []):
                status = visitor.post(form.action, form.data(**{field.name: value})).status_code
                if status >= 500:
                    failures.append((form.action, field.name, value, status))
                elif status == 302 and field.kind in COMPUTED:  # saved (refused: a 422)
                    saved.append((form.action, field.name, value))
    # After the saves, every page still answers (the saves are listed to find the culprit).
    broken = broken_pages(visitor, seller) if saved else []
    assert (failures, broken) == ([], []), saved


# Every query parameter, every extreme


QUERIES = [
    ("opportunity_list", {"q": "\x00"}),
    ("organisation_list", {"q": "a\x00"}),
    ("person_list", {"q": "\x00"}),
    ("nurture_list", {"q": "\x00"}),
    ("quote_list", {"q": "\x00"}),
    ("opportunity_create", {"organisation": "²"}),
    ("opportunity_create", {"main_contact": "99999999999999999999999"}),
    ("person_create", {"organisation": "²"}),
    ("reports", {"on": "0001-01-01"}),
    ("reports", {"on": "9999-12-31", "period": "month"}),
]


@pytest.mark.parametrize(("name", "query"), QUERIES)
def test_no_query_parameter_answers_500(visitor: Client, name: str, query: dict[str, str]) -> None:
    assert visitor.get(reverse(name), query).status_code < 500


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1", "1e3", "\x00"])
@pytest.mark.parametrize("parameter", ["older", "follow_up"])
def test_an_opportunitys_query_parameters_are_numbers_or_a_404(
    visitor: Client, seller: User, parameter: str, value: str
) -> None:
    deal = Opportunity.objects.filter(owner=seller, level=Level.IN).get()
    response = visitor.get(deal.get_absolute_url(), {parameter: value, "log": "1"})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "1000001"])
def test_show_more_offsets_are_numbers_or_a_404(visitor: Client, seller: User, value: str) -> None:
    deal = Opportunity.objects.filter(owner=seller, level=Level.IN).get()
    urls = [
        reverse("board_column", args=["above"]),
        reverse("opportunity_activities", args=[deal.pk]),
    ]
    for url in urls:
        assert (
            visitor.get(url, {"offset": value}, headers={"HX-Request": "true"}).status_code == 404
        )


def test_a_nul_byte_in_an_address_is_a_bad_request_even_for_calendars(client: Client) -> None:
    assert client.get("/calendar/%00.ics").status_code in (400, 404)
    assert client.get("/opportunities/?q=%00").status_code == 400


# Rows stored out of range, before the ranges existed


def far(year: int) -> dt.datetime:
    """A moment at the edge of the calendar: a conversion to a zone beyond it overflows."""
    if year == 1:
        return dt.datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    return dt.datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


STORED: list[tuple[str, Callable[[User, dt.datetime], int]]] = [
    (
        "follow-up due",
        lambda seller, when: FollowUp.objects.filter(assigned_to=seller).update(due_at=when),
    ),
    ("activity", lambda seller, when: Activity.objects.filter(by=seller).update(occurred=when)),
    (
        "next step",
        lambda seller, when: Opportunity.objects.filter(owner=seller).update(next_step_at=when),
    ),
    (
        "expected close",
        lambda seller, when: Opportunity.objects.filter(owner=seller).update(
            expected_close_on=when.date()
        ),
    ),
    (
        "first contact",
        lambda seller, when: Opportunity.objects.filter(owner=seller).update(
            first_contact_on=when.date()
        ),
    ),
    (
        "delivery",
        lambda seller, when: Opportunity.objects.filter(owner=seller).update(
            delivery_on=when.date()
        ),
    ),
    (
        "goal start",
        lambda seller, when: Goal.objects.filter(owner=seller).update(starts_on=when.date()),
    ),
    (
        "block start",
        lambda seller, when: Block.objects.filter(owner=seller).update(starts_on=when.date()),
    ),
    (
        "quote dates",
        lambda seller, when: Quote.objects.update(sent_on=when.date(), valid_until=when.date()),
    ),
]


@pytest.mark.parametrize("year", [1, 9999])
@pytest.mark.parametrize("zone", ["Europe/Rome", "America/New_York"])
@pytest.mark.parametrize("what", [name for name, _store in STORED])
def test_a_row_stored_at_the_edge_of_the_calendar_breaks_no_page(
    visitor: Client, seller: User, what: str, year: int, zone: str
) -> None:
    seller.profile.time_zone = zone
    seller.profile.save(update_fields=["time_zone"])
    dict(STORED)[what](seller, far(year))

    assert broken_pages(visitor, seller) == []


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("person_create", "emails"), ("post_sale_steps", "steps"), ("ideal_customer", "demographic")],
)
def test_a_forged_row_count_builds_no_more_rows_than_a_list_can_have(
    visitor: Client, name: str, prefix: str
) -> None:
    """TOTAL_FORMS=10^23 used to build 2,000 forms (seconds of work for one request)."""
    data = {f"{prefix}-TOTAL_FORMS": "99999999999999999999999", f"{prefix}-INITIAL_FORMS": "0"}
    response = visitor.post(reverse(name), data)
    assert response.status_code == 422
    assert isinstance(response.context, ContextList)
    formsets = [
        value
        for value in response.context[0].flatten().values()
        if hasattr(value, "management_form")
    ]
    assert formsets and all(len(formset.forms) <= MAX_ROWS for formset in formsets)
