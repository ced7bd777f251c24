"""What the four emails share: rendering a text and an HTML part, the footer, a few formats.

Email clients ignore style sheets, so the HTML carries its styles inline; they live here, once,
and reach every template as `s`.
"""

import re
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import pgettext

from funnel.assistant.letters import absolute, unsubscribe_url

ACCENT = "#1f6f78"
TEXT = "#1d2733"
MUTED = "#5b6878"
FONT = "font-family:system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;"
STYLES = {
    "h1": f"{FONT}margin:0 0 4px;font-size:20px;line-height:1.3;color:{TEXT};",
    "h2": f"{FONT}margin:24px 0 8px;font-size:16px;line-height:1.3;color:{ACCENT};"
    "border-bottom:1px solid #e2e6eb;padding-bottom:4px;",
    "p": f"{FONT}margin:0 0 12px;font-size:15px;line-height:1.5;color:{TEXT};",
    "muted": f"{FONT}margin:0 0 12px;font-size:13px;line-height:1.5;color:{MUTED};",
    "item": "padding:8px 0;border-bottom:1px solid #eef1f4;",
    "item_missed": "padding:8px 0 8px 10px;border-bottom:1px solid #eef1f4;"
    "border-left:3px solid #b3261e;",
    "line": f"{FONT}margin:0;font-size:15px;line-height:1.45;color:{TEXT};",
    "small": f"{FONT}margin:2px 0 0;font-size:13px;line-height:1.45;color:{MUTED};",
    "warning": f"{FONT}margin:2px 0 0;font-size:13px;line-height:1.45;color:#8a4b00;",
    "link": f"color:{ACCENT};text-decoration:underline;",
    "title_link": f"color:{TEXT};text-decoration:none;font-weight:bold;",
    "button": f"{FONT}display:inline-block;margin:6px 8px 0 0;padding:6px 12px;font-size:14px;"
    f"background:{ACCENT};color:#ffffff;text-decoration:none;border-radius:4px;",
    "button_plain": f"{FONT}display:inline-block;margin:6px 8px 0 0;padding:5px 11px;"
    f"font-size:14px;border:1px solid {ACCENT};color:{ACCENT};text-decoration:none;"
    "border-radius:4px;",
    "badge_danger": "display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;"
    "font-weight:bold;background:#fbe9e7;color:#b3261e;",
    "badge": "display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;"
    "font-weight:bold;background:#e6f1f2;color:#1f6f78;",
    "apology": f"{FONT}margin:6px 0 0;padding:8px 10px;font-size:14px;line-height:1.45;"
    f"color:{TEXT};background:#f4f6f8;border-left:3px solid {ACCENT};white-space:pre-wrap;",
    "cell": f"{FONT}padding:4px 8px 4px 0;font-size:14px;line-height:1.4;color:{TEXT};"
    "vertical-align:top;",
    "cell_num": f"{FONT}padding:4px 0 4px 8px;font-size:14px;line-height:1.4;color:{TEXT};"
    "text-align:right;white-space:nowrap;vertical-align:top;",
    "bar": f"background:{ACCENT};height:6px;font-size:0;line-height:0;",
    "bar_rest": "background:#e2e6eb;height:6px;font-size:0;line-height:0;",
}
# Templates leave blank lines where a block was skipped; more than one in a row reads as a gap.
BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def render_letter(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML parts of `assistant/email/<name>`."""
    context = {**context, "s": STYLES}
    text = render_to_string(f"assistant/email/{name}.txt", context)
    html = render_to_string(f"assistant/email/{name}.html", context)
    return tidy(text), html


def tidy(text: str) -> str:
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return BLANK_LINES.sub("\n\n", lines) + "\n"


def footer(user_id: int, kind: str, stops: str) -> dict[str, str]:
    """Where to see everything, change the emails, or stop this one; `stops` says what the
    unsubscribe link turns off, so nobody clicks it expecting less or more."""
    return {
        "today_url": absolute(reverse("today")),
        "settings_url": absolute(reverse("settings") + "#emails"),
        "unsubscribe_url": unsubscribe_url(user_id, kind),
        "stops": stops,
    }


def opportunity_url(pk: int, anchor: str = "") -> str:
    return absolute(reverse("opportunity_detail", args=[pk]) + anchor)


def log_outcome_url(opportunity_id: int, follow_up_id: int) -> str:
    """The opportunity page with its activity form open on this follow-up, as Today links it."""
    detail = reverse("opportunity_detail", args=[opportunity_id])
    return absolute(f"{detail}?log=1&follow_up={follow_up_id}#activities")


def day_name(day: date) -> str:
    """ "Monday 7 December", in the active language; translators may reorder the format."""
    return date_format(day, pgettext("a day in an email subject, PHP date format", "l j F"))
