"""What the outlook's charts on Reports say: the rows of each chart's table, and one sentence
per chart, worked out from its figures, on what it shows and what to do about it."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.forecast.model import SOURCES, Month
from funnel.forecast.outlook import Outlook
from funnel.forecast.paths import ABOVE, BEST_FEW, IN, OPEN
from funnel.front import charts
from funnel.lib.i18n import percent_kept_together
from funnel.lib.money import format_money
from funnel.sales.models import Level

LOW_SHARE = 0.8  # a level holding less than this share of its usual week is running low
MIN_MONTHS = 3  # complete months since the first win before they are compared


@dataclass(frozen=True)
class ForecastRow:
    first: date
    low: float  # P10
    likely: float  # P50
    high: float  # P90
    by_source: list[float]  # the P50 from each of SOURCES, in that order
    of_target: int | None  # the likely value as a percentage of the target


@dataclass(frozen=True)
class WonRow:
    first: date
    won: float
    reached_target: bool
    so_far: bool  # the month under way


@dataclass(frozen=True)
class FunnelRow:
    week: date
    counts: list[tuple[str, int]]  # (the level's label, open opportunities), in OPEN order
    total: int


@dataclass(frozen=True)
class ConversionRow:
    level: str
    label: str
    reached: int
    won: int
    percent: int | None
    median_days: float | None


@dataclass(frozen=True)
class Figure:
    chart: SafeString
    says: str


@dataclass(frozen=True)
class OutlookReport:
    """The four charts the outlook draws on Reports; a figure is None while it has nothing to
    show (a new user), and the page says what will appear instead."""

    levels: list[tuple[str, str]]  # the open levels and their labels, top of the funnel first
    forecast: Figure | None
    forecast_rows: list[ForecastRow]
    won: Figure | None
    won_rows: list[WonRow]
    funnel: Figure | None
    funnel_rows: list[FunnelRow]
    conversion: Figure | None
    conversion_rows: list[ConversionRow]


def report_of(outlook: Outlook, *, currency: str, nonce: str) -> OutlookReport:
    labels = {level: str(Level(level).label) for level in OPEN}
    return OutlookReport(
        levels=list(labels.items()),
        forecast=forecast_figure(outlook, currency=currency, nonce=nonce),
        forecast_rows=[forecast_row(month, outlook.target) for month in forecast_months(outlook)],
        won=won_figure(outlook, currency=currency, nonce=nonce),
        won_rows=won_rows(outlook),
        funnel=funnel_figure(outlook, nonce=nonce),
        funnel_rows=funnel_rows(outlook, labels),
        conversion=conversion_figure(outlook, labels, nonce=nonce),
        conversion_rows=conversion_rows(outlook, labels),
    )


def forecast_figure(outlook: Outlook, *, currency: str, nonce: str) -> Figure | None:
    months = forecast_months(outlook)
    if not any(month.total.p90 > 0 for month in months):
        return None
    chart = charts.forecast_chart(months, target=outlook.target, currency=currency, nonce=nonce)
    return Figure(chart, forecast_says(outlook, months))


def won_figure(outlook: Outlook, *, currency: str, nonce: str) -> Figure | None:
    if not any(won > 0 for _month, won in outlook.won_by_month):
        return None
    won = outlook.won_by_month
    chart = charts.won_chart(won, target=outlook.target, currency=currency, nonce=nonce)
    return Figure(chart, won_says(outlook, currency))


def won_rows(outlook: Outlook) -> list[WonRow]:
    target, last = outlook.target, len(outlook.won_by_month) - 1
    return [
        WonRow(first, won, reached_target=target > 0 and won >= target, so_far=i == last)
        for i, (first, won) in enumerate(outlook.won_by_month)
    ]


def funnel_figure(outlook: Outlook, *, nonce: str) -> Figure | None:
    if not any(any(counts.values()) for _week, counts in outlook.funnel_by_week):
        return None
    return Figure(charts.funnel_chart(outlook.funnel_by_week, nonce=nonce), funnel_says(outlook))


def funnel_rows(outlook: Outlook, labels: dict[str, str]) -> list[FunnelRow]:
    return [
        FunnelRow(
            week, [(labels[level], counts.get(level, 0)) for level in OPEN], sum(counts.values())
        )
        for week, counts in outlook.funnel_by_week
    ]


def conversion_figure(outlook: Outlook, labels: dict[str, str], *, nonce: str) -> Figure | None:
    if not any(c.reached for c in outlook.conversions):
        return None
    chart = charts.conversion_chart(outlook.conversions, labels, nonce=nonce)
    return Figure(chart, conversion_says(outlook, labels))


def conversion_rows(outlook: Outlook, labels: dict[str, str]) -> list[ConversionRow]:
    """One row a level; none while no deal has ended nor moved on from any level."""
    known = [c for c in outlook.conversions if c.level in labels]
    if not any(c.reached or c.median_days is not None for c in known):
        return []
    return [
        ConversionRow(
            c.level,
            labels[c.level],
            c.reached,
            c.won,
            None if c.rate is None else round(100 * c.rate),
            c.median_days,
        )
        for c in known
    ]


def forecast_months(outlook: Outlook) -> list[Month]:
    """The months shown, and on to the month of the dry spell when it falls later."""
    shown = outlook.shown_months
    spell = outlook.dry_spell
    if spell is not None and shown and spell.month > shown[-1].first:
        return [month for month in outlook.forecast.months if month.first <= spell.month]
    return list(shown)


def forecast_row(month: Month, target: float) -> ForecastRow:
    total = month.total
    return ForecastRow(
        first=month.first,
        low=total.p10,
        likely=total.p50,
        high=total.p90,
        by_source=[
            month.sources[source].p50 if source in month.sources else 0.0 for source in SOURCES
        ],
        of_target=round(100 * total.p50 / target) if target > 0 else None,
    )


def forecast_says(outlook: Outlook, months: Sequence[Month]) -> str:
    if outlook.dry_spell is not None:
        return outlook.dry_spell.text
    target = outlook.target
    if target <= 0:
        return _(
            "Set a monthly income target, and Funnel tells you here when a month ahead falls "
            "short of it."
        )
    short = [m for m in months if m.total.p50 < target * (1 - outlook.tolerance / 100)]
    if short:
        month = date_format(short[0].first, "YEAR_MONTH_FORMAT")
        cycle_ends = outlook.as_of + timedelta(days=1 + outlook.cycle_days)
        if short[0].first < cycle_ends:
            return _(
                "%(month)s looks short of your target, and the deals that decide it are already "
                "in your funnel: close your Best few."
            ) % {"month": month}
        return _(
            "%(month)s looks short of your target: the prospects you find in the coming weeks "
            "decide it, so keep your prospecting blocks."
        ) % {"month": month}
    rate = round(outlook.forecast.basis.prospects_per_week)
    steady = ngettext(
        "No month ahead falls more than %(tolerance)d %% below your target: keep finding about "
        "%(count)s new prospect a week to keep it so.",
        "No month ahead falls more than %(tolerance)d %% below your target: keep finding about "
        "%(count)s new prospects a week to keep it so.",
        rate,
    ) % {"tolerance": outlook.tolerance, "count": number_format(rate, force_grouping=True)}
    return percent_kept_together(steady)


def won_says(outlook: Outlook, currency: str) -> str:
    # The twelve months before the one under way, from the first with a win: months before
    # it most likely came before Funnel did.
    complete = outlook.won_by_month[-13:-1]
    first_win = next((i for i, (_month, won) in enumerate(complete) if won > 0), None)
    target = outlook.target
    if target <= 0 or first_win is None:
        return _(
            "Nothing was won in the last 12 months: what you prospect now is signed about one "
            "sales cycle, %(days)s days, from now."
        ) % {"days": number_format(outlook.cycle_days, force_grouping=True)}
    counted = complete[first_win:]
    amount = format_money(Decimal(round(target)), currency)
    met = sum(1 for _month, won in counted if won >= target)
    if len(counted) < MIN_MONTHS:
        return _(
            "Each bar is a month's won value against your target of %(target)s: the months "
            "even out when you prospect every week, however busy you are."
        ) % {"target": amount}
    if met == len(counted):
        return _(
            "Every one of the last %(months)d months reached your target of %(target)s: keep "
            "prospecting every week to keep it so."
        ) % {"months": len(counted), "target": amount}
    weakest, _won = min(counted, key=lambda pair: pair[1])
    return ngettext(
        "%(met)d of the last %(months)d months reached your target of %(target)s; for the "
        "weakest, %(month)s, look at your prospecting one sales cycle before it, around %(when)s.",
        "%(met)d of the last %(months)d months reached your target of %(target)s; for the "
        "weakest, %(month)s, look at your prospecting one sales cycle before it, around %(when)s.",
        met,
    ) % {
        "met": met,
        "months": len(counted),
        "target": amount,
        "month": date_format(weakest, "YEAR_MONTH_FORMAT"),
        "when": date_format(weakest - timedelta(days=outlook.cycle_days), "YEAR_MONTH_FORMAT"),
    }


def funnel_says(outlook: Outlook) -> str:
    weeks = [counts for _week, counts in outlook.funnel_by_week]
    if len(weeks) < 2:
        return _("Each week adds a bar here: how many opportunities wait at each level.")
    now = weeks[-1]
    for level in (ABOVE, IN, BEST_FEW):  # the top runs dry first, and the rest follows
        usual = statistics.fmean(counts.get(level, 0) for counts in weeks[:-1])
        count = now.get(level, 0)
        if usual >= 1 and count < LOW_SHARE * usual:
            figures = {
                "now": number_format(count, force_grouping=True),
                "usual": number_format(round(usual), force_grouping=True),
            }
            return running_low(level, count) % figures
    return _(
        "Every level holds about as many opportunities as in a usual week of the last year: "
        "keep your prospecting blocks to keep it so."
    )


def running_low(level: str, count: int) -> str:
    if level == ABOVE:
        return ngettext(
            "Above the funnel holds %(now)s opportunity, against %(usual)s in a usual week of "
            "the last year: find new prospects now, or income dips about a sales cycle from now.",
            "Above the funnel holds %(now)s opportunities, against %(usual)s in a usual week of "
            "the last year: find new prospects now, or income dips about a sales cycle from now.",
            count,
        )
    if level == IN:
        return ngettext(
            "In the funnel holds %(now)s opportunity, against %(usual)s in a usual week of the "
            "last year: qualify more of the prospects above the funnel.",
            "In the funnel holds %(now)s opportunities, against %(usual)s in a usual week of the "
            "last year: qualify more of the prospects above the funnel.",
            count,
        )
    return ngettext(
        "Best few holds %(now)s opportunity, against %(usual)s in a usual week of the last "
        "year: meet the buying influences of the deals in the funnel to bring more of them close.",
        "Best few holds %(now)s opportunities, against %(usual)s in a usual week of the last "
        "year: meet the buying influences of the deals in the funnel to bring more of them close.",
        count,
    )


def conversion_says(outlook: Outlook, labels: dict[str, str]) -> str:
    rates = {c.level: c.rate for c in outlook.conversions if c.rate is not None}
    if not rates:
        return ""
    # The best converting level; Best few on a tie, where closing time belongs anyway.
    best = max(rates, key=lambda level: (rates[level] or 0, level == BEST_FEW))
    percent = round(100 * (rates[best] or 0))
    if best == BEST_FEW or BEST_FEW not in rates:
        return percent_kept_together(
            _(
                "%(level)s wins %(percent)d %% of the deals that reach it: spend your closing "
                "time there."
            )
            % {"level": labels[best], "percent": percent}
        )
    mixed = _(
        "%(level)s wins more of the deals that reach it (%(percent)d %%) than Best few "
        "(%(best_few)d %%): check that what you move to Best few is really ready to close."
    ) % {
        "level": labels[best],
        "percent": percent,
        "best_few": round(100 * (rates[BEST_FEW] or 0)),
    }
    return percent_kept_together(mixed)
