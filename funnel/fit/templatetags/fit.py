"""Template filters for showing fit scores: {% load fit %}."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.simple_tag
def fit_badge(score: int | None, known: int | None, threshold: int | None) -> str:
    """{% fit_badge score known threshold %}: a small badge for cards and lists.

    Python rather than an include: Today and the board draw dozens of them per page.
    """
    if score is None:
        return format_html(
            '<span class="badge fit-badge fit-unknown" title="{}">{} —</span>',
            _("Fit not known yet"),
            _("Fit"),
        )
    if known is None:
        title = _("Fit %(score)s / 100") % {"score": score}
    else:
        title = _("Fit %(score)s / 100, based on %(known)s%% of your profile") % {
            "score": score,
            "known": known,
        }
    label = _("Fit %(score)s") % {"score": score}
    if poor_fit(score, threshold):
        return format_html(
            '<span class="badge fit-badge fit-poor" title="{}">{} · {}</span>',
            title,
            label,
            _("poor fit"),
        )
    return format_html('<span class="badge fit-badge" title="{}">{}</span>', title, label)
