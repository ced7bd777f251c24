"""Showing a goal's amounts in its own unit: {% load goals %}."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funnel.goals.models import Goal, Metric
from funnel.lib.money import format_money

register = template.Library()


@register.simple_tag
def goal_amount(goal: Goal, amount: Decimal, currency: str) -> str:
    """12 (a count), 7.5 h (hours), €12,000 (value won, in the main currency)."""
    if goal.metric == Metric.VALUE_WON:
        return format_money(amount, currency)
    if goal.metric == Metric.PROSPECTING_HOURS:
        hours = round(amount, 1)
        shown = number_format(hours if hours % 1 else int(hours), use_l10n=True)
        return _("%(hours)s h") % {"hours": shown}
    return number_format(int(amount), use_l10n=True, force_grouping=True)
