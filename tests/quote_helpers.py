"""What the quote tests share: a frozen Monday, quotes sent some days ago, the form's data."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string

from funnel.quotes.models import Quote
from funnel.quotes.page import quotes_context
from funnel.sales.models import Opportunity

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # Monday
TODAY = NOW.date()
Status = Quote.Status


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def a_quote(
    opportunity: Opportunity,
    number: str = "Q-2026-001",
    *,
    status: str = Status.SENT,
    days_left: int = 20,
    **fields: object,
) -> Quote:
    """A quote sent ten days ago, valid for days_left more days (negative: expired)."""
    if status != Status.DRAFT:
        fields.setdefault("sent_on", TODAY - dt.timedelta(days=10))
        fields.setdefault("valid_until", TODAY + dt.timedelta(days=days_left))
    fields.setdefault("amount", Decimal("9500"))
    return Quote.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        number=number,
        currency="EUR",
        status=status,
        **fields,
    )


def card(opportunity: Opportunity) -> str:
    context = {"opportunity": opportunity, **quotes_context(opportunity)}
    return render_to_string("quotes/opportunity_card.html", context)
