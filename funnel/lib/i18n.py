"""Names of languages and countries in the reader's language, from Babel's CLDR data."""

from functools import cache

from babel import Locale
from django.utils.translation import get_language, to_locale

# Languages a prospect may prefer; Funnel's own interface languages come first.
CONTACT_LANGUAGES = ["en", "it", "nl", "sv", "es", "de", "fr", "pt", "da", "nb", "fi", "pl"]


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(to_locale(code))


def current_locale() -> Locale:
    return _locale(get_language() or "en")


def language_name(code: str) -> str:
    return current_locale().languages.get(code, code) if code else ""


def country_name(code: str) -> str:
    return current_locale().territories.get(code, code) if code else ""


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code).capitalize()) for code in CONTACT_LANGUAGES]


def country_choices() -> list[tuple[str, str]]:
    territories = current_locale().territories
    countries = [(code, name) for code, name in territories.items() if len(code) == 2]
    countries = [c for c in countries if c[0] not in {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}]
    return sorted(countries, key=lambda item: item[1])


def percent_kept_together(text: str) -> str:
    """The text with the space before each per cent sign made non-breaking, so that a line
    never ends with "45" and the next begins with "%"."""
    return text.replace(" %", "\N{NO-BREAK SPACE}%")
