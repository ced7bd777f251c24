"""Quotes that expire (docs/method.md §4): the rules, with fixed dates, and the writes."""

import datetime as dt
from decimal import Decimal

import pytest

from funnel.lib.refusals import Refused
from funnel.quotes import actions, rules
from funnel.quotes.models import Quote
from funnel.sales.models import Opportunity
from tests import quote_helpers
from tests.helpers import present
from tests.quote_helpers import TODAY, Status, a_quote

# Fixtures shared with the other quote tests (in quote_helpers.py).
frozen = quote_helpers.frozen


def standing(status: str = "sent", valid_until: dt.date | None = None) -> rules.Standing:
    return rules.standing(status=status, valid_until=valid_until, today=TODAY)


# The rules, with fixed dates


def test_a_sent_quote_is_valid_through_its_last_day_and_expired_the_day_after() -> None:
    assert standing(valid_until=TODAY) == rules.Standing("sent", 0)
    assert standing(valid_until=TODAY - dt.timedelta(days=1)).status == rules.EXPIRED
    assert rules.effective_status(status="sent", valid_until=dt.date(2026, 11, 1), today=TODAY) == (
        "expired"
    )


@pytest.mark.parametrize("status", ["draft", "accepted", "declined", "superseded"])
def test_only_a_sent_quote_expires(status: str) -> None:
    assert standing(status, TODAY - dt.timedelta(days=90)) == rules.Standing(status)


@pytest.mark.parametrize(
    ("days_left", "soon"), [(0, True), (7, True), (8, False), (-1, False), (30, False)]
)
def test_a_quote_is_expiring_soon_within_seven_days_and_not_once_expired(
    days_left: int, soon: bool
) -> None:
    valid_until = TODAY + dt.timedelta(days=days_left)
    assert rules.is_expiring_soon(status="sent", valid_until=valid_until, today=TODAY) is soon


def test_a_quote_is_valid_for_the_users_days_from_when_it_is_sent() -> None:
    assert rules.default_valid_until(dt.date(2026, 11, 30), 30) == dt.date(2026, 12, 30)
    assert rules.default_valid_until(dt.date(2026, 2, 20), 14) == dt.date(2026, 3, 6)


def test_the_next_number_follows_the_years_highest_and_ignores_other_numbering() -> None:
    assert rules.next_number(2026, []) == "Q-2026-001"
    numbers = ["Q-2026-002", "Q-2026-013", "Q-2025-090", "OFFER-7", "Q-2026-13b"]
    assert rules.next_number(2026, numbers) == "Q-2026-014"
    assert rules.next_number(2026, ["Q-2026-999"]) == "Q-2026-1000"


def test_an_expired_quote_cant_be_accepted_and_the_refusal_offers_to_reissue() -> None:
    expired = standing(valid_until=TODAY - dt.timedelta(days=1))
    assert "Re-issue it" in present(rules.refusal(action="accept", current=expired))
    assert rules.refusal(action="reissue", current=expired) is None
    assert rules.refusal(action="decline", current=expired) is None


def test_what_each_quote_allows() -> None:
    assert rules.refusal(action="accept", current=standing(valid_until=TODAY)) is None
    assert rules.refusal(action="send", current=standing("draft")) is None
    assert "send it first" in present(rules.refusal(action="accept", current=standing("draft")))
    assert rules.refusal(action="send", current=standing(valid_until=TODAY)) == (
        "This quote has already been sent."
    )
    for done in ["accepted", "declined", "superseded"]:
        assert rules.refusal(action="reissue", current=standing(done)) == (
            "Only a sent quote can be accepted, declined or re-issued."
        )


# The writes


def test_a_sent_quote_without_a_valid_until_date_gets_the_default(opportunity: Opportunity) -> None:
    quote = Quote(
        team=opportunity.team,
        opportunity=opportunity,
        number="Q-2026-001",
        amount=1,
        currency="EUR",
        status=Status.SENT,
        sent_on=TODAY,
    )
    actions.create_quote(quote=quote, valid_days=30)
    quote.refresh_from_db()
    assert quote.valid_until == dt.date(2026, 12, 30)


def test_sending_a_draft_dates_it_today(opportunity: Opportunity) -> None:
    draft = a_quote(opportunity, status=Status.DRAFT)
    actions.send_quote(quote=draft, today=TODAY, valid_days=14)
    draft.refresh_from_db()
    assert (draft.status, draft.sent_on) == ("sent", TODAY)
    assert draft.valid_until == dt.date(2026, 12, 14)


def test_accepting_an_expired_quote_is_refused_and_changes_nothing(
    opportunity: Opportunity,
) -> None:
    quote = a_quote(opportunity, days_left=-1)
    with pytest.raises(Refused, match="Re-issue it"):
        actions.accept_quote(quote=quote, today=TODAY)
    quote.refresh_from_db()
    assert quote.status == Status.SENT


def test_reissuing_sends_a_new_quote_that_supersedes_the_old_one(opportunity: Opportunity) -> None:
    old = a_quote(opportunity, days_left=-3)
    new = Quote(
        number="Q-2026-002",
        amount=Decimal("9000"),
        currency="EUR",
        sent_on=TODAY,
        valid_until=TODAY + dt.timedelta(days=30),
    )
    actions.reissue_quote(quote=old, new=new, today=TODAY)
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (Status.SUPERSEDED, new)
    assert (new.status, new.opportunity, new.team) == (Status.SENT, opportunity, opportunity.team)
    actions.accept_quote(quote=new, today=TODAY)
    assert Quote.objects.get(pk=new.pk).status == Status.ACCEPTED


def test_a_quote_changed_in_the_meantime_is_not_changed_twice(opportunity: Opportunity) -> None:
    quote = a_quote(opportunity)
    stale = Quote.objects.get(pk=quote.pk)
    actions.decline_quote(quote=quote, today=TODAY)
    with pytest.raises(Refused, match="changed in the meantime"):
        actions.accept_quote(quote=stale, today=TODAY)
    assert Quote.objects.get(pk=quote.pk).status == Status.DECLINED


def test_a_refused_reissue_leaves_no_new_quote(opportunity: Opportunity) -> None:
    accepted = a_quote(opportunity, status=Status.ACCEPTED)
    new = Quote(number="Q-2026-002", amount=1, currency="EUR", sent_on=TODAY, valid_until=TODAY)
    with pytest.raises(Refused):
        actions.reissue_quote(quote=accepted, new=new, today=TODAY)
    assert Quote.objects.count() == 1
