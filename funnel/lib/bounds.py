"""Sane ranges for dates and numbers: the one place every form, model validator and
query-string parser takes them from.

Plans reach at most ten years ahead and history at most fifty years back. Beyond lies nonsense
(year 1, year 9999) that overflows date arithmetic, makes a weekly rule expand from year 1, or
leaves nothing the app can show. Numbers have maxima for the same reasons.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

YEARS_AHEAD = 10
YEARS_BACK = 50
# Offsets into a list (show more, older): far beyond any page anyone scrolls to.
MAX_OFFSET = 1_000_000
# Ids in addresses and query strings: 18 digits fit the 64-bit integers both databases store.
ID_PATTERN = re.compile(r"[0-9]{1,18}")
# The largest amount a DecimalField(max_digits=14, decimal_places=2) holds.
MAX_AMOUNT = Decimal("999999999999.99")
# How many people an organisation may employ: the largest employers have about two million.
MAX_HEADCOUNT = 10_000_000


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest(today: date | None = None) -> date:
    """The first day history may reach back to."""
    return years_from(today or timezone.localdate(), -YEARS_BACK)


def latest(today: date | None = None) -> date:
    """The last day a plan may reach ahead to."""
    return years_from(today or timezone.localdate(), YEARS_AHEAD)


def in_range(value: date | datetime, today: date | None = None) -> bool:
    return earliest(today) <= local_day(value) <= latest(today)


def validate_in_range(value: date | datetime) -> None:
    """A model and form validator for every date and time a user types."""
    day = local_day(value)
    if day < earliest():
        raise ValidationError(
            _("Choose a date from %(first)s on: Funnel keeps fifty years of history.")
            % {"first": date_format(earliest(), "DATE_FORMAT")},
            code="too_early",
        )
    if day > latest():
        raise ValidationError(
            _("Choose a date up to %(last)s: plans reach ten years ahead at most.")
            % {"last": date_format(latest(), "DATE_FORMAT")},
            code="too_late",
        )


def local_day(value: date | datetime) -> date:
    """The day a moment falls on where the user is; the day as written when that is beyond the
    calendar (year 1 or 9999 seen from another time zone)."""
    if not isinstance(value, datetime):
        return value
    try:
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    except OverflowError:
        return value.date()


def clamp(day: date, today: date | None = None) -> date:
    """The day, moved into the sane range: for days read from the query string or stored before
    the ranges existed, so that what is computed from them stays computable."""
    return min(max(day, earliest(today)), latest(today))
