"""Quotes on the opportunity's page: the card, adding a quote, and sending, accepting,
declining and re-issuing one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel.quotes.models import Quote
from funnel.sales.models import Opportunity
from tests import quote_helpers
from tests.quote_helpers import TODAY, Status, a_quote, card

# Fixtures shared with the other quote tests (in quote_helpers.py).
frozen = quote_helpers.frozen


def quote_data(
    number: str = "Q-2026-001",
    amount: str = "11000",
    sent_on: str = "2026-11-30",
    valid_until: str = "",
    **more: str,
) -> dict[str, str]:
    data = {
        "quote-number": number,
        "quote-amount": amount,
        "quote-currency": "EUR",
        "quote-sent_on": sent_on,
        "quote-valid_until": valid_until,
    }
    data.update(more)
    return data


# The Quotes card on the opportunity's page


def test_the_card_proposes_the_next_number_the_opportunitys_value_and_the_default_validity(
    owner: User, opportunity: Opportunity
) -> None:
    owner.profile.quote_valid_days = 14
    owner.profile.save()
    a_quote(opportunity, "Q-2026-004")
    opportunity = Opportunity.objects.select_related("owner__profile").get(pk=opportunity.pk)
    text = card(opportunity)
    assert 'value="Q-2026-005"' in text
    assert 'value="12000.00"' in text
    assert 'value="EUR" selected' in text
    assert 'value="2026-11-30"' in text  # sent today
    assert 'value="2026-12-14"' in text  # valid for the user's 14 days
    assert "Empty: the sent date plus 14 days." in text


def test_the_card_shows_where_each_quote_stands_with_its_actions(opportunity: Opportunity) -> None:
    a_quote(opportunity, "Q-2026-001", days_left=-2)
    a_quote(opportunity, "Q-2026-002", days_left=3)
    a_quote(opportunity, "Q-2026-003", days_left=1)
    a_quote(opportunity, "Q-2026-004", status=Status.DRAFT)
    a_quote(opportunity, "Q-2026-005", status=Status.ACCEPTED)
    text = card(opportunity)
    assert ">Expired</span>" in text
    assert "Expires in 3 days" in text
    assert "Expires tomorrow" in text
    assert ">Draft</span>" in text and ">Accepted</span>" in text
    assert "€9,500" in text
    assert "Accepted late? Re-issue" in text
    assert "Mark as sent" in text


def test_an_opportunity_without_quotes_opens_the_form(opportunity: Opportunity) -> None:
    text = card(opportunity)
    assert "No quotes yet." in text
    assert '<details class="spaced" open>' in text


# Adding a quote


def test_a_quote_is_added_as_sent_with_the_default_validity(
    owner_client: Client, opportunity: Opportunity
) -> None:
    url = reverse("quote_new", args=[opportunity.pk])
    response = owner_client.post(url, quote_data())
    assert response["Location"] == opportunity.get_absolute_url() + "#quotes"
    quote = Quote.objects.get()
    assert (quote.number, quote.amount, quote.status) == ("Q-2026-001", Decimal("11000"), "sent")
    assert (quote.sent_on, quote.valid_until) == (TODAY, dt.date(2026, 12, 30))
    assert "Quote Q-2026-001 sent, valid until" in owner_client.get(response["Location"]).text


def test_a_quote_can_be_saved_as_a_draft(owner_client: Client, opportunity: Opportunity) -> None:
    url = reverse("quote_new", args=[opportunity.pk])
    owner_client.post(url, quote_data(draft="1"))
    quote = Quote.objects.get()
    assert (quote.status, quote.sent_on) == (Status.DRAFT, None)


def test_the_new_quote_page_draws_the_proposed_quote(
    owner_client: Client, opportunity: Opportunity
) -> None:
    text = owner_client.get(reverse("quote_new", args=[opportunity.pk])).text
    assert 'value="Q-2026-001"' in text and 'value="2026-12-30"' in text


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (quote_data(number="Q-2026-001"), "number", "Another quote already has this number."),
        (quote_data(amount="-5"), "amount", "An amount can&#x27;t be negative."),
        (quote_data(valid_until="2026-11-01"), "valid_until", "expire before it is sent"),
        (quote_data(sent_on=""), "sent_on", "When was it sent? Or save it as a draft."),
        (quote_data(amount="lots"), "amount", "Enter a number."),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    owner_client: Client, opportunity: Opportunity, data: dict[str, str], field: str, error: str
) -> None:
    a_quote(opportunity, "Q-2026-001")
    response = owner_client.post(reverse("quote_new", args=[opportunity.pk]), data)
    assert response.status_code == 422
    assert error in response.text
    assert f'name="quote-{field}"' in response.text
    assert 'value="Q-2026-001"' in response.text
    assert Quote.objects.count() == 1


# Sending, accepting, declining, re-issuing


def test_a_draft_is_marked_as_sent(owner_client: Client, opportunity: Opportunity) -> None:
    draft = a_quote(opportunity, status=Status.DRAFT)
    response = owner_client.post(reverse("quote_send", args=[draft.pk]))
    assert response["Location"] == opportunity.get_absolute_url() + "#quotes"
    draft.refresh_from_db()
    assert (draft.status, draft.sent_on) == ("sent", TODAY)
    assert draft.valid_until == dt.date(2026, 12, 30)


def test_a_valid_quote_is_accepted_or_declined(
    owner_client: Client, opportunity: Opportunity
) -> None:
    yes, no = a_quote(opportunity, "Q-2026-001"), a_quote(opportunity, "Q-2026-002")
    owner_client.post(reverse("quote_accept", args=[yes.pk]))
    owner_client.post(reverse("quote_decline", args=[no.pk]), {"next": "/quotes/"})
    assert Quote.objects.get(pk=yes.pk).status == Status.ACCEPTED
    assert Quote.objects.get(pk=no.pk).status == Status.DECLINED


def test_accepting_an_expired_quote_is_refused_and_offers_to_reissue(
    owner_client: Client, opportunity: Opportunity
) -> None:
    quote = a_quote(opportunity, days_left=-1)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quote_reissue", args=[quote.pk])
    assert "This quote has expired, so it can&#x27;t be accepted as it is." in response.text
    assert "Re-issue and send" in response.text
    assert Quote.objects.get(pk=quote.pk).status == Status.SENT


def test_a_refused_late_acceptance_from_the_list_keeps_the_way_back(
    owner_client: Client, opportunity: Opportunity
) -> None:
    quote = a_quote(opportunity, days_left=-1)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), {"next": "/quotes/"})
    assert response["Location"] == reverse("quote_reissue", args=[quote.pk]) + "?next=%2Fquotes%2F"
    text = owner_client.get(response["Location"]).text
    assert '<input type="hidden" name="next" value="/quotes/">' in text


def test_accepting_an_answered_quote_again_is_refused(
    owner_client: Client, opportunity: Opportunity
) -> None:
    quote = a_quote(opportunity, status=Status.DECLINED)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), follow=True)
    assert "Only a sent quote can be accepted" in response.text
    assert Quote.objects.get(pk=quote.pk).status == Status.DECLINED


def test_reissuing_proposes_the_same_terms_with_a_new_number_and_dates(
    owner_client: Client, opportunity: Opportunity
) -> None:
    old = a_quote(opportunity, "Q-2026-007", days_left=-5, amount=Decimal("8800"))
    text = owner_client.get(reverse("quote_reissue", args=[old.pk])).text
    assert "Re-issue quote Q-2026-007" in text
    assert 'value="Q-2026-008"' in text and 'value="8800.00"' in text
    assert 'value="2026-11-30"' in text and 'value="2026-12-30"' in text


def test_a_reissued_quote_supersedes_the_old_one_and_goes_back_where_asked(
    owner_client: Client, opportunity: Opportunity
) -> None:
    old = a_quote(opportunity, "Q-2026-007", days_left=-5)
    url = reverse("quote_reissue", args=[old.pk])
    response = owner_client.post(url, quote_data("Q-2026-008", amount="8000", next="/"))
    assert response["Location"] == "/"
    new = Quote.objects.get(number="Q-2026-008")
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (Status.SUPERSEDED, new)
    assert (new.status, new.valid_until, new.amount) == (
        "sent",
        dt.date(2026, 12, 30),
        Decimal(8000),
    )


def test_a_bad_reissue_keeps_the_old_quote_as_it_was(
    owner_client: Client, opportunity: Opportunity
) -> None:
    old = a_quote(opportunity, "Q-2026-007", days_left=-5)
    url = reverse("quote_reissue", args=[old.pk])
    response = owner_client.post(url, quote_data("Q-2026-007"))
    assert response.status_code == 422
    assert "Another quote already has this number." in response.text
    assert Quote.objects.get().status == Status.SENT


def test_an_answered_quote_cant_be_reissued(owner_client: Client, opportunity: Opportunity) -> None:
    quote = a_quote(opportunity, status=Status.ACCEPTED)
    response = owner_client.get(reverse("quote_reissue", args=[quote.pk]))
    assert response["Location"] == opportunity.get_absolute_url() + "#quotes"


def test_next_never_leads_off_the_site(owner_client: Client, opportunity: Opportunity) -> None:
    quote = a_quote(opportunity)
    data = {"next": "https://evil.example/"}
    response = owner_client.post(reverse("quote_decline", args=[quote.pk]), data)
    assert response["Location"] == opportunity.get_absolute_url() + "#quotes"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("quote_send", "post"),
        ("quote_accept", "post"),
        ("quote_decline", "post"),
        ("quote_reissue", "get"),
        ("quote_reissue", "post"),
    ],
)
def test_an_outsider_gets_404_on_every_quote_action(
    outsider_client: Client, opportunity: Opportunity, name: str, method: str
) -> None:
    quote = a_quote(opportunity, status=Status.DRAFT if name == "quote_send" else Status.SENT)
    response = getattr(outsider_client, method)(reverse(name, args=[quote.pk]), quote_data("X"))
    assert response.status_code == 404
    assert Quote.objects.get().status == quote.status


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_cant_add_a_quote_to_someone_elses_opportunity(
    outsider_client: Client, opportunity: Opportunity, method: str
) -> None:
    url = reverse("quote_new", args=[opportunity.pk])
    assert getattr(outsider_client, method)(url, quote_data()).status_code == 404
    assert not Quote.objects.exists()
