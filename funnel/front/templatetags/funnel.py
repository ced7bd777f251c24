"""Template helpers available in every template (registered as a builtin in settings)."""

from decimal import Decimal

from django import forms, template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from funnel.lib.money import format_money
from funnel.sales.facts import drift_of
from funnel.sales.models import Opportunity

register = template.Library()


@register.filter
def money(amount: Decimal | int | None, currency: str) -> str:
    """{{ opportunity.value|money:opportunity.currency }} in the reader's locale."""
    return format_money(amount, currency)


@register.simple_tag
def level_badge(level: str, label: str) -> str:
    return format_html('<span class="badge level-{}">{}</span>', level, label)


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, label: str) -> str:
    """A column header that sorts by key, flipping direction when already sorted by it."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == key:
        query["sort"], arrow, aria = f"-{key}", " ↑", "ascending"
    elif current == f"-{key}":
        query["sort"], arrow, aria = key, " ↓", "descending"
    else:
        query["sort"], arrow, aria = key, "", "none"
    return format_html(
        '<a href="?{}" aria-sort="{}" class="sort">{}{}</a>', query.urlencode(), aria, label, arrow
    )


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


NAV_SECTIONS = {
    "today": "today",
    "funnel": "funnel",
    "board": "funnel",
    "opportunity": "funnel",
    "influence": "funnel",
    "activity": "funnel",
    "person": "people",
    "organisation": "organisations",
    "reports": "reports",
    "settings": "settings",
    "ideal": "settings",
    "password": "settings",
    "sent": "settings",
}


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, section: str, label: str) -> str:
    """A main-navigation link, marked current when the page belongs to its section."""
    match = context["request"].resolver_match
    current_name = match.url_name if match else ""
    current = NAV_SECTIONS.get(current_name.split("_")[0], "") == section
    return format_html(
        '<a href="{}"{}>{}</a>',
        reverse(url_name),
        mark_safe(' aria-current="page"') if current else "",
        label,
    )


@register.simple_tag
def drift(opportunity: Opportunity, cycle_days: int) -> list[str]:
    """{% drift opportunity cycle_days as warnings %}: why a Best few objective is drifting."""
    return drift_of(opportunity, today=timezone.localdate(), cycle_days=cycle_days)
