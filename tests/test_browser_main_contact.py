"""In Chromium: the main contact picker follows the organisation, and working hours are set
on the Settings page."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from funnel.contacts.models import Organisation, Person
from funnel.sales.models import Opportunity
from tests.test_browser import DESKTOP, PHONE, log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_customers(owner: User, person: Person) -> None:
    bianchi = Organisation.objects.create(team=owner.profile.team, name="Bianchi Logistica")
    Person.objects.create(team=bianchi.team, name="Marco Bianchi", organisation=bianchi)
    Person.objects.create(team=bianchi.team, name="Sara Conti", organisation=bianchi)
    Person.objects.create(team=bianchi.team, name="Paolo Freelance")


def test_the_main_contact_picker_follows_the_organisation(
    page: Page, live_server: LiveServer, two_customers: None
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/opportunities/new/")
    page.get_by_label("Title").fill("Warehouse flow review")
    contact = page.get_by_label("Main contact")
    contact.select_option(label="Giulia Ferretti (Ferretti Arredamenti)")
    page.get_by_label("Organisation").select_option(label="Bianchi Logistica")
    picker = page.locator("#main-contact")
    expect(picker.locator("optgroup").first).to_have_attribute(
        "label", "People at Bianchi Logistica"
    )
    expect(picker).to_contain_text("Giulia Ferretti works at Ferretti Arredamenti, not at")
    shoot(page, "main-contact-changed-organisation")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_contain_text("Choose someone at Bianchi")
    expect(page.get_by_label("Title")).to_have_value("Warehouse flow review")
    shoot(page, "main-contact-refused")

    page.get_by_label("Main contact").select_option(label="Marco Bianchi (Bianchi Logistica)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Warehouse flow review")).to_be_visible()
    saved = Opportunity.objects.get(title="Warehouse flow review")
    assert saved.organisation is not None
    assert saved.main_contact is not None
    assert (saved.organisation.name, saved.main_contact.name) == (
        "Bianchi Logistica",
        "Marco Bianchi",
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_working_hours_are_set_on_the_settings_page(
    page: Page, live_server: LiveServer, owner: User, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/settings/")
    hours = page.locator("fieldset", has=page.get_by_role("heading", name="Your working hours"))
    expect(hours).to_be_visible()
    card = page.locator("#follow-up")
    card.screenshot(path=shoot_path(f"settings-working-hours-{viewport['width']}"))
    page.get_by_label("Your day starts at").select_option(label="6 p.m.")
    page.get_by_label("Saturday").check()
    page.get_by_role("button", name="Save follow-up defaults").click()
    expect(page.locator("#follow-up .errorlist")).to_contain_text(
        "Your day starts at 6 p.m.: choose an end after that."
    )
    hours.screenshot(path=shoot_path(f"settings-working-hours-refused-{viewport['width']}"))
    page.get_by_label("Your day starts at").select_option(label="8:30 a.m.")
    page.get_by_role("button", name="Save follow-up defaults").click()
    expect(page.locator(".messages")).to_contain_text("Your follow-up defaults are saved.")
    owner.profile.refresh_from_db()
    assert (str(owner.profile.working_day_starts), owner.profile.working_days) == (
        "08:30:00",
        "123456",
    )


def shoot_path(name: str) -> str:
    from tests.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
