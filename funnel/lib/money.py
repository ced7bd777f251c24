"""Money: Decimal amounts with an ISO 4217 currency, formatted for the active locale."""

import functools
from decimal import Decimal

from babel import Locale
from babel.numbers import NumberPattern, format_currency, parse_pattern
from django.utils.translation import get_language, to_locale

CURRENCIES = ["EUR", "USD", "GBP", "SEK", "CHF", "DKK", "NOK", "CAD", "AUD"]
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


def format_money(amount: Decimal | int | None, currency: str, *, cents: bool = False) -> str:
    """`12.500 €` in Italian, `€12,500` in English; cents only when asked for."""
    if amount is None:
        return ""
    locale = to_locale(get_language() or "en")
    if cents:
        return format_currency(amount, currency, locale=locale)
    parsed, pattern = whole_units(locale)
    formatted: str = pattern.apply(
        Decimal(amount).quantize(Decimal(1)), parsed, currency=currency, currency_digits=False
    )
    return formatted


@functools.cache
def whole_units(locale: str) -> tuple[Locale, NumberPattern]:
    """The locale's own pattern (symbol before or after, grouping) without fraction digits.

    Read once per locale: lists and the board format hundreds of amounts a page.
    """
    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"].pattern.split(";")[0]
    return parsed, parse_pattern(pattern.replace(".00", ""))
