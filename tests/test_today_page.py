"""Today from the database and on its page: the agenda cut in SQL, the groups as the user
sees them, planning a follow-up from Today."""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership
from funnel.contacts.models import Organisation, Person
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.today.agenda import agenda_for, agenda_settings, candidates
from funnel.today.priorities import Urgency, build_agenda
from tests.conftest import PASSWORD
from tests.helpers import Response
from tests.today_helpers import NOW, SETTINGS, UTC, at, group, ids, later

ROME = zoneinfo.ZoneInfo("Europe/Rome")


# Loading from the database


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], dt.datetime]:
    """Stop the clock at a moment of the test's choosing (time-machine is not installed)."""

    def stop(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return stop


@pytest.fixture
def rome(owner: User) -> User:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return owner


def make_mixed_funnel(
    owner: User, make_opportunity: Callable[..., Opportunity], count: int = 30
) -> list[Opportunity]:
    """Opportunities at every open level with mixed values, fits and dues; some tie on weight."""
    team = owner.profile.team
    fits = [None, 95, 70, 50, 35, 20, 10, None, 80, 40]
    organisations = [
        Organisation.objects.create(team=team, name=f"Company {i}", fit_score=fit)
        for i, fit in enumerate(fits)
    ]
    dues = [
        None,
        NOW - dt.timedelta(days=3),
        NOW - dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
        NOW + dt.timedelta(hours=6),
        NOW + dt.timedelta(days=2),
        NOW + dt.timedelta(days=9),
    ]
    values = ["1000", "2000", "500", "1000", "12000.50", "0", "2500", "1000"]
    levels = [Level.ABOVE, Level.ABOVE, Level.IN, Level.BEST_FEW, Level.ABOVE]
    made = []
    for i in range(count):
        made.append(
            make_opportunity(
                f"Deal {i:02}",
                organisation=organisations[i % len(organisations)],
                level=levels[i % len(levels)],
                value=Decimal(values[i % len(values)]),
                next_step="Call",
                next_step_at=dues[i % len(dues)],
            )
        )
    person = Person.objects.create(team=team, name="Giulia", organisation=made[2].organisation)
    BuyingInfluence.objects.create(opportunity=made[2], person=person, role="economic")
    return made


def test_the_agenda_cut_in_sql_keeps_the_same_first_items_as_ordering_everything(
    owner: User,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    make_mixed_funnel(owner, make_opportunity)
    rows = list(Opportunity.objects.filter(owner=owner).select_related("organisation"))
    everything = build_agenda(
        candidates(rows), settings=agenda_settings(owner, NOW), totals={}, limit=None
    )
    for limit in [3, 5, None]:
        cut = agenda_for(owner, now=NOW, limit=limit)
        for full, limited in zip(everything.groups, cut.groups, strict=True):
            assert ids(limited) == ids(full)[:limit], (limit, full.group.key)
    assert [len(s.items) for s in agenda_for(owner, now=NOW, limit=5).groups] == [5, 5, 5, 0]


def test_equal_weights_with_cents_are_ordered_by_id_in_sql_as_in_python(
    owner: User,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    team = owner.profile.team
    fit_15 = Organisation.objects.create(team=team, name="Fit 15", fit_score=15)
    fit_33 = Organisation.objects.create(team=team, name="Fit 33", fit_score=33)
    first = make_opportunity("A", level=Level.IN, organisation=fit_15, value=Decimal("99342.76"))
    second = make_opportunity("B", level=Level.IN, organisation=fit_33, value=Decimal("45155.80"))
    expected = [first.pk, second.pk]  # both weigh 1,490,141.40: by id, as priority_key does
    rows = list(Opportunity.objects.filter(owner=owner).select_related("organisation"))
    in_python = build_agenda(candidates(rows), settings=agenda_settings(owner, NOW), totals={})
    assert ids(group(in_python, "in_funnel")) == expected
    assert ids(group(agenda_for(owner, now=NOW, limit=1), "in_funnel")) == expected[:1]


def test_the_agenda_counts_every_open_objective_and_the_poor_fits_left_out(
    owner: User, make_opportunity: Callable[..., Opportunity], organisation: Organisation
) -> None:
    team = owner.profile.team
    poor = Organisation.objects.create(team=team, name="Poor fit", fit_score=10)
    make_opportunity("Poor, nothing planned", organisation=poor)
    make_opportunity("Poor, due", organisation=poor, next_step_at=NOW - dt.timedelta(hours=1))
    make_opportunity("Good", organisation=organisation)
    make_opportunity("Won", level=Level.WON)
    prospecting = group(agenda_for(owner, now=NOW), "prospecting")
    assert [item.opportunity.title for item in prospecting.items] == ["Poor, due", "Good"]
    assert (prospecting.total, prospecting.left_out, prospecting.more) == (3, 1, 0)


def test_an_opportunity_with_only_a_main_contact_names_the_person_as_the_customer(
    owner: User, make_opportunity: Callable[..., Opportunity], person: Person
) -> None:
    make_opportunity("Coaching", organisation=None, main_contact=person)
    (item,) = agenda_for(owner, now=NOW).items
    assert item.opportunity.customer == "Giulia Ferretti"
    assert item.opportunity.fit_score is None


def test_a_step_at_half_past_eleven_tonight_is_due_today_in_rome(
    rome: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    # 00:30 on 1 December in Rome is still 30 November in UTC.
    now = dt.datetime(2026, 12, 1, 0, 30, tzinfo=ROME)
    due = dt.datetime(2026, 12, 1, 23, 30, tzinfo=ROME)
    make_opportunity("Evening call", next_step="Call", next_step_at=due)
    with timezone.override(ROME):
        (item,) = agenda_for(rome, now=now).items
    assert (item.urgency, item.kind) == (Urgency.DUE_TODAY, "next_step")
    with timezone.override(UTC):
        (item,) = agenda_for(rome, now=now).items
    assert item.urgency == Urgency.LATER  # the same moment, seen from a UTC day


# The Today page


def today_page(client: Client) -> Response:
    response = client.get(reverse("today"))
    assert response.status_code == 200
    return response


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


def test_the_page_shows_the_groups_in_order_with_what_to_do_and_why(
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    person: Person,
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    deal = make_opportunity("Consulting", level=Level.IN, next_step_at=later())
    make_opportunity(
        "Showroom", level=Level.BEST_FEW, next_step_at=later(), expected_close_on=SETTINGS.today
    )
    make_opportunity("Website", next_step_at=later())
    BuyingInfluence.objects.create(opportunity=deal, person=person, role="coach")
    page = today_page(owner_client).text
    assert in_order(page, "Close the Best few", "Prospect above the funnel", "Work the funnel")
    assert in_order(page, "Showroom", "Website", "Consulting")
    assert "Confirm and sign: expected to close on 11/30/2026." in page
    assert "Identify a buying influence, contact them" in page
    assert "Identify the economic buyer, who gives the final approval." in page


def test_an_overdue_step_has_a_badge_and_comes_first(
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    make_opportunity("Big deal", value=Decimal(90000), next_step_at=later())
    make_opportunity(
        "Forgotten", value=Decimal(10), next_step="Call Giulia", next_step_at=at(27, 9)
    )
    response = today_page(owner_client)
    page = response.text
    assert in_order(page, "Forgotten", "Missed", "Call Giulia (missed: it was due", "Big deal")
    assert page.count('class="badge badge-danger">Missed<') == 1


def test_an_account_with_nothing_to_do_explains_each_empty_group(
    owner_client: Client, organisation: Organisation
) -> None:
    page = today_page(owner_client).text
    assert "Nothing in Best few" in page
    assert "No prospects above the funnel. Prospect every week" in page
    assert "Nothing in the funnel: qualify a prospect" in page
    assert page.count("0 objectives") == 3
    assert "No nurture touch or after-sale step due." in page


def test_a_brand_new_account_is_welcomed_instead(owner_client: Client) -> None:
    page = today_page(owner_client).text
    assert "Welcome to Funnel" in page
    assert "Close the Best few" not in page


def test_beyond_five_items_the_page_links_to_the_board_for_the_rest(
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    for i in range(7):
        make_opportunity(f"Prospect {i:02}", next_step_at=later())
    response = today_page(owner_client)
    assert response.text.count('data-kind="qualify"') == 5
    assert f'<a href="{reverse("funnel_board")}">and 2 more on the board</a>' in response.text
    assert "7 objectives" in response.text


def test_poor_fits_left_out_are_mentioned(
    owner_client: Client,
    owner: User,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    poor = Organisation.objects.create(team=owner.profile.team, name="Poor", fit_score=10)
    make_opportunity("Not for us", organisation=poor)
    page = today_page(owner_client).text
    assert "1 poor fit left out of the suggestions." in page
    assert "Not for us" not in page
    assert "more on the board" not in page


def test_a_follow_up_can_be_planned_from_today_and_leads_back_to_today(
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(NOW)
    deal = make_opportunity("Website")
    action = reverse("opportunity_next_step", args=[deal.pk])
    assert f'hx-get="{action}?next=/today/"' in today_page(owner_client).text  # drawn when opened
    form = owner_client.get(f"{action}?next=/today/", headers={"HX-Request": "true"}).text
    assert f'action="{action}"' in form
    assert '<input type="hidden" name="next" value="/today/">' in form
    data = {
        "quick": "1",
        "next-purpose": "Call Giulia",
        "next-due_at": "2026-12-02T09:30",
        "next-channel": "phone",
        "next": "/today/",
    }
    response = owner_client.post(action, data, follow=True)
    assert response.redirect_chain == [("/today/", 302)]
    assert "Follow-up planned for Website." in response.text
    deal.refresh_from_db()
    assert (deal.next_step, deal.next_step_at) == ("Call Giulia", at(2, 9, 30, month=12))
    assert "No follow-up planned." not in response.text


def test_scheduling_never_sends_the_user_to_another_site(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Website")
    data = {
        "quick": "1",
        "next-purpose": "Call",
        "next-due_at": "2026-12-02T09:30",
        "next-channel": "phone",
        "next": "https://evil.example/",
    }
    response = owner_client.post(reverse("opportunity_next_step", args=[deal.pk]), data)
    assert response["Location"] == deal.get_absolute_url() + "#follow-up"


def test_a_next_step_without_a_time_is_refused(
    owner_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Website")
    data = {"quick": "1", "next-purpose": "Call", "next-due_at": "", "next-channel": "phone"}
    response = owner_client.post(reverse("opportunity_next_step", args=[deal.pk]), data)
    assert response.status_code == 422
    assert "This field is required." in response.text
    deal.refresh_from_db()
    assert deal.next_step_at is None


def test_an_outsider_cannot_schedule_anothers_next_step(
    outsider_client: Client, opportunity: Opportunity
) -> None:
    data = {"next-purpose": "Spam", "next-due_at": "2026-12-02T09:30", "next-channel": "phone"}
    response = outsider_client.post(reverse("opportunity_next_step", args=[opportunity.pk]), data)
    assert response.status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.next_step == ""


def test_today_lists_only_the_users_own_opportunities(
    client: Client,
    owner: User,
    make_opportunity: Callable[..., Opportunity],
    outsider: User,
    outsider_organisation: Organisation,
) -> None:
    teammate = create_user(username="bruno", password=PASSWORD)
    Membership.objects.create(team=owner.profile.team, user=teammate)
    make_opportunity("Anna's deal")
    Opportunity.objects.create(
        team=owner.profile.team,
        owner=teammate,
        title="Bruno's deal",
        organisation=make_opportunity("x").organisation,
        currency="EUR",
    )
    Opportunity.objects.create(
        team=outsider.profile.team,
        owner=outsider,
        title="Mallory's deal",
        organisation=outsider_organisation,
        currency="EUR",
    )
    client.force_login(owner)
    page = today_page(client).text
    assert "Anna&#x27;s deal" in page
    assert "Bruno" not in page
    assert "Mallory" not in page


def test_a_step_due_at_half_past_eleven_tonight_shows_as_today_in_rome(
    rome: User,
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    clock(dt.datetime(2026, 12, 1, 0, 30, tzinfo=ROME))
    make_opportunity(
        "Evening call", next_step="Call", next_step_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=ROME)
    )
    page = today_page(owner_client).text
    assert '<span class="badge badge-warn">Today</span> Call (due today at 11:30 p.m.)' in page


def test_a_known_fit_shows_its_badge_on_today(
    owner_client: Client, owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    great = Organisation.objects.create(team=owner.profile.team, name="Great", fit_score=90)
    make_opportunity("Website", organisation=great)
    page = today_page(owner_client).text
    assert "Fit 90" in page
    assert "poor fit" not in page


def test_someone_elses_schedule_form_is_not_found(
    outsider_client: Client, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Website")
    url = reverse("opportunity_next_step", args=[deal.pk])
    assert outsider_client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_today_still_answers_after_a_win_while_another_won_deal_waits_for_delivery(
    owner: User,
    owner_client: Client,
    make_opportunity: Callable[..., Opportunity],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dated thank-you card and an undated "ask for the delivery date" meet in Keep in
    touch: the order between them is total, so Today and `funnel agenda` never break."""
    from funnel import cli
    from funnel.followup.actions import cancel
    from funnel.sales.actions import move_opportunity

    deals = [make_opportunity(title, level=Level.BEST_FEW) for title in ["Earlier", "New"]]
    for deal in deals:
        move_opportunity(opportunity=deal, to_level=Level.WON, by=owner, override_reason="Signed")
    # The earlier deal's thank-you card is sent: only its steps after delivery are left.
    cancel(follow_up=deals[0].follow_ups.planned().get(due_at__isnull=False))

    response = owner_client.get(reverse("today"))

    assert response.status_code == 200
    keep_in_touch = next(g for g in response.context["agenda"].groups if g.group == 4)
    assert [(item.opportunity.title, item.kind) for item in keep_in_touch.items] == [
        ("New", "post_sale"),
        ("Earlier", "delivery_date"),
    ]
    monkeypatch.setattr(cli, "migrate", lambda: None)
    assert cli.main(["agenda", "--user", owner.username]) == 0
    assert "ask for the delivery date" in capsys.readouterr().out
