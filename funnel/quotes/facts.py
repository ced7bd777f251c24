"""Loads what the quote rules (funnel.quotes.rules) decide on, for the pages and Today."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from funnel.quotes import rules
from funnel.quotes.models import Quote
from funnel.sales.models import Opportunity

TODAY_LIMIT = 10


@dataclass(frozen=True)
class QuoteLine:
    """A quote with where it stands today, as the templates show it."""

    quote: Quote
    standing: rules.Standing


def lines(quotes: Iterable[Quote], today: date) -> list[QuoteLine]:
    return [QuoteLine(quote, quote.standing(today)) for quote in quotes]


def valid_days_of(user: User) -> int:
    return user.profile.quote_valid_days


def next_number_for(team_id: int, today: date) -> str:
    """One query: this year's numbers of the team, the rule picks the next."""
    numbers = Quote.objects.filter(team_id=team_id, number__startswith=f"Q-{today.year}-")
    return rules.next_number(today.year, numbers.values_list("number", flat=True))


def proposed_quote(opportunity: Opportunity, today: date) -> Quote:
    """A new quote as the form starts it: next number, the opportunity's value, sent today."""
    return Quote(
        team=opportunity.team,
        opportunity=opportunity,
        number=next_number_for(opportunity.team_id, today),
        amount=opportunity.value,
        currency=opportunity.currency,
        sent_on=today,
        valid_until=rules.default_valid_until(today, valid_days_of(opportunity.owner)),
    )


def proposed_reissue(quote: Quote, today: date) -> Quote:
    """The quote that replaces an old one: same terms to start from, a new number and dates."""
    new = proposed_quote(quote.opportunity, today)
    new.amount, new.currency = quote.amount, quote.currency
    return new


@dataclass(frozen=True)
class TodayQuotes:
    lines: list[QuoteLine]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


def quotes_for_today(user: User, today: date, limit: int = TODAY_LIMIT) -> TodayQuotes:
    """Sent quotes of the user's opportunities that expire within a week or have expired,
    soonest first: two queries, however many there are."""
    rows = Quote.objects.visible_to(user).filter(opportunity__owner=user).needing_attention(today)
    first = rows.select_related("opportunity__organisation", "opportunity__main_contact")
    shown = list(first.order_by("valid_until", "pk")[:limit])
    return TodayQuotes(lines(shown, today), rows.count())
