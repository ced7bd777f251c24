"""Today: what to do now, in the method's order (METHOD.md §1, "Priorities")."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.accounts.actions import create_user
from funnel.accounts.models import Membership
from funnel.contacts.models import Organisation, Person
from funnel.sales.agenda import agenda_for, agenda_settings, candidates
from funnel.sales.models import BuyingInfluence, Level, Opportunity
from funnel.sales.priorities import (
    AgendaSettings,
    Candidate,
    Group,
    Urgency,
    build_agenda,
)
from funnel.sales.rules import InfluenceFacts, OpportunityFacts
from tests.conftest import PASSWORD

UTC = dt.UTC
ROME = zoneinfo.ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SETTINGS = AgendaSettings(
    now=NOW,
    end_of_today=dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
    today=dt.date(2026, 11, 30),
    cycle_days=90,
    poor_fit_below=40,
)
NO_NEXT_STEP = "No follow-up planned."
THIS_EVENING = dt.datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def economic(status: str = "satisfied", name: str = "Giulia") -> InfluenceFacts:
    return InfluenceFacts(name, "economic", status, fit_confirmed=True)


def a_candidate(
    id: int,
    level: str = Level.IN,
    *,
    value: int | str = 1000,
    fit: int | None = 60,
    due: dt.datetime | None = THIS_EVENING,
    next_step: str = "Call back",
    expected_close_on: dt.date | None = None,
    level_since: dt.date = SETTINGS.today,
    influences: tuple[InfluenceFacts, ...] = (),
) -> Candidate:
    return Candidate(
        id=id,
        title=f"Deal {id}",
        customer=f"Customer {id}",
        level=level,
        value=Decimal(value),
        currency="EUR",
        fit_score=fit,
        next_step=next_step,
        next_step_at=due,
        expected_close_on=expected_close_on,
        level_since=level_since,
        facts=OpportunityFacts(level, expected_close_on, influences),
    )


def later(days: int = 3) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def agenda(*members: Candidate, limit: int | None = None, **totals: int):
    """build_agenda as agenda_for calls it; totals by group key, when a test cares."""
    by_group = {group: totals[group.key] for group in Group if group.key in totals}
    return build_agenda(members, settings=SETTINGS, totals=by_group, limit=limit)


def ids(summary) -> list[int]:
    return [item.opportunity.id for item in summary.items]


def group(result, key: str):
    return next(summary for summary in result.groups if summary.group.key == key)


# The order of work: groups, then urgency, then value times fit


def test_best_few_come_first_then_prospecting_then_the_funnel():
    result = agenda(
        a_candidate(1, Level.IN), a_candidate(2, Level.ABOVE), a_candidate(3, Level.BEST_FEW)
    )
    assert [summary.group.key for summary in result.groups] == [
        "best_few",
        "prospecting",
        "in_funnel",
        "keep_in_touch",
    ]
    assert [item.opportunity.id for item in result.items] == [3, 2, 1]
    assert [int(item.group) for item in result.items] == [1, 2, 3]


def test_closed_and_parked_objectives_are_not_on_the_agenda():
    levels = [Level.WON, Level.LOST, Level.DEAD, Level.NURTURE]
    result = agenda(*(a_candidate(i, level) for i, level in enumerate(levels, start=1)))
    assert result.items == []


def test_overdue_comes_before_due_today_before_the_rest_each_soonest_first():
    result = agenda(
        a_candidate(1, value=90000, due=later()),
        a_candidate(2, value=10, due=at(30, 15)),  # due today, later in the day
        a_candidate(3, value=10, due=at(30, 11)),  # due today, sooner
        a_candidate(4, value=10, due=at(30, 9)),  # overdue since this morning
        a_candidate(5, value=10, due=at(27, 9)),  # overdue for days
        a_candidate(6, value=50000, due=None),
    )
    summary = group(result, "in_funnel")
    assert ids(summary) == [5, 4, 3, 2, 1, 6]
    assert [item.urgency for item in summary.items] == [
        Urgency.OVERDUE,
        Urgency.OVERDUE,
        Urgency.DUE_TODAY,
        Urgency.DUE_TODAY,
        Urgency.LATER,
        Urgency.LATER,
    ]
    assert [item.overdue for item in summary.items] == [True, True, False, False, False, False]


def test_a_step_due_right_now_is_due_today_and_one_due_at_midnight_is_for_tomorrow():
    result = agenda(a_candidate(1, due=NOW), a_candidate(2, due=SETTINGS.end_of_today))
    first, second = group(result, "in_funnel").items
    assert (first.opportunity.id, first.urgency, first.kind) == (1, Urgency.DUE_TODAY, "next_step")
    assert (second.opportunity.id, second.urgency) == (2, Urgency.LATER)
    assert second.kind != "next_step"


def test_without_anything_due_the_largest_value_times_fit_comes_first():
    result = agenda(
        a_candidate(1, value=1000, fit=90, due=later()),  # 90,000
        a_candidate(2, value=2000, fit=None, due=later()),  # unknown fit counts as 50: 100,000
        a_candidate(3, value=3000, fit=20, due=later()),  # 60,000
        a_candidate(4, value=1500, fit=40, due=later()),  # 60,000, a tie broken by id
    )
    assert ids(group(result, "in_funnel")) == [2, 1, 3, 4]


def test_an_unknown_fit_counts_as_50_not_as_0():
    result = agenda(
        a_candidate(1, value=1000, fit=49, due=later()),
        a_candidate(2, value=1000, fit=None, due=later()),
        a_candidate(3, value=1000, fit=51, due=later()),
    )
    assert ids(group(result, "in_funnel")) == [3, 2, 1]


def test_equal_weights_keep_a_stable_order_by_id():
    result = agenda(*(a_candidate(i, value=500, fit=50, due=later()) for i in (7, 3, 5)))
    assert ids(group(result, "in_funnel")) == [3, 5, 7]


# Poor fits (METHOD.md §1, "The ideal customer")


def test_poor_fits_above_the_funnel_are_not_suggested_for_prospecting():
    result = agenda(
        a_candidate(1, Level.ABOVE, fit=39, due=later()),
        a_candidate(2, Level.ABOVE, fit=40, due=later()),
        a_candidate(3, Level.ABOVE, fit=None, due=None),
    )
    assert ids(group(result, "prospecting")) == [3, 2]  # unknown fit counts as 50 > 40


def test_a_poor_fit_with_a_step_due_today_or_overdue_stays_on_the_agenda():
    result = agenda(
        a_candidate(1, Level.ABOVE, fit=10, due=at(30, 16)),
        a_candidate(2, Level.ABOVE, fit=10, due=at(29, 9)),
        a_candidate(3, Level.ABOVE, fit=10, due=later()),
    )
    summary = group(result, "prospecting")
    assert ids(summary) == [2, 1]
    assert [(item.kind, item.overdue) for item in summary.items] == [
        ("next_step", True),
        ("next_step", False),
    ]


def test_a_poor_fit_already_in_the_funnel_is_still_worked():
    result = agenda(a_candidate(1, Level.IN, fit=5), a_candidate(2, Level.BEST_FEW, fit=5))
    assert [item.opportunity.id for item in result.items] == [2, 1]


def test_the_poor_fits_left_out_are_counted_apart_from_the_more_on_the_board():
    members = [a_candidate(i, Level.ABOVE, due=later()) for i in range(1, 4)]
    result = build_agenda(
        members,
        settings=SETTINGS,
        totals={Group.PROSPECTING: 7},
        left_out={Group.PROSPECTING: 2},
        limit=2,
    )
    summary = group(result, "prospecting")
    assert (summary.total, len(summary.items), summary.left_out, summary.more) == (7, 2, 2, 3)


# Limit and "more"


def test_each_group_keeps_its_first_items_and_counts_the_rest_as_more():
    members = [a_candidate(i, Level.ABOVE, value=100 * i, due=later()) for i in range(1, 6)]
    members += [a_candidate(10, Level.BEST_FEW)]
    result = agenda(*members, limit=2, prospecting=5, best_few=1)
    prospecting, best_few = group(result, "prospecting"), group(result, "best_few")
    assert ids(prospecting) == [5, 4]
    assert (prospecting.total, prospecting.more) == (5, 3)
    assert (best_few.total, best_few.more, len(best_few.items)) == (1, 0, 1)


def test_without_a_limit_every_item_is_kept():
    members = [a_candidate(i, value=i) for i in range(1, 16)]
    summary = group(agenda(*members), "in_funnel")
    assert len(summary.items) == 15
    assert summary.more == 0


def test_groups_with_nothing_in_them_are_still_listed_with_what_to_do_about_it():
    result = agenda()
    assert [(s.group.key, s.items, s.total, s.more) for s in result.groups] == [
        ("best_few", [], 0, 0),
        ("prospecting", [], 0, 0),
        ("in_funnel", [], 0, 0),
        ("keep_in_touch", [], 0, 0),
    ]
    assert "Prospect every week" in result.groups[1].group.when_empty
    assert "Best few" in result.groups[0].group.when_empty
    assert "qualify a prospect" in result.groups[2].group.when_empty


# What to do, and why


def test_a_due_step_is_the_thing_to_do_and_says_since_when_it_is_overdue():
    result = agenda(
        a_candidate(1, next_step="Send the offer", due=at(29, 9)),
        a_candidate(2, next_step="", due=at(30, 15)),
    )
    overdue, today = group(result, "in_funnel").items
    assert (overdue.kind, overdue.overdue, today.kind) == ("next_step", True, "next_step")
    assert overdue.reason.startswith("Send the offer (missed: it was due ")
    assert "11/29/2026" in overdue.reason
    assert today.reason.startswith("Follow up (due today at ")
    assert today.due == at(30, 15)


def test_a_prospect_without_influences_is_to_be_qualified_by_finding_one():
    (item,) = agenda(a_candidate(1, Level.ABOVE, due=later())).items
    assert (item.kind, item.move_to) == ("qualify", Level.IN)
    assert item.reason == (
        "Identify a buying influence, contact them and confirm the fit with them."
    )


def test_a_prospect_whose_fit_is_confirmed_is_ready_to_move_into_the_funnel():
    contacted = InfluenceFacts("Giulia", "user", "contacted", fit_confirmed=True)
    (item,) = agenda(a_candidate(1, Level.ABOVE, due=later(), influences=(contacted,))).items
    assert item.kind == "move"
    assert "move it into the funnel" in item.reason


def test_in_the_funnel_the_missing_economic_buyer_is_named_first():
    coach = InfluenceFacts("Paolo", "coach", "satisfied", fit_confirmed=True)
    (item,) = agenda(a_candidate(1, due=later(), influences=(coach,))).items
    assert (item.kind, item.move_to) == ("identify_influence", Level.BEST_FEW)
    assert item.reason == "Identify the economic buyer, who gives the final approval."


def test_in_the_funnel_an_unsatisfied_influence_is_named():
    influences = (economic(), InfluenceFacts("Paolo", "technical", "contacted", False))
    (item,) = agenda(a_candidate(1, due=later(), influences=influences)).items
    assert item.kind == "satisfy_influence"
    assert item.reason == "Satisfy Paolo: their needs are not met yet."


def test_in_the_funnel_with_everyone_satisfied_the_close_date_is_what_is_missing():
    (item,) = agenda(a_candidate(1, due=later(), influences=(economic(),))).items
    assert (item.kind, item.reason) == ("schedule_close", "Set an expected close date.")


def test_in_the_funnel_with_everything_in_place_it_is_ready_for_best_few():
    close = SETTINGS.today + dt.timedelta(days=20)
    candidate = a_candidate(1, due=later(), influences=(economic(),), expected_close_on=close)
    (item,) = agenda(candidate).items
    assert item.kind == "move"
    assert item.reason == "Every buying influence is satisfied: move it to Best few."


def test_best_few_are_to_be_closed_on_their_expected_date():
    with_date = a_candidate(1, Level.BEST_FEW, due=later(), expected_close_on=dt.date(2026, 12, 9))
    without = a_candidate(2, Level.BEST_FEW, value=1, due=later())
    first, second = agenda(with_date, without).items
    assert (first.kind, first.move_to) == ("close", Level.WON)
    assert first.reason == "Confirm and sign: expected to close on 12/09/2026."
    assert second.reason == "Confirm and sign: agree on a close date."


# Warnings


def test_a_best_few_past_its_close_date_or_there_too_long_warns_of_drift():
    drifting = a_candidate(
        1,
        Level.BEST_FEW,
        due=later(),
        expected_close_on=dt.date(2026, 11, 20),
        level_since=dt.date(2026, 10, 1),
    )
    (item,) = agenda(drifting).items
    assert item.warnings == (
        "Its expected close, 11/20/2026, has passed.",
        "In Best few for 60 days, more than half your normal sales cycle.",
    )


def test_a_fresh_best_few_on_time_has_no_warnings():
    (item,) = agenda(
        a_candidate(1, Level.BEST_FEW, due=later(), expected_close_on=dt.date(2026, 12, 5))
    ).items
    assert item.warnings == ()


def test_drift_is_only_about_best_few():
    stale = a_candidate(
        1, due=later(), expected_close_on=dt.date(2026, 1, 1), level_since=dt.date(2025, 1, 1)
    )
    (item,) = agenda(stale).items
    assert item.warnings == ()


def test_an_objective_without_a_next_step_says_so():
    result = agenda(a_candidate(1, due=None), a_candidate(2, Level.BEST_FEW, due=None))
    assert [item.warnings[-1] for item in result.items] == [NO_NEXT_STEP, NO_NEXT_STEP]
    assert all(item.due is None for item in result.items)


def test_a_planned_step_later_on_is_no_cause_for_a_warning():
    (item,) = agenda(a_candidate(1, due=later(10))).items
    assert NO_NEXT_STEP not in item.warnings
    assert item.kind != "next_step"


# Loading from the database


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock at a moment of the test's choosing (time-machine is not installed)."""

    def stop(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return stop


@pytest.fixture
def rome(owner) -> User:
    owner.profile.time_zone = "Europe/Rome"
    owner.profile.save(update_fields=["time_zone"])
    return owner


def make_mixed_funnel(owner: User, make_opportunity, count: int = 30) -> list[Opportunity]:
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
    owner, make_opportunity, clock
):
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
    owner, make_opportunity, clock
):
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
    owner, make_opportunity, organisation
):
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
    owner, make_opportunity, person
):
    make_opportunity("Coaching", organisation=None, main_contact=person)
    (item,) = agenda_for(owner, now=NOW).items
    assert item.opportunity.customer == "Giulia Ferretti"
    assert item.opportunity.fit_score is None


def test_a_step_at_half_past_eleven_tonight_is_due_today_in_rome(rome, make_opportunity):
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


def today_page(client: Client):
    response = client.get(reverse("today"))
    assert response.status_code == 200
    return response


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


def test_the_page_shows_the_groups_in_order_with_what_to_do_and_why(
    owner_client, make_opportunity, person, clock
):
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


def test_an_overdue_step_has_a_badge_and_comes_first(owner_client, make_opportunity, clock):
    clock(NOW)
    make_opportunity("Big deal", value=Decimal(90000), next_step_at=later())
    make_opportunity(
        "Forgotten", value=Decimal(10), next_step="Call Giulia", next_step_at=at(27, 9)
    )
    response = today_page(owner_client)
    page = response.text
    assert in_order(page, "Forgotten", "Missed", "Call Giulia (missed: it was due", "Big deal")
    assert page.count('class="badge badge-danger">Missed<') == 1


def test_an_account_with_nothing_to_do_explains_each_empty_group(owner_client, organisation):
    page = today_page(owner_client).text
    assert "Nothing in Best few" in page
    assert "No prospects above the funnel. Prospect every week" in page
    assert "Nothing in the funnel: qualify a prospect" in page
    assert page.count("0 objectives") == 3
    assert "No nurture touch or after-sale step due." in page


def test_a_brand_new_account_is_welcomed_instead(owner_client):
    page = today_page(owner_client).text
    assert "Welcome to Funnel" in page
    assert "Close the Best few" not in page


def test_beyond_five_items_the_page_links_to_the_board_for_the_rest(
    owner_client, make_opportunity, clock
):
    clock(NOW)
    for i in range(7):
        make_opportunity(f"Prospect {i:02}", next_step_at=later())
    response = today_page(owner_client)
    assert response.text.count('data-kind="qualify"') == 5
    assert f'<a href="{reverse("funnel_board")}">and 2 more on the board</a>' in response.text
    assert "7 objectives" in response.text


def test_poor_fits_left_out_are_mentioned(owner_client, owner, make_opportunity, clock):
    clock(NOW)
    poor = Organisation.objects.create(team=owner.profile.team, name="Poor", fit_score=10)
    make_opportunity("Not for us", organisation=poor)
    page = today_page(owner_client).text
    assert "1 poor fit left out of the suggestions." in page
    assert "Not for us" not in page
    assert "more on the board" not in page


def test_a_follow_up_can_be_planned_from_today_and_leads_back_to_today(
    owner_client, make_opportunity, clock
):
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


def test_scheduling_never_sends_the_user_to_another_site(owner_client, make_opportunity):
    deal = make_opportunity("Website")
    data = {
        "quick": "1",
        "next-purpose": "Call",
        "next-due_at": "2026-12-02T09:30",
        "next-channel": "phone",
        "next": "https://evil.example/",
    }
    response = owner_client.post(reverse("opportunity_next_step", args=[deal.pk]), data)
    assert response.url == deal.get_absolute_url() + "#follow-up"


def test_a_next_step_without_a_time_is_refused(owner_client, make_opportunity):
    deal = make_opportunity("Website")
    data = {"quick": "1", "next-purpose": "Call", "next-due_at": "", "next-channel": "phone"}
    response = owner_client.post(reverse("opportunity_next_step", args=[deal.pk]), data)
    assert response.status_code == 422
    assert "This field is required." in response.text
    deal.refresh_from_db()
    assert deal.next_step_at is None


def test_an_outsider_cannot_schedule_anothers_next_step(outsider_client, opportunity):
    data = {"next-purpose": "Spam", "next-due_at": "2026-12-02T09:30", "next-channel": "phone"}
    response = outsider_client.post(reverse("opportunity_next_step", args=[opportunity.pk]), data)
    assert response.status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.next_step == ""


def test_today_lists_only_the_users_own_opportunities(
    client, owner, make_opportunity, outsider, outsider_organisation
):
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
    rome, owner_client, make_opportunity, clock
):
    clock(dt.datetime(2026, 12, 1, 0, 30, tzinfo=ROME))
    make_opportunity(
        "Evening call", next_step="Call", next_step_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=ROME)
    )
    page = today_page(owner_client).text
    assert '<span class="badge badge-warn">Today</span> Call (due today at 11:30 p.m.)' in page


def test_a_known_fit_shows_its_badge_on_today(owner_client, owner, make_opportunity):
    great = Organisation.objects.create(team=owner.profile.team, name="Great", fit_score=90)
    make_opportunity("Website", organisation=great)
    page = today_page(owner_client).text
    assert "Fit 90" in page
    assert "poor fit" not in page


def test_someone_elses_schedule_form_is_not_found(outsider_client, make_opportunity):
    deal = make_opportunity("Website")
    url = reverse("opportunity_next_step", args=[deal.pk])
    assert outsider_client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_today_still_answers_after_a_win_while_another_won_deal_waits_for_delivery(
    owner, owner_client, make_opportunity, capsys, monkeypatch
):
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
