"""In Chromium, every main page works under the Content-Security-Policy: nothing is refused."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from funnel.accounts.actions import create_user
from funnel.sales.models import Activity, Opportunity
from tests.conftest import PASSWORD
from tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium logs its own refusals ("Refused to apply inline style because it violates the
# following Content Security Policy directive"); the page's securitypolicyviolation events are
# logged the same way, with their details.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `Content Security Policy: ${event.effectiveDirective} refused ${event.blockedURI}`
  + ` in ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def refusals(page: Page) -> list[str]:
    """What the Content-Security-Policy refused on this page, as the console tells it."""
    found: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


@pytest.fixture
def logged_time(opportunity: Opportunity) -> Opportunity:
    """Half an hour on the opportunity this week: Reports draws its chart."""
    Activity.objects.create(
        team=opportunity.team, by=opportunity.owner, opportunity=opportunity, minutes=30
    )
    return opportunity


def test_the_main_pages_use_nothing_the_policy_refuses(
    page: Page, live_server: LiveServer, logged_time: Opportunity, refusals: list[str]
) -> None:
    base = live_server.url
    log_in(page, base, "anna")
    page.goto(f"{base}/funnel/")
    expect(page.locator(".board-card", has_text=logged_time.title)).to_be_visible()

    page.goto(f"{base}{logged_time.get_absolute_url()}")
    page.get_by_text("Log an activity").click()  # htmx draws the form into the page
    expect(page.locator("#activities").get_by_label("Minutes spent")).to_be_visible()

    page.goto(f"{base}/reports/")
    bar = page.locator(".allocation-chart svg .color-0").first
    expect(bar).to_be_visible()
    # The chart's own <style> (allowed by its nonce) colours the bars.
    assert bar.evaluate("element => getComputedStyle(element).fill") == "rgb(31, 111, 120)"

    page.goto(f"{base}/settings/")
    expect(page.locator("#calendar-url")).to_be_visible()
    assert refusals == []


def test_the_admin_pages_use_nothing_the_policy_refuses(
    page: Page, live_server: LiveServer, refusals: list[str]
) -> None:
    admin: User = create_user(username="root-anna", password=PASSWORD, superuser=True)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill("root-anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{base}/admin/auth/user/")
    expect(page.get_by_role("link", name="root-anna")).to_be_visible()
    page.goto(f"{base}/admin/auth/user/{admin.pk}/change/")
    expect(page.get_by_label("Username")).to_have_value("root-anna")
    assert refusals == []
