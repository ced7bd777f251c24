"""Writes for quotes. Each checks the rule first (funnel.quotes.rules.refusal), then changes the
row only if it still stands as it was read, so two clicks never both win."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.lib.refusals import Refused
from funnel.quotes import rules
from funnel.quotes.models import Quote

Status = Quote.Status


def check(quote: Quote, action: str, today: date) -> None:
    reason = rules.refusal(action=action, current=quote.standing(today))
    if reason:
        raise Refused(reason)


def change(quote: Quote, action: str, *, today: date, **fields: Any) -> Quote:
    """Apply the action's changes if the quote is still as it was read (a conditional UPDATE)."""
    check(quote, action, today)
    fields["updated"] = timezone.now()
    as_read = Quote.objects.filter(pk=quote.pk, status=quote.status, valid_until=quote.valid_until)
    if not as_read.update(**fields):
        raise Refused(_("This quote changed in the meantime: have another look."))
    for name, value in fields.items():
        setattr(quote, name, value)
    return quote


@transaction.atomic
def create_quote(*, quote: Quote, valid_days: int) -> Quote:
    """Save a new quote; a sent one without a valid-until date gets the user's default."""
    if quote.status == Status.SENT and quote.sent_on and not quote.valid_until:
        quote.valid_until = rules.default_valid_until(quote.sent_on, valid_days)
    quote.save()
    return quote


def send_quote(*, quote: Quote, today: date, valid_days: int) -> Quote:
    """A draft goes out today; its validity counts from today unless it was set to run longer."""
    valid_until = rules.default_valid_until(today, valid_days)
    if quote.valid_until and quote.valid_until >= today:
        valid_until = quote.valid_until
    return change(
        quote, "send", today=today, status=Status.SENT, sent_on=today, valid_until=valid_until
    )


def accept_quote(*, quote: Quote, today: date) -> Quote:
    """Accepted while valid; an expired quote is refused (re-issue it instead)."""
    return change(quote, "accept", today=today, status=Status.ACCEPTED)


def decline_quote(*, quote: Quote, today: date) -> Quote:
    return change(quote, "decline", today=today, status=Status.DECLINED)


@transaction.atomic
def reissue_quote(*, quote: Quote, new: Quote, today: date) -> Quote:
    """A new sent quote replaces the old one: a late customer re-enters the user's timeline.

    The old quote is claimed first, so of two clicks only one re-issues; the other is refused
    before anything is written.
    """
    change(quote, "reissue", today=today, status=Status.SUPERSEDED)
    new.team_id, new.opportunity_id, new.status = quote.team_id, quote.opportunity_id, Status.SENT
    new.save()
    Quote.objects.filter(pk=quote.pk).update(superseded_by=new)
    quote.superseded_by = new
    return new
