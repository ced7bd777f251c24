"""End to end in Chromium: a new user's first day, at desktop and phone sizes."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from funnel.contacts.models import Organisation
from funnel.followup import actions
from funnel.followup.models import FollowUp
from funnel.goals.models import Goal
from funnel.prospecting import rules as block_rules
from funnel.prospecting.models import Block
from funnel.sales.models import Activity, BuyingInfluence, Opportunity
from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 812}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()


def test_a_new_user_records_a_sale_from_organisation_to_logged_activity(
    page: Page, live_server: LiveServer, owner: User
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "anna")
    shoot(page, "today-empty")

    page.get_by_role("link", name="Add your first organisation").click()
    page.get_by_label("Name").fill("Van Dijk Logistiek")
    page.get_by_label("Sector").fill("Logistics")
    page.get_by_label("Country").select_option("NL")
    page.get_by_label("City").fill("Rotterdam")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Van Dijk Logistiek")).to_be_visible()

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name", exact=True).fill("Sanne de Vries")
    page.get_by_label("Job title").fill("Operations director")
    page.locator("#id_emails-0-address").fill("sanne@vandijk.example")
    page.get_by_role("button", name="Add another email address").click()
    page.locator("#id_emails-1-kind").select_option("personal")
    page.locator("#id_emails-1-address").fill("sanne.devries@mail.example")
    page.locator("#id_phones-0-number").fill("+31 10 123 4567")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Sanne de Vries")).to_be_visible()
    expect(page.get_by_text("sanne@vandijk.example")).to_be_visible()
    expect(page.get_by_text("sanne.devries@mail.example")).to_be_visible()

    page.get_by_role("link", name="New opportunity").click()
    page.get_by_label("Title").fill("Warehouse flow review")
    page.get_by_label("Value").fill("18500")
    page.get_by_label("Expected close").fill("2027-03-31")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Warehouse flow review")).to_be_visible()

    # In-place changes must not reload the page: a marker set now survives them.
    page.evaluate("window.stillTheSamePage = true")
    influences = page.locator("#influences")
    influences.get_by_label("Person").select_option(label="Sanne de Vries")
    influences.get_by_label("Role").select_option("economic")
    influences.get_by_label("Status").select_option("contacted")
    influences.get_by_role("button", name="Add", exact=True).click()
    expect(influences.locator(".influence")).to_contain_text("Economic buyer")

    page.get_by_text("Log an activity").click()
    activities = page.locator("#activities")
    activities.get_by_label("What").select_option("call")
    activities.get_by_label("Outcome").select_option("reached")
    activities.get_by_label("Minutes spent").fill("20")
    activities.get_by_label("Notes").fill("Agreed to meet the warehouse team")
    activities.get_by_role("button", name="Log it").click()
    expect(activities.locator(".activity")).to_contain_text("Agreed to meet the warehouse team")
    assert page.evaluate("window.stillTheSamePage") is True

    opportunity = Opportunity.objects.get(title="Warehouse flow review")
    assert opportunity.organisation is not None
    assert opportunity.organisation.name == "Van Dijk Logistiek"
    assert BuyingInfluence.objects.get(opportunity=opportunity).role == "economic"
    assert Activity.objects.get(opportunity=opportunity).minutes == 20
    shoot(page, "opportunity")


def test_a_bad_activity_shows_its_error_in_place_and_saves_nothing(
    page: Page, live_server: LiveServer, opportunity: Opportunity
) -> None:
    log_in(page, live_server.url, "anna")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    page.get_by_text("Log an activity").click()
    activities = page.locator("#activities")
    activities.get_by_label("Minutes spent").fill("5000")
    activities.get_by_role("button", name="Log it").click()
    expect(activities.locator(".errorlist")).to_contain_text(re.compile("less than or equal"))
    assert not Activity.objects.exists()


def test_a_card_dragged_into_a_blocked_level_lists_what_is_missing_and_moves_on_override(
    page: Page, live_server: LiveServer, opportunity: Opportunity
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "anna")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Funnel").click()
    card = page.locator(".board-card", has_text=opportunity.title)
    card.drag_to(page.locator("[data-drop-level=best_few]"))

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Identify the economic buyer")
    expect(dialog).to_contain_text("Set an expected close date.")
    shoot(page, "board-move-blocked")
    dialog.get_by_label("Move anyway, because…").fill("The board meets on Monday and has agreed")
    dialog.get_by_role("button", name="Move anyway").click()

    best_few = page.locator("[data-drop-level=best_few]")
    expect(best_few.locator(".board-card", has_text=opportunity.title)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("moved to Best few")
    best_few.get_by_role("link", name=opportunity.title).click()
    history = page.locator(".card", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("Above the funnel → Best few")
    expect(history).to_contain_text("The board meets on Monday and has agreed")


def test_a_move_with_the_keyboard_can_be_cancelled_and_nothing_moves(
    page: Page, live_server: LiveServer, opportunity: Opportunity
) -> None:
    log_in(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/funnel/")
    page.get_by_role("button", name=f"Move {opportunity.title} down the funnel").press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Identify a buying influence")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    opportunity.refresh_from_db()
    assert opportunity.level == "above"


def test_a_follow_up_is_planned_from_today_in_place(
    page: Page, live_server: LiveServer, opportunity: Opportunity
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "anna")
    item = page.locator(".agenda-item", has_text=opportunity.title)
    expect(item).to_contain_text("No follow-up planned.")
    item.get_by_text("Plan a follow-up").click()
    item.get_by_label("Purpose").fill("Call Giulia about the proposal")
    item.get_by_label("When").fill("2030-01-15T10:30")
    shoot(page, "today-schedule")
    item.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messages")).to_contain_text("Follow-up planned for")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.next_step == "Call Giulia about the proposal"


def test_an_outcome_and_the_next_follow_up_in_one_step_then_the_pest_guard_warns(
    page: Page, live_server: LiveServer, opportunity: Opportunity
) -> None:
    opportunity.follow_up_every_days, opportunity.follow_up_agreed = 14, True
    opportunity.follow_up_channel = "email"
    opportunity.save()
    now = timezone.localtime()
    actions.schedule(
        follow_up=FollowUp(
            team=opportunity.team,
            opportunity=opportunity,
            person=opportunity.main_contact,
            assigned_to=opportunity.owner,
            # Due a moment ago: on Today whatever the hour, even just before midnight.
            due_at=now - dt.timedelta(minutes=5),
            purpose="Call Giulia about the proposal",
        )
    )
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "anna")
    item = page.locator(".agenda-item", has_text=opportunity.title)
    item.get_by_role("link", name="Log the outcome").click()

    form = page.locator("#activities form")
    form.get_by_label("Outcome").select_option("meeting_booked")
    form.get_by_label("Notes").fill("Giulia wants to see the samples")
    expect(form.get_by_label("Plan the next follow-up")).to_be_checked()
    in_two_weeks = (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT10:00")
    form.locator("[name=next-due_at]").fill(in_two_weeks)
    form.locator("[name=next-purpose]").fill("Bring the samples")
    form.get_by_role("button", name="Log it").click()
    card = page.locator("#follow-up")  # swapped in place with the log
    expect(card).to_contain_text("Bring the samples")
    expect(page.locator("#activities")).to_contain_text("Meeting booked")

    card.get_by_text("Plan another").click()
    too_soon = (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    card.locator("[name=next-due_at]").fill(too_soon)
    card.locator("[name=next-purpose]").fill("Check they got the samples")
    card.get_by_role("button", name="Schedule").click()
    warning = page.locator(".pest-warning")
    expect(warning).to_contain_text(
        "Sooner than agreed: the customer asked to hear from you every 14 days"
    )
    shoot(page, "pest-guard")
    assert FollowUp.objects.filter(purpose="Check they got the samples").count() == 0
    page.locator("#follow-up").get_by_role("button", name="Schedule anyway").click()
    expect(page.locator(".messages")).to_contain_text("Follow-up planned for")
    assert FollowUp.objects.filter(purpose="Check they got the samples").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_of_the_main_pages(
    page: Page, live_server: LiveServer, opportunity: Opportunity, viewport: ViewportSize
) -> None:
    assert opportunity.organisation is not None
    assert opportunity.main_contact is not None
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "anna")
    shoot(page, "today")
    for name, path in [
        ("funnel", "/funnel/"),
        ("organisations", "/organisations/"),
        ("organisation", opportunity.organisation.get_absolute_url()),
        ("people", "/people/"),
        ("person", opportunity.main_contact.get_absolute_url()),
        ("edit-person", f"/people/{opportunity.main_contact.pk}/edit/"),
        ("opportunity", opportunity.get_absolute_url()),
        ("new-opportunity", "/opportunities/new/"),
        ("settings", "/settings/"),
        ("reports", "/reports/"),
        ("ideal-customer", "/settings/ideal-customer/"),
        ("opportunity-list", "/opportunities/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        # Nothing may stick out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        shoot(page, name)


def test_a_prospecting_block_marked_honoured_moves_the_goals_progress(
    page: Page, live_server: LiveServer, owner: User, organisation: Organisation
) -> None:
    wednesday = dt.date(2026, 12, 2)
    first = dt.datetime.combine(wednesday, dt.time(9))
    Block.objects.create(
        team=owner.profile.team,
        owner=owner,
        title="Call the trade-fair leads",
        starts_on=wednesday,
        start_time=dt.time(9),
        minutes=120,
        rule=block_rules.build_rule(weekdays=("WE",), interval=1, until=None, first=first),
    )
    Goal.objects.create(
        owner=owner,
        metric="prospecting_hours",
        period="week",
        target=5,
        reward="A dinner out",
        starts_on=dt.date(2026, 11, 1),
    )
    with time_machine.travel(dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)):
        page.set_viewport_size(DESKTOP)
        log_in(page, live_server.url, "anna")
        goals = page.locator(".card", has=page.get_by_role("heading", name="Goals"))
        expect(goals).to_contain_text("0 h of 5 h")
        page.goto(f"{live_server.url}/prospecting/")
        block = page.locator(".prospecting-occurrence", has_text="Call the trade-fair leads").first
        block.get_by_label("How did it go?").select_option("honoured")
        block.get_by_role("button", name="Mark").click()
        expect(page.locator(".messages")).to_be_visible()
        shoot(page, "prospecting-blocks")
        page.goto(f"{live_server.url}/today/")
        expect(goals).to_contain_text("2 h of 5 h")
        shoot(page, "today-prospecting")
