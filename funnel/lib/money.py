"""Money: Decimal amounts with an ISO 4217 currency, formatted for the active locale."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
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
    # The locale's own pattern (symbol before or after, grouping) without its fraction digits.
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    return format_currency(
        Decimal(amount).quantize(Decimal(1)),
        currency,
        format=pattern.replace(".00", ""),
        locale=locale,
        currency_digits=False,
    )
