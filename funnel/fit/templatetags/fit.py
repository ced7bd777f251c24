"""Template filters for showing fit scores: {% load fit %}."""

from django import template

from funnel.fit.rules import Reason, is_poor_fit

register = template.Library()


@register.filter
def poor_fit(score: int | None, threshold: int | None) -> bool:
    """{% if organisation.fit_score|poor_fit:threshold %}, by the rule the prospecting uses.

    Without a threshold nothing is marked poor.
    """
    return threshold is not None and is_poor_fit(score, threshold)


@register.filter
def fit_mark(reason: Reason) -> str:
    """How a reason reads at a glance: yes, partly, no or unknown."""
    if not reason.known:
        return "unknown"
    if reason.match >= 0.75:
        return "yes"
    return "partly" if reason.match > 0 else "no"
