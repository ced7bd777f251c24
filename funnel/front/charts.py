"""The charts on Reports, drawn on the server with pygal as inline SVG, without script.

Each chart's <style> carries the page's CSP nonce, the only inline style the policy lets through:
what a chart adds to pygal's drawing (the forecast's band, a target line, lighter guides) is
styled by rules appended to that <style>, scoped to the chart, never by a style attribute.
Drawing a chart takes 3 to 20 ms, so a drawn chart is kept in the cache under a hash of what it
shows (its figures, the reader's language): a page pays for it once per change of the data.
The nonce, different on every request, goes in after.
"""

import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import pygal
from babel.numbers import format_compact_currency
from django.core.cache import cache
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from pygal.style import Style

from funnel.forecast.model import Month
from funnel.forecast.paths import ABOVE, BEST_FEW, IN, Conversion
from funnel.prospecting.allocation import LevelTime

KEPT_SECONDS = 24 * 3600
DRAWING = 1  # raise when the drawing changes, so charts kept in a shared cache are drawn again
NONCE_MARK = "funnel-chart-nonce"

INK, INK_SOFT, LINE, GUIDE = "#1d2733", "#4b5868", "#e2e6eb", "#c3cad3"
ACCENT, ACCENT_LIGHT, ACCENT_WASH = "#1f6f78", "#9cc5c9", "#e6f2f3"
TARGET = "#a05a00"  # --warn's hue, darker than the bars it crosses
# The level badges' hues (app.css .level-*), dark enough to read as bars.
LEVEL_COLOURS = {ABOVE: "#5876b0", IN: ACCENT, BEST_FEW: "#7a58ad"}
FUNNEL_ORDER = (BEST_FEW, IN, ABOVE)  # stacked from the bottom: nearest to a signature first

# Drawn to match app.css: --accent for what happened, --accent-wash's darker sibling for targets.
STYLE: dict[str, Any] = {
    "background": "transparent",
    "plot_background": "transparent",
    "foreground": INK_SOFT,
    "foreground_strong": INK,
    "foreground_subtle": LINE,
    "colors": (ACCENT, ACCENT_LIGHT),
    "opacity": "1",
    "opacity_hover": "1",
    "font_family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    "label_font_size": 13,
    "major_label_font_size": 13,
    "legend_font_size": 13,
    "value_font_size": 12,
    "value_colors": ("#ffffff", INK),
    "guide_stroke_dasharray": "2,4",
    "major_guide_stroke_dasharray": "2,4",
}
CHART_STYLE = Style(**STYLE)


# Added to each chart's own <style>, scoped to the chart: light guides (pygal's are black),
# and the labels at major guides like the others.
CSS = (
    f".axis .guide.line{{stroke:{GUIDE}}}",
    f".axis .major.guide.line{{stroke:{GUIDE}}}",
    f".axis text.major{{fill:{INK_SOFT}}}",
)
FORECAST_CSS = (
    ".serie-1 .line.reactive{stroke-width:3px;stroke-opacity:1}",  # the likely value
    ".serie-3 .line.reactive{stroke-width:2px;stroke-opacity:1;stroke-dasharray:8,5}",  # target
    f".band{{fill:{ACCENT_WASH};stroke:none}}",
)
# The outlook's charts: about as wide as a phone, scaled up on a desktop, few value labels.
OUTLOOK = {"width": 420, "height": 290, "max_scale": 6}


def _style(*colors: str, **changes: Any) -> Style:
    """The outlook's charts: the series in these colours, and letters that stay readable
    when a phone draws the chart at three quarters of its size."""
    larger = {"label_font_size": 15, "major_label_font_size": 15, "value_font_size": 14}
    return Style(**{**STYLE, **larger, "colors": colors, **changes})


def _frame(**config: Any) -> dict[str, Any]:
    """What every chart here shares: no script, no XML declaration."""
    return {
        "style": CHART_STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 560,
        "height": 300,
        "margin": 8,
        "truncate_label": -1,
        **config,
    }


def allocation_chart(times: list[LevelTime], *, nonce: str) -> SafeString:
    """Actual against target per level, as shares of the selling time."""

    def draw() -> Any:
        chart = pygal.Bar(
            **_frame(),
            range=(0, 100),
            legend_at_bottom=True,
            print_values=True,
            print_zeroes=False,
            value_formatter=lambda value: f"{value:.0f} %",
        )
        chart.x_labels = [str(time.level.label) for time in times]
        chart.add(_("Actual"), [time.share for time in times])
        chart.add(_("Target"), [time.target for time in times])
        return chart

    figures = [(time.level, time.share, time.target) for time in times]
    return _drawn("allocation", figures, draw, nonce)


def forecast_chart(
    months: Sequence[Month], *, target: float, currency: str, nonce: str
) -> SafeString:
    """The won value each month is likely to bring (P50), its band (P10 to P90), and the
    target as a dashed line."""

    def draw() -> Any:
        colours = (ACCENT_LIGHT, ACCENT, ACCENT_LIGHT, TARGET)
        chart = pygal.Line(
            **_frame(**OUTLOOK, style=_style(*colours)),
            show_legend=False,
            include_x_axis=True,
            show_x_guides=False,
            value_formatter=_short_money(currency),
        )
        chart.x_labels = _month_labels([month.first for month in months])
        chart.add(_("High (P90)"), [m.total.p90 for m in months], show_dots=False)
        chart.add(_("Likely (P50)"), [m.total.p50 for m in months])
        chart.add(_("Low (P10)"), [m.total.p10 for m in months], show_dots=False)
        if target > 0:
            chart.add(_("Target"), [target] * len(months), show_dots=False)
        chart.add_xml_filter(_with_band)
        chart.add_xml_filter(lambda root: _with_css(root, FORECAST_CSS))
        return chart

    figures = ([(m.first, m.total) for m in months], target, currency)
    return _drawn("forecast", figures, draw, nonce)


def won_chart(
    won_by_month: Sequence[tuple[date, float]], *, target: float, currency: str, nonce: str
) -> SafeString:
    """Won value per month, this month's so far in a lighter colour, and the target line."""
    values = [won for _month, won in won_by_month]

    def draw() -> Any:
        top = max([*values, target])
        chart = pygal.StackedBar(
            **_frame(**OUTLOOK, style=_style(ACCENT, ACCENT_LIGHT)),
            show_legend=False,
            show_x_guides=False,
            range=(0, top * 1.05 or 1),
            value_formatter=_short_money(currency),
            show_minor_x_labels=False,
        )
        chart.x_labels = _month_labels([month for month, _won in won_by_month])
        chart.x_labels_major = [
            label
            for (month, _won), label in zip(won_by_month, chart.x_labels, strict=True)
            if month.month in (1, 7)
        ]
        chart.add(_("Won"), [*values[:-1], None])
        chart.add(_("This month so far"), [None] * (len(values) - 1) + values[-1:])
        if target > 0:
            chart.add_xml_filter(lambda root: _with_level_line(root, chart, target))
        return chart

    return _drawn("won", (list(won_by_month), target, currency), draw, nonce)


def funnel_chart(
    funnel_by_week: Sequence[tuple[date, dict[str, int]]], *, nonce: str
) -> SafeString:
    """Open opportunities at each level at the start of each week, stacked."""

    def draw() -> Any:
        chart = pygal.StackedBar(
            **_frame(**OUTLOOK, style=_style(*(LEVEL_COLOURS[level] for level in FUNNEL_ORDER))),
            show_legend=False,
            show_x_guides=False,
            x_labels_major_every=13,
            show_minor_x_labels=False,
            spacing=6,
        )
        chart.x_labels = [date_format(week, "j M") for week, _counts in funnel_by_week]
        for level in FUNNEL_ORDER:
            chart.add(level, [counts.get(level, 0) for _week, counts in funnel_by_week])
        return chart

    return _drawn("funnel", list(funnel_by_week), draw, nonce)


def conversion_chart(
    conversions: Sequence[Conversion], labels: dict[str, str], *, nonce: str
) -> SafeString:
    """The share won of the deals that reached each level, one bar a level in its colour."""
    # pygal draws a horizontal chart's first label at the bottom: the funnel's top goes last.
    order = [c for c in conversions if c.level in LEVEL_COLOURS][::-1]

    def draw() -> Any:
        colours = [LEVEL_COLOURS[c.level] for c in order]
        chart = pygal.HorizontalStackedBar(
            **_frame(
                **{**OUTLOOK, "width": 360, "height": 150},
                style=_style(*colours, value_colors=("#ffffff",) * len(order)),
            ),
            show_legend=False,
            range=(0, 100),
            y_labels=[0, 50, 100],
            margin_right=24,  # room for "100 %" at the axis' end
            print_values=True,
            value_formatter=lambda value: f"{value:.0f} %" if value else "",
        )
        chart.x_labels = [labels[c.level] for c in order]
        for i, conversion in enumerate(order):
            share = None if conversion.rate is None else 100 * conversion.rate
            bars = [share if j == i else None for j in range(len(order))]
            chart.add(labels[conversion.level], bars)
        return chart

    return _drawn("conversion", (order, labels), draw, nonce)


def _drawn(name: str, figures: object, draw: Callable[[], Any], nonce: str) -> SafeString:
    """The chart as SVG markup, from the cache when these figures were drawn before."""
    key = (
        "chart:"
        + hashlib.sha256(repr((name, DRAWING, get_language(), figures)).encode()).hexdigest()
    )
    svg: str | None = cache.get(key)
    if svg is None:
        chart = draw()
        chart.add_xml_filter(_without_tooltips)
        chart.add_xml_filter(lambda root: _with_nonce(root, NONCE_MARK))
        chart.add_xml_filter(lambda root: _with_css(root, CSS))
        svg = str(chart.render(is_unicode=True))
        cache.set(key, svg, timeout=KEPT_SECONDS)
    # pygal escapes the labels it draws; the result is markup we made.
    return mark_safe(svg.replace(f'nonce="{NONCE_MARK}"', f'nonce="{nonce}"'))


def _short_money(currency: str) -> Callable[[float], str]:
    """€2.5M, € 2,5 mln.: amounts short enough for an axis, in the reader's locale."""
    locale = to_locale(get_language() or "en")

    def short(value: float) -> str:
        return str(format_compact_currency(value, currency, locale=locale, fraction_digits=1))

    return short


def _month_labels(firsts: Sequence[date]) -> list[str]:
    """Each month's short name; each January with its year, and the first month too unless a
    January follows at once (two years side by side would not fit)."""
    labels = []
    for i, first in enumerate(firsts):
        january_next = i + 1 < len(firsts) and firsts[i + 1].month == 1
        with_year = first.month == 1 or (i == 0 and not january_next)
        labels.append(date_format(first, "M Y" if with_year else "M"))
    return labels


def _tag(element: Element) -> str:
    """The element's name without its XML namespace ("style", not "{…/svg}style")."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _classes(element: Element) -> list[str]:
    return element.get("class", "").split()


def _without_tooltips(root: Element) -> Element:
    """pygal's tooltips need its script, and hide in a style attribute the CSP would refuse;
    the <desc> of each value only feeds them (two thirds of a bar chart's markup)."""
    for parent in root.iter():
        for child in list(parent):
            if _tag(child) in ("script", "desc") or "tooltip-overlay" in _classes(child):
                parent.remove(child)
    return root


def _with_nonce(root: Element, nonce: str) -> Element:
    for style in root.iter():
        if _tag(style) == "style":
            style.set("nonce", nonce)
    return root


def _plot(root: Element) -> Element | None:
    """The group the series are drawn in (pygal's coordinates for the values)."""
    return next((g for g in root.iter() if _classes(g) == ["plot"]), None)


def _series_line(plot: Element, index: int) -> list[str]:
    """The points of a line series' path, as pygal wrote them ("x y" pairs)."""
    for group in plot.iter():
        if f"serie-{index}" in _classes(group):
            for path in group:
                if "line" in _classes(path):
                    numbers = re.findall(r"-?[\d.]+", path.get("d", ""))
                    return [f"{x} {y}" for x, y in zip(numbers[::2], numbers[1::2], strict=True)]
    return []


def _with_band(root: Element) -> Element:
    """The area between the first series (P90) and the third (P10), beneath the lines."""
    plot = _plot(root)
    if plot is None:
        return root
    high, low = _series_line(plot, 0), _series_line(plot, 2)
    if high and low:
        band = Element("path", {"d": "M" + " L".join([*high, *reversed(low)]) + " Z"})
        band.set("class", "band")
        plot.insert(1, band)  # over the plot's background, beneath its guides and lines
    return root


def _with_css(root: Element, rules: Sequence[str]) -> Element:
    """The rules (one selector each), scoped to this chart, at the end of its <style>."""
    style = next((element for element in root.iter() if _tag(element) == "style"), None)
    if style is not None:
        scope = "#" + root.get("id", "")
        style.text = (style.text or "") + "".join(f"{scope} {rule}" for rule in rules)
    return root


def _with_level_line(root: Element, chart: Any, value: float) -> Element:
    """A dashed line across the plot at value (pygal's bar charts draw no lines of their own).

    Run as an XML filter, while pygal still holds the chart's view (values to coordinates)."""
    plot = _plot(root)
    if plot is None:
        return root
    y = chart.view.y(value)
    if y is None:
        return root
    line = {"d": f"M0 {y:.2f} H{chart.view.width:.2f}", "class": "target-line"}
    SubElement(plot, "path", line)
    rule = f".target-line{{fill:none;stroke:{TARGET};stroke-width:2px;stroke-dasharray:8,5}}"
    return _with_css(root, [rule])
