"""What the opportunity tests share: addresses, and the forms' data as the pages send it."""

from django.urls import reverse

from funnel.contacts.models import Person
from funnel.sales.models import Opportunity

CREATE = reverse("opportunity_create")
HTMX = {"HX-Request": "true"}


def url(name: str, opportunity: Opportunity, *args: int) -> str:
    return reverse(name, args=[opportunity.pk, *args])


def opportunity_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Warehouse automation",
        "organisation": "",
        "main_contact": "",
        "value": "25000",
        "currency": "EUR",
        "level": "above",
        "first_contact_on": "2026-03-02",
        "expected_close_on": "2026-06-30",
        "source": "Referral",
    }
    return {**data, **overrides}


def influence_data(person: Person, role: str = "economic", **overrides: str) -> dict[str, str]:
    data = {
        "influence-person": str(person.pk),
        "influence-role": role,
        "influence-status": "unknown",
        "influence-notes": "",
    }
    return {**data, **overrides}


def activity_data(**overrides: str) -> dict[str, str]:
    data = {
        "activity-kind": "call",
        "activity-occurred": "2026-03-05T10:30",
        "activity-person": "",
        "activity-channel": "phone",
        "activity-outcome": "reached",
        "activity-minutes": "20",
        "activity-notes": "Agreed to send a proposal by Friday",
    }
    return {**data, **overrides}
