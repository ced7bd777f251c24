"""The Quotes card of an opportunity's page: its quotes, where each stands, and the add form."""

from django.utils import timezone

from funnel.quotes.facts import lines, proposed_quote, valid_days_of
from funnel.quotes.forms import QuoteForm
from funnel.sales.models import Opportunity


def quotes_context(
    opportunity: Opportunity, *, quote_form: QuoteForm | None = None
) -> dict[str, object]:
    """What the card shows (two queries): newest quote first, and a form for the next one."""
    today = timezone.localdate()
    quotes = opportunity.quotes.select_related("superseded_by").order_by("-created", "-pk")
    return {
        "quotes": lines(quotes, today),
        "quote_form": quote_form or new_quote_form(opportunity),
    }


def new_quote_form(opportunity: Opportunity) -> QuoteForm:
    return QuoteForm(
        instance=proposed_quote(opportunity, timezone.localdate()),
        opportunity=opportunity,
        valid_days=valid_days_of(opportunity.owner),
        sending=True,
    )
