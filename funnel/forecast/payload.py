"""The outlook as `funnel forecast` prints it: JSON for scripts (docs/forecast-json.md), and
text for people."""

from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.forecast.model import Band
from funnel.forecast.outlook import Outlook
from funnel.lib.money import format_money


def money(value: float) -> float:
    return round(value, 2)


def band(values: Band) -> dict[str, float]:
    return {"p10": money(values.p10), "p50": money(values.p50), "p90": money(values.p90)}


def outlook_payload(
    outlook: Outlook, *, username: str, currency: str, months: int
) -> dict[str, Any]:
    basis = outlook.forecast.basis
    spell, ahead = outlook.dry_spell, outlook.stop_ahead
    return {
        "user": username,
        "as_of": outlook.as_of.isoformat(),
        "currency": currency,
        "cycle_days": outlook.cycle_days,
        "months": [
            {
                "month": month.first.strftime("%Y-%m"),
                **band(month.total),
                "sources": {name: band(values) for name, values in month.sources.items()},
            }
            for month in outlook.forecast.months[:months]
        ],
        "basis": {
            "measured": basis.measured,
            "won_deals": basis.won_deals,
            "won_share": {level: round(share, 4) for level, share in basis.won_share.items()},
            "days_to_win": basis.days_to_win,
            "prospects_per_week": round(basis.prospects_per_week, 2),
            "won_value": money(basis.won_value),
            "open": basis.open_counts,
        },
        "target": {
            "monthly": money(outlook.target),
            "set": not outlook.target_is_average,
            "tolerance": outlook.tolerance,
        },
        "dry_spell": None
        if spell is None
        else {
            "month": spell.month.strftime("%Y-%m"),
            "weeks_ahead": spell.weeks_ahead,
            "share": spell.share,
            "prospects_per_week": spell.prospects_per_week,
            "for_weeks": spell.for_weeks,
            "text": spell.text,
        },
        "stop_ahead": None
        if ahead is None
        else {"times": ahead.times, "months_later": ahead.months_later, "text": ahead.text},
    }


def outlook_text(outlook: Outlook, *, currency: str, months: int) -> str:
    def amount(value: float) -> str:
        return format_money(round(value), currency)

    basis = outlook.forecast.basis
    lines = [
        _("Won value forecast, as known at the end of %(date)s (P10 · P50 · P90):")
        % {"date": date_format(outlook.as_of, "DATE_FORMAT")}
    ]
    for month in outlook.forecast.months[:months]:
        total = month.total
        lines.append(
            f"  {date_format(month.first, 'YEAR_MONTH_FORMAT'):<16}"
            f" {amount(total.p10):>14} {amount(total.p50):>14} {amount(total.p90):>14}"
        )
    if outlook.target_is_average:
        target = _("Target: %(amount)s a month, the average of the last 12 months.")
    else:
        target = _("Target: %(amount)s a month.")
    lines += ["", target % {"amount": amount(outlook.target)}]
    if not basis.measured:
        lines.append(
            ngettext(
                "Too few deals won with their history of levels to measure yet: the forecast "
                "uses stated defaults, placed by your normal sales cycle of %(days)d day.",
                "Too few deals won with their history of levels to measure yet: the forecast "
                "uses stated defaults, placed by your normal sales cycle of %(days)d days.",
                outlook.cycle_days,
            )
            % {"days": outlook.cycle_days}
        )
    rate = number_format(basis.prospects_per_week, 1)
    lines.append(_("New prospects lately: %(rate)s a week.") % {"rate": rate})
    for warning in (outlook.dry_spell, outlook.stop_ahead):
        if warning is not None:
            lines += ["", "⚠ " + warning.text]
    return "\n".join(lines)
