"""The Quotes card of an opportunity's page: its quotes, where each stands, and the add form.

The add form is folded and drawn when opened (funnel.quotes.views.quote_form), unless it must
show at once: no quote yet, or asked for in the address (a page without script).
"""

from django.utils import timezone

from funnel.quotes.facts import lines, proposed_quote, valid_days_of
from funnel.quotes.forms import QuoteForm
from funnel.sales.models import Opportunity


def quotes_context(
    opportunity: Opportunity, *, quote_form: QuoteForm | None = None, fold: bool = False
) -> dict[str, object]:
    """What the card shows: newest quote first (one query), and the add form (`quote_form`, or
    a blank one). With `fold`, the page's way, the form is None once there are quotes: folded,
    and drawn when opened."""
    today = timezone.localdate()
    quotes = opportunity.quotes.select_related("superseded_by").order_by("-created", "-pk")
    shown = lines(quotes, today)
    if quote_form is None and not (fold and shown):
        quote_form = new_quote_form(opportunity)
    return {"quotes": shown, "quote_form": quote_form}


def new_quote_form(opportunity: Opportunity) -> QuoteForm:
    return QuoteForm(
        instance=proposed_quote(opportunity, timezone.localdate()),
        opportunity=opportunity,
        valid_days=valid_days_of(opportunity.owner),
        sending=True,
    )
