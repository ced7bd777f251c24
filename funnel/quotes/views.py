"""Quote pages and actions: add, send, accept, decline, re-issue, and the quote list."""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from funnel.lib.forms import save_unless_taken
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.listing import list_page
from funnel.lib.refusals import Refused
from funnel.quotes import actions, rules
from funnel.quotes.facts import lines, proposed_reissue, valid_days_of
from funnel.quotes.forms import QuoteForm
from funnel.quotes.models import Quote, expired_on, expiring_soon_on
from funnel.quotes.page import new_quote_form
from funnel.sales.models import Opportunity

FORM = "quotes/quote_form.html"
# Drafts have no valid-until date yet: they come after the dated quotes in every database.
UNDATED_LAST = Case(When(valid_until__isnull=True, then=Value(1)), default=Value(0))


def get_opportunity(request: AuthenticatedRequest, pk: int) -> Opportunity:
    """The opportunity a new quote is for, with what its form reads (the owner's validity)."""
    opportunities = Opportunity.objects.visible_to(request.user).select_related("owner__profile")
    return get_object_or_404(opportunities, pk=pk)


def get_quote(request: AuthenticatedRequest, pk: int) -> Quote:
    rows = Quote.objects.visible_to(request.user).select_related(
        "opportunity__organisation", "opportunity__main_contact", "opportunity__owner__profile"
    )
    return get_object_or_404(rows, pk=pk)


def shown(day: date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else ""


def next_of(request: AuthenticatedRequest) -> str:
    """Where the action came from (Today, the quote list), when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if allowed else ""


def back(request: AuthenticatedRequest, opportunity: Opportunity) -> HttpResponse:
    """Back where the action came from, else to the opportunity's Quotes card."""
    return redirect(next_of(request) or f"{opportunity.get_absolute_url()}#quotes")


def form_page(
    request: AuthenticatedRequest, form: QuoteForm, old: Quote | None = None, status: int = 200
) -> HttpResponse:
    """The page that adds or re-issues a quote; its errors come back here, nothing typed lost."""
    context = {"opportunity": form.instance.opportunity, "form": form, "next": next_of(request)}
    if old:
        context["old"] = lines([old], timezone.localdate())[0]
    return render(request, FORM, context, status=status)


@login_required
def quote_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add a quote: sent (the default) or kept as a draft. Errors come back on a page of their
    own, with everything typed kept."""
    opportunity = get_opportunity(request, pk)
    if request.method != "POST":
        return form_page(request, new_quote_form(opportunity))
    valid_days = valid_days_of(opportunity.owner)
    sending = "draft" not in request.POST
    form = QuoteForm(request.POST, opportunity=opportunity, valid_days=valid_days, sending=sending)
    quote = None
    if form.is_valid():
        quote = save_unless_taken(
            form, lambda: actions.create_quote(quote=form.save(commit=False), valid_days=valid_days)
        )
    if quote is None:  # a number taken at the same moment is a field error too
        return form_page(request, form, status=422)
    if sending:
        message = _("Quote %(number)s sent, valid until %(date)s.")
    else:
        message = _("Quote %(number)s saved as a draft.")
    messages.success(request, message % {"number": quote, "date": shown(quote.valid_until)})
    return back(request, opportunity)


@login_required
def quote_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The opportunity page's add form, drawn when its fold is opened (htmx)."""
    opportunity = get_opportunity(request, pk)
    context = {"opportunity": opportunity, "quote_form": new_quote_form(opportunity)}
    return render(request, "quotes/opportunity_card.html#quote-form", context)


def act(
    request: AuthenticatedRequest, pk: int, do: Callable[[Quote], Quote], done: str
) -> HttpResponse:
    """Apply one action to a quote; a refusal says why, and an expired one offers to re-issue."""
    quote = get_quote(request, pk)
    try:
        do(quote)
    except Refused as refused:
        messages.error(request, refused.message)
        if quote.standing(timezone.localdate()).is_expired:
            return reissue_redirect(request, quote)
        return back(request, quote.opportunity)
    messages.success(request, done % {"number": quote})
    return back(request, quote.opportunity)


def reissue_redirect(request: AuthenticatedRequest, quote: Quote) -> HttpResponse:
    """To the re-issue form, keeping where the user came from."""
    url = reverse("quote_reissue", args=[quote.pk])
    target = next_of(request)
    return redirect(f"{url}?{urlencode({'next': target})}" if target else url)


@login_required
@require_POST
def quote_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()

    def send(quote: Quote) -> Quote:
        days = valid_days_of(quote.opportunity.owner)
        return actions.send_quote(quote=quote, today=today, valid_days=days)

    return act(request, pk, send, _("Quote %(number)s marked as sent."))


@login_required
@require_POST
def quote_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    return act(
        request,
        pk,
        lambda quote: actions.accept_quote(quote=quote, today=today),
        _("Quote %(number)s accepted. If the sale is closed, mark the opportunity as won."),
    )


@login_required
@require_POST
def quote_decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    return act(
        request,
        pk,
        lambda quote: actions.decline_quote(quote=quote, today=today),
        _("Quote %(number)s declined."),
    )


@login_required
def quote_reissue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Renegotiate: a new sent quote, with new dates, replaces this one."""
    quote = get_quote(request, pk)
    today = timezone.localdate()
    opportunity = quote.opportunity
    refusal = rules.refusal(action="reissue", current=quote.standing(today))
    if refusal:
        messages.error(request, refusal)
        return back(request, opportunity)
    if request.method != "POST":
        form = reissue_form(quote, instance=proposed_reissue(quote, today))
        return form_page(request, form, quote)
    form = reissue_form(quote, data=request.POST)
    if not form.is_valid():
        return form_page(request, form, quote, status=422)
    try:
        new = save_unless_taken(
            form,
            lambda: actions.reissue_quote(quote=quote, new=form.save(commit=False), today=today),
        )
    except Refused as refused:  # re-issued by another click or tab already
        messages.error(request, refused.message)
        return back(request, opportunity)
    if new is None:
        return form_page(request, form, quote, status=422)
    messages.success(
        request,
        _("Quote %(new)s sent, valid until %(date)s; it replaces %(old)s.")
        % {"new": new, "old": quote, "date": shown(new.valid_until)},
    )
    return back(request, opportunity)


def reissue_form(quote: Quote, **kwargs: Any) -> QuoteForm:
    days = valid_days_of(quote.opportunity.owner)
    return QuoteForm(opportunity=quote.opportunity, valid_days=days, sending=True, **kwargs)


# The list page's filters: (key, label, condition). Expired and expiring soon depend on today.
def filters(today: date) -> list[tuple[str, str, Q]]:
    return [
        ("open", pgettext("quotes", "Open"), Q(status="sent")),
        ("expiring", _("Expiring soon"), expiring_soon_on(today)),
        ("expired", _("Expired"), expired_on(today)),
        ("draft", _("Draft"), Q(status="draft")),
        ("accepted", _("Accepted"), Q(status="accepted")),
        ("declined", _("Declined"), Q(status="declined")),
        ("superseded", _("Superseded"), Q(status="superseded")),
        ("all", pgettext("quotes", "All"), Q()),
    ]


@login_required
def quote_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every quote, the soonest to expire first; filter by where they stand, search by number
    or customer."""
    today = timezone.localdate()
    choices = filters(today)
    conditions = {key: condition for key, _label, condition in choices}
    status = request.GET.get("status", "open")
    if status not in conditions:
        status = "all"
    quotes = Quote.objects.visible_to(request.user)
    counts = quotes.count_each(conditions)
    listing = list_page(
        request,
        quotes.filter(conditions[status]).select_related(
            "opportunity__organisation", "opportunity__main_contact"
        ),
        search_fields=[
            "number",
            "opportunity__title",
            "opportunity__organisation__name",
            "opportunity__main_contact__name",
        ],
        sorts={
            "valid": [UNDATED_LAST, "valid_until"],
            "number": Lower("number"),
            "amount": "amount",
            "sent": "sent_on",
        },
        default_sort="valid",
    )
    context = {
        "listing": listing,
        "lines": lines(listing.page.object_list, today),
        "status": status,
        "filters": [(key, label, counts[key]) for key, label, _q in choices],
    }
    return render(request, "quotes/quote_list.html", context)
