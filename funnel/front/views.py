import datetime as dt
from xml.etree.ElementTree import Element

import pygal
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from funnel.goals.facts import goals_for_today
from funnel.lib import bounds
from funnel.lib.durations import duration
from funnel.lib.http import AuthenticatedRequest
from funnel.prospecting.allocation import LevelTime, Period, Span, level_times, load_split
from funnel.sales.facts import median_days_per_level_of, sales_cycle
from funnel.sales.models import OPEN_LEVELS
from funnel.today.slowdowns import slowdowns_for


def home(request: HttpRequest) -> HttpResponse:
    return redirect("today")


@login_required
def reports(request: AuthenticatedRequest) -> HttpResponse:
    per_level = median_days_per_level_of(request.user)
    span = report_span(request)
    split = load_split(request.user, *span.bounds(timezone.get_current_timezone()))
    times = level_times(split, request.user.profile)
    return render(
        request,
        "front/reports.html",
        {
            "cycle": sales_cycle(request.user),
            "levels": [(level, per_level.get(level)) for level in OPEN_LEVELS],
            "span": span,
            "is_current": span == Span.containing(span.period, timezone.localdate()),
            "periods": [(Period.WEEK, _("Week")), (Period.MONTH, _("Month"))],
            "times": [(time, duration(time.minutes)) for time in times],
            "split": split,
            "other": duration(split.other) if split.other else "",
            "chart": allocation_chart(times, nonce=_csp_nonce(request)) if split.total else "",
            "goals_today": goals_for_today(request.user, timezone.now()),
            "slowdowns": slowdowns_for(request.user, timezone.now()),
        },
    )


def report_span(request: AuthenticatedRequest) -> Span:
    """The week or month asked for (?period=week|month&on=YYYY-MM-DD); this week by default."""
    period = request.GET.get("period", "")
    known = [choice.value for choice in Period]
    try:
        day = bounds.clamp(dt.date.fromisoformat(request.GET.get("on", "")))
    except ValueError:
        day = timezone.localdate()
    return Span.containing(Period(period) if period in known else Period.WEEK, day)


# Drawn to match app.css: --accent for what happened, --accent-wash's darker sibling for targets.
CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#4b5868",
    foreground_strong="#1d2733",
    foreground_subtle="#e2e6eb",
    colors=("#1f6f78", "#9cc5c9"),
    opacity="1",
    opacity_hover="1",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    value_colors=("#ffffff", "#1d2733"),
    guide_stroke_dasharray="2,4",
    major_guide_stroke_dasharray="2,4",
)


def allocation_chart(times: list[LevelTime], *, nonce: str) -> SafeString:
    """Actual against target per level as inline SVG: drawn on the server, without script.

    Its <style> carries the page's CSP nonce, the only inline style the policy lets through.
    """
    chart = pygal.Bar(
        style=CHART_STYLE,
        js=[],
        disable_xml_declaration=True,
        range=(0, 100),
        width=560,
        height=300,
        margin=8,
        legend_at_bottom=True,
        print_values=True,
        print_zeroes=False,
        truncate_label=-1,
        value_formatter=lambda value: f"{value:.0f} %",
    )
    chart.x_labels = [str(time.level.label) for time in times]
    chart.add(_("Actual"), [time.share for time in times])
    chart.add(_("Target"), [time.target for time in times])
    chart.add_xml_filter(_without_tooltips)
    chart.add_xml_filter(lambda root: _with_nonce(root, nonce))
    # pygal escapes the labels it draws; the result is markup we made.
    svg: str = chart.render(is_unicode=True)
    return mark_safe(svg)


def _csp_nonce(request: HttpRequest) -> str:
    return str(request.csp_nonce)  # type: ignore[attr-defined]  # set by django-csp's middleware


def _tag(element: Element) -> str:
    """The element's name without its XML namespace ("style", not "{…/svg}style")."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _without_tooltips(root: Element) -> Element:
    """pygal's tooltips need its script, and hide in a style attribute the CSP would refuse."""
    for parent in root.iter():
        for child in list(parent):
            if _tag(child) == "script" or "tooltip-overlay" in child.get("class", "").split():
                parent.remove(child)
    return root


def _with_nonce(root: Element, nonce: str) -> Element:
    for style in root.iter():
        if _tag(style) == "style":
            style.set("nonce", nonce)
    return root
