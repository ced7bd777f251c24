"""Quotes that expire (METHOD.md §4): the rules, the writes, the pages and Today's card."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.quotes import actions, rules
from funnel.quotes.facts import quotes_for_today
from funnel.quotes.models import Quote
from funnel.quotes.page import quotes_context
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Opportunity
from tests.test_query_counts import assert_same_queries_when_the_data_grows

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # Monday
TODAY = NOW.date()
Status = Quote.Status


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def a_quote(opportunity, number="Q-2026-001", *, status=Status.SENT, days_left=20, **fields):
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


def standing(status="sent", valid_until=None):
    return rules.standing(status=status, valid_until=valid_until, today=TODAY)


def quote_data(number="Q-2026-001", amount="11000", sent_on="2026-11-30", valid_until="", **more):
    data = {
        "quote-number": number,
        "quote-amount": amount,
        "quote-currency": "EUR",
        "quote-sent_on": sent_on,
        "quote-valid_until": valid_until,
    }
    data.update(more)
    return data


# The rules, with fixed dates


def test_a_sent_quote_is_valid_through_its_last_day_and_expired_the_day_after():
    assert standing(valid_until=TODAY) == rules.Standing("sent", 0)
    assert standing(valid_until=TODAY - dt.timedelta(days=1)).status == rules.EXPIRED
    assert rules.effective_status(status="sent", valid_until=dt.date(2026, 11, 1), today=TODAY) == (
        "expired"
    )


@pytest.mark.parametrize("status", ["draft", "accepted", "declined", "superseded"])
def test_only_a_sent_quote_expires(status):
    assert standing(status, TODAY - dt.timedelta(days=90)) == rules.Standing(status)


@pytest.mark.parametrize(
    ("days_left", "soon"), [(0, True), (7, True), (8, False), (-1, False), (30, False)]
)
def test_a_quote_is_expiring_soon_within_seven_days_and_not_once_expired(days_left, soon):
    valid_until = TODAY + dt.timedelta(days=days_left)
    assert rules.is_expiring_soon(status="sent", valid_until=valid_until, today=TODAY) is soon


def test_a_quote_is_valid_for_the_users_days_from_when_it_is_sent():
    assert rules.default_valid_until(dt.date(2026, 11, 30), 30) == dt.date(2026, 12, 30)
    assert rules.default_valid_until(dt.date(2026, 2, 20), 14) == dt.date(2026, 3, 6)


def test_the_next_number_follows_the_years_highest_and_ignores_other_numbering():
    assert rules.next_number(2026, []) == "Q-2026-001"
    numbers = ["Q-2026-002", "Q-2026-013", "Q-2025-090", "OFFER-7", "Q-2026-13b"]
    assert rules.next_number(2026, numbers) == "Q-2026-014"
    assert rules.next_number(2026, ["Q-2026-999"]) == "Q-2026-1000"


def test_an_expired_quote_cant_be_accepted_and_the_refusal_offers_to_reissue():
    expired = standing(valid_until=TODAY - dt.timedelta(days=1))
    assert "Re-issue it" in rules.refusal(action="accept", current=expired)
    assert rules.refusal(action="reissue", current=expired) is None
    assert rules.refusal(action="decline", current=expired) is None


def test_what_each_quote_allows():
    assert rules.refusal(action="accept", current=standing(valid_until=TODAY)) is None
    assert rules.refusal(action="send", current=standing("draft")) is None
    assert "send it first" in rules.refusal(action="accept", current=standing("draft"))
    assert rules.refusal(action="send", current=standing(valid_until=TODAY)) == (
        "This quote has already been sent."
    )
    for done in ["accepted", "declined", "superseded"]:
        assert rules.refusal(action="reissue", current=standing(done)) == (
            "Only a sent quote can be accepted, declined or re-issued."
        )


# The writes


def test_a_sent_quote_without_a_valid_until_date_gets_the_default(opportunity):
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


def test_sending_a_draft_dates_it_today(opportunity):
    draft = a_quote(opportunity, status=Status.DRAFT)
    actions.send_quote(quote=draft, today=TODAY, valid_days=14)
    draft.refresh_from_db()
    assert (draft.status, draft.sent_on) == ("sent", TODAY)
    assert draft.valid_until == dt.date(2026, 12, 14)


def test_accepting_an_expired_quote_is_refused_and_changes_nothing(opportunity):
    quote = a_quote(opportunity, days_left=-1)
    with pytest.raises(actions.Refused, match="Re-issue it"):
        actions.accept_quote(quote=quote, today=TODAY)
    quote.refresh_from_db()
    assert quote.status == Status.SENT


def test_reissuing_sends_a_new_quote_that_supersedes_the_old_one(opportunity):
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


def test_a_quote_changed_in_the_meantime_is_not_changed_twice(opportunity):
    quote = a_quote(opportunity)
    stale = Quote.objects.get(pk=quote.pk)
    actions.decline_quote(quote=quote, today=TODAY)
    with pytest.raises(actions.Refused, match="changed in the meantime"):
        actions.accept_quote(quote=stale, today=TODAY)
    assert Quote.objects.get(pk=quote.pk).status == Status.DECLINED


def test_a_refused_reissue_leaves_no_new_quote(opportunity):
    accepted = a_quote(opportunity, status=Status.ACCEPTED)
    new = Quote(number="Q-2026-002", amount=1, currency="EUR", sent_on=TODAY, valid_until=TODAY)
    with pytest.raises(actions.Refused):
        actions.reissue_quote(quote=accepted, new=new, today=TODAY)
    assert Quote.objects.count() == 1


# The Quotes card on the opportunity's page


def card(opportunity):
    context = {"opportunity": opportunity, **quotes_context(opportunity)}
    return render_to_string("quotes/opportunity_card.html", context)


def test_the_card_proposes_the_next_number_the_opportunitys_value_and_the_default_validity(
    owner, opportunity
):
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


def test_the_card_shows_where_each_quote_stands_with_its_actions(opportunity):
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


def test_an_opportunity_without_quotes_opens_the_form(opportunity):
    text = card(opportunity)
    assert "No quotes yet." in text
    assert '<details class="spaced" open>' in text


# Adding a quote


def test_a_quote_is_added_as_sent_with_the_default_validity(owner_client, opportunity):
    url = reverse("quote_new", args=[opportunity.pk])
    response = owner_client.post(url, quote_data())
    assert response.url == opportunity.get_absolute_url() + "#quotes"
    quote = Quote.objects.get()
    assert (quote.number, quote.amount, quote.status) == ("Q-2026-001", Decimal("11000"), "sent")
    assert (quote.sent_on, quote.valid_until) == (TODAY, dt.date(2026, 12, 30))
    assert "Quote Q-2026-001 sent, valid until" in owner_client.get(response.url).text


def test_a_quote_can_be_saved_as_a_draft(owner_client, opportunity):
    url = reverse("quote_new", args=[opportunity.pk])
    owner_client.post(url, quote_data(draft="1"))
    quote = Quote.objects.get()
    assert (quote.status, quote.sent_on) == (Status.DRAFT, None)


def test_the_new_quote_page_draws_the_proposed_quote(owner_client, opportunity):
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
    owner_client, opportunity, data, field, error
):
    a_quote(opportunity, "Q-2026-001")
    response = owner_client.post(reverse("quote_new", args=[opportunity.pk]), data)
    assert response.status_code == 422
    assert error in response.text
    assert f'name="quote-{field}"' in response.text
    assert 'value="Q-2026-001"' in response.text
    assert Quote.objects.count() == 1


# Sending, accepting, declining, re-issuing


def test_a_draft_is_marked_as_sent(owner_client, opportunity):
    draft = a_quote(opportunity, status=Status.DRAFT)
    response = owner_client.post(reverse("quote_send", args=[draft.pk]))
    assert response.url == opportunity.get_absolute_url() + "#quotes"
    draft.refresh_from_db()
    assert (draft.status, draft.sent_on) == ("sent", TODAY)
    assert draft.valid_until == dt.date(2026, 12, 30)


def test_a_valid_quote_is_accepted_or_declined(owner_client, opportunity):
    yes, no = a_quote(opportunity, "Q-2026-001"), a_quote(opportunity, "Q-2026-002")
    owner_client.post(reverse("quote_accept", args=[yes.pk]))
    owner_client.post(reverse("quote_decline", args=[no.pk]), {"next": "/quotes/"})
    assert Quote.objects.get(pk=yes.pk).status == Status.ACCEPTED
    assert Quote.objects.get(pk=no.pk).status == Status.DECLINED


def test_accepting_an_expired_quote_is_refused_and_offers_to_reissue(owner_client, opportunity):
    quote = a_quote(opportunity, days_left=-1)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quote_reissue", args=[quote.pk])
    assert "This quote has expired, so it can&#x27;t be accepted as it is." in response.text
    assert "Re-issue and send" in response.text
    assert Quote.objects.get(pk=quote.pk).status == Status.SENT


def test_a_refused_late_acceptance_from_the_list_keeps_the_way_back(owner_client, opportunity):
    quote = a_quote(opportunity, days_left=-1)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), {"next": "/quotes/"})
    assert response.url == reverse("quote_reissue", args=[quote.pk]) + "?next=%2Fquotes%2F"
    text = owner_client.get(response.url).text
    assert '<input type="hidden" name="next" value="/quotes/">' in text


def test_accepting_an_answered_quote_again_is_refused(owner_client, opportunity):
    quote = a_quote(opportunity, status=Status.DECLINED)
    response = owner_client.post(reverse("quote_accept", args=[quote.pk]), follow=True)
    assert "Only a sent quote can be accepted" in response.text
    assert Quote.objects.get(pk=quote.pk).status == Status.DECLINED


def test_reissuing_proposes_the_same_terms_with_a_new_number_and_dates(owner_client, opportunity):
    old = a_quote(opportunity, "Q-2026-007", days_left=-5, amount=Decimal("8800"))
    text = owner_client.get(reverse("quote_reissue", args=[old.pk])).text
    assert "Re-issue quote Q-2026-007" in text
    assert 'value="Q-2026-008"' in text and 'value="8800.00"' in text
    assert 'value="2026-11-30"' in text and 'value="2026-12-30"' in text


def test_a_reissued_quote_supersedes_the_old_one_and_goes_back_where_asked(
    owner_client, opportunity
):
    old = a_quote(opportunity, "Q-2026-007", days_left=-5)
    url = reverse("quote_reissue", args=[old.pk])
    response = owner_client.post(url, quote_data("Q-2026-008", amount="8000", next="/"))
    assert response.url == "/"
    new = Quote.objects.get(number="Q-2026-008")
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (Status.SUPERSEDED, new)
    assert (new.status, new.valid_until, new.amount) == ("sent", dt.date(2026, 12, 30), 8000)


def test_a_bad_reissue_keeps_the_old_quote_as_it_was(owner_client, opportunity):
    old = a_quote(opportunity, "Q-2026-007", days_left=-5)
    url = reverse("quote_reissue", args=[old.pk])
    response = owner_client.post(url, quote_data("Q-2026-007"))
    assert response.status_code == 422
    assert "Another quote already has this number." in response.text
    assert Quote.objects.get().status == Status.SENT


def test_an_answered_quote_cant_be_reissued(owner_client, opportunity):
    quote = a_quote(opportunity, status=Status.ACCEPTED)
    response = owner_client.get(reverse("quote_reissue", args=[quote.pk]))
    assert response.url == opportunity.get_absolute_url() + "#quotes"


def test_next_never_leads_off_the_site(owner_client, opportunity):
    quote = a_quote(opportunity)
    data = {"next": "https://evil.example/"}
    response = owner_client.post(reverse("quote_decline", args=[quote.pk]), data)
    assert response.url == opportunity.get_absolute_url() + "#quotes"


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
def test_an_outsider_gets_404_on_every_quote_action(outsider_client, opportunity, name, method):
    quote = a_quote(opportunity, status=Status.DRAFT if name == "quote_send" else Status.SENT)
    response = getattr(outsider_client, method)(reverse(name, args=[quote.pk]), quote_data("X"))
    assert response.status_code == 404
    assert Quote.objects.get().status == quote.status


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_cant_add_a_quote_to_someone_elses_opportunity(
    outsider_client, opportunity, method
):
    url = reverse("quote_new", args=[opportunity.pk])
    assert getattr(outsider_client, method)(url, quote_data()).status_code == 404
    assert not Quote.objects.exists()


# The quote list


@pytest.fixture
def some_quotes(opportunity, make_opportunity):
    return {
        "expired": a_quote(opportunity, "Q-2026-001", days_left=-4),
        "soon": a_quote(opportunity, "Q-2026-002", days_left=2),
        "later": a_quote(opportunity, "Q-2026-003", days_left=25),
        "draft": a_quote(opportunity, "Q-2026-004", status=Status.DRAFT),
        "accepted": a_quote(opportunity, "Q-2026-005", status=Status.ACCEPTED),
        "other": a_quote(make_opportunity("Catalogue"), "OFFER-77", days_left=40),
    }


def numbers_on(client, **params):
    response = client.get(reverse("quote_list"), params)
    assert response.status_code == 200
    listing = response.context["listing"]
    return [quote.number for quote in listing.page.object_list]


@pytest.mark.parametrize(
    ("status", "numbers"),
    [
        ("open", ["Q-2026-001", "Q-2026-002", "Q-2026-003", "OFFER-77"]),
        ("expired", ["Q-2026-001"]),
        ("expiring", ["Q-2026-002"]),
        ("draft", ["Q-2026-004"]),
        ("accepted", ["Q-2026-005"]),
        ("superseded", []),
    ],
)
def test_the_quote_list_filters_by_where_quotes_stand_soonest_to_expire_first(
    owner_client, some_quotes, status, numbers
):
    assert numbers_on(owner_client, status=status) == numbers


def test_the_quote_list_shows_open_quotes_first_and_all_on_request(owner_client, some_quotes):
    assert numbers_on(owner_client) == numbers_on(owner_client, status="open")
    assert len(numbers_on(owner_client, status="all")) == 6
    assert numbers_on(owner_client, status="nonsense") == numbers_on(owner_client, status="all")
    assert numbers_on(owner_client, status="all") == [  # soonest to expire first, drafts last
        "Q-2026-001",
        "Q-2026-002",
        "Q-2026-005",
        "Q-2026-003",
        "OFFER-77",
        "Q-2026-004",
    ]


def test_the_quote_list_counts_each_filter(owner_client, some_quotes):
    filters = owner_client.get(reverse("quote_list")).context["filters"]
    counts = {key: count for key, _label, count in filters}
    assert counts == {
        "open": 4,
        "expiring": 1,
        "expired": 1,
        "draft": 1,
        "accepted": 1,
        "declined": 0,
        "superseded": 0,
        "all": 6,
    }


def test_the_quote_list_searches_by_number_or_customer(owner_client, some_quotes):
    assert numbers_on(owner_client, status="all", q="offer") == ["OFFER-77"]
    assert len(numbers_on(owner_client, status="all", q="Ferretti")) == 6
    assert numbers_on(owner_client, status="all", q="catalogue") == ["OFFER-77"]


def test_the_quote_list_shows_badges_and_actions(owner_client, some_quotes):
    text = owner_client.get(reverse("quote_list"), {"status": "all"}).text
    assert "Expires in 2 days" in text and ">Expired</span>" in text
    assert 'name="next" value="/quotes/?status=all"' in text


def test_an_outsider_sees_none_of_the_owners_quotes(outsider_client, some_quotes):
    assert numbers_on(outsider_client, status="all") == []


def test_the_quote_list_makes_as_many_queries_for_30_quotes_as_for_3(
    owner_client, opportunity, django_assert_num_queries
):
    def add_rows(indexes: range) -> None:
        for index in indexes:
            a_quote(opportunity, f"Row {index:02}", days_left=index - 5)

    assert_same_queries_when_the_data_grows(
        owner_client,
        reverse("quote_list"),
        add_rows,
        django_assert_num_queries,
        status="all",
        sort="-number",
    )


def test_the_card_makes_as_many_queries_for_30_quotes_as_for_3(opportunity):
    def queries() -> int:
        fresh = Opportunity.objects.select_related("owner__profile", "team").get(pk=opportunity.pk)
        with CaptureQueriesContext(connection) as captured:
            card(fresh)
        return len(captured)

    for index in range(3):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index - 1)
    few = queries()
    for index in range(3, 30):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index - 1)
    assert queries() == few


# Today


@pytest.fixture
def outsider_opportunity(outsider, outsider_organisation):
    opportunity = Opportunity(
        team=outsider.profile.team,
        owner=outsider,
        title="Mallory's deal",
        organisation=outsider_organisation,
        currency="EUR",
    )
    return create_opportunity(opportunity=opportunity, by=outsider)


def test_today_shows_the_users_sent_quotes_expiring_within_a_week_or_expired_soonest_first(
    owner, opportunity, outsider_opportunity
):
    a_quote(opportunity, "Q-2026-001", days_left=6)
    a_quote(opportunity, "Q-2026-002", days_left=-30)
    a_quote(opportunity, "Q-2026-003", days_left=0)
    a_quote(opportunity, "Q-2026-004", days_left=8)  # not yet
    a_quote(opportunity, "Q-2026-005", status=Status.ACCEPTED, days_left=-1)
    a_quote(opportunity, "Q-2026-006", status=Status.DECLINED, days_left=-1)
    a_quote(opportunity, "Q-2026-007", status=Status.SUPERSEDED, days_left=-1)
    a_quote(opportunity, "Q-2026-008", status=Status.DRAFT)
    a_quote(outsider_opportunity, "Q-2026-009", days_left=1)
    today = quotes_for_today(owner, TODAY)
    assert [line.quote.number for line in today.lines] == ["Q-2026-002", "Q-2026-003", "Q-2026-001"]
    assert (today.total, today.more) == (3, 0)
    assert [line.standing.status for line in today.lines] == ["expired", "sent", "sent"]


def test_today_shows_a_bounded_few_and_counts_the_rest(owner, opportunity):
    for index in range(14):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=index % 8 - 4)
    today = quotes_for_today(owner, TODAY)
    assert (len(today.lines), today.total, today.more) == (10, 14, 4)


def test_todays_quotes_take_as_many_queries_for_30_as_for_3(owner, opportunity):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            quotes_for_today(owner, TODAY)
        return len(captured)

    for index in range(3):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=-index)
    queries()  # the first look reads the user's teams, and keeps them
    few = queries()
    for index in range(3, 30):
        a_quote(opportunity, f"Q-2026-{index:03}", days_left=-index)
    assert queries() == few


def test_todays_card_offers_to_follow_up_or_reissue(owner, opportunity):
    expiring = a_quote(opportunity, "Q-2026-001", days_left=5)
    expired = a_quote(opportunity, "Q-2026-002", days_left=-2)
    request = RequestFactory().get("/")
    request.user = owner
    context = {"today_quotes": quotes_for_today(owner, TODAY)}
    text = render_to_string("quotes/today_card.html", context, request=request)
    assert "Quotes expiring" in text and "2 quotes" in text
    assert "Expires in 5 days" in text and "Expired on" in text
    assert reverse("quote_reissue", args=[expired.pk]) + "?next=/" in text
    assert reverse("quote_reissue", args=[expiring.pk]) + "?next=/" in text
    assert reverse("opportunity_next_step", args=[opportunity.pk]) in text
    assert "Follow up" in text


def test_todays_card_is_empty_without_quotes_to_chase(owner):
    request = RequestFactory().get("/")
    text = render_to_string(
        "quotes/today_card.html", {"today_quotes": quotes_for_today(owner, TODAY)}, request=request
    )
    assert text.strip() == ""
