"""Reading one cell of an imported file: dates, amounts, phones, emails, countries, websites.

Each parser is a pure function that returns the value or raises ValueError with a sentence for
the user. They run for every cell of files of a hundred thousand rows, so the costly ones
(phone numbers) keep their answers per distinct string, and the rest are regular expressions
compiled once.
"""

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale
from babel.dates import get_month_names
from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from funnel.contacts.models import phone_validator
from funnel.lib.bounds import MAX_AMOUNT

# -- dates ------------------------------------------------------------------------------------

# A time after the date, as tools write it: "T10:22:33.000Z", " 10:22", ", 3:15 PM", " +0100".
_TIME = (
    r"(?:,?[T ]\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d{1,9})?)?"  # 10:22:33.000
    r"\s*(?:[AaPp]\.?[Mm]\.?)?"  # PM
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"  # Z, +01:00
)
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})\.?" + _TIME)
_DAY_MONTH_NAME = re.compile(
    r"(\d{1,2})\.?(?:[ -]| de )([^\W\d_]{3,})\.?,?(?:[ -]| de )(\d{4}|\d{2})" + _TIME
)
_MONTH_NAME_DAY = re.compile(r"([^\W\d_]{3,})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _TIME)
_WEEKDAY = re.compile(r"[^\W\d_]{2,}\.?, ")
# The languages whose month names Funnel reads: its own five, and its users' neighbours'.
_MONTH_LOCALES = ["en", "it", "nl", "es", "sv", "de", "fr", "pt", "da", "nb"]


@functools.cache
def _month_numbers() -> dict[str, int]:
    """'dec', 'december', 'dicembre', 'mrt', 'märz' → their month; names two languages give
    different months are left out (none today, but a new language must not make one guess)."""
    numbers: dict[str, int] = {}
    clashes: set[str] = set()
    for locale in _MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, locale=locale)
                for month, name in names.items():
                    key = name.casefold().rstrip(".")
                    if numbers.setdefault(key, month) != month:
                        clashes.add(key)
    numbers.update({"sept": 9, "june": 6, "july": 7})
    return {key: month for key, month in numbers.items() if key not in clashes}


def _two_digit_year(text: str) -> int:
    """'26' → 2026 and '98' → 1998, as POSIX reads two-digit years."""
    year = int(text)
    if len(text) == 2:
        return year + (2000 if year < 69 else 1900)
    return year


def _make_date(text: str, year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a day of the calendar.") % {"value": text}) from None


def _unreadable(text: str) -> ValueError:
    return ValueError(
        _("“%(value)s” is not a date Funnel can read: write it like 2026-03-31.") % {"value": text}
    )


def _both_orders(text: str, separator: str) -> tuple[str, str]:
    """How the two orders look with this value's separator: DD/MM/YYYY and MM/DD/YYYY."""
    day, month, year = _("DD"), _("MM"), _("YYYY")
    return (
        separator.join([day, month, year]),
        separator.join([month, day, year]),
    )


def parse_date(text: str, *, day_first: bool | None) -> datetime.date | None:
    """The day a cell names, in any of the ways tools write one; "" → None.

    A date like 03/04/2026 reads as `day_first` says; with None it is refused, since it could
    be either (DateColumn decides a column's order from its other values)."""
    text = text.strip()
    if not text:
        return None
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return _make_date(text, int(match[1]), int(match[3]), int(match[4]))
    match = _NUMERIC.fullmatch(text)
    if match:
        first, second = int(match[1]), int(match[3])
        year = _two_digit_year(match[4])
        order = _order_of(first, second)
        if order is None:
            if day_first is None:
                day_order, month_order = _both_orders(text, match[2])
                raise ValueError(
                    _(
                        "“%(value)s” could be written %(day_first)s or %(month_first)s: "
                        "Funnel can't tell which."
                    )
                    % {"value": text, "day_first": day_order, "month_first": month_order}
                )
            order = day_first
        day, month = (first, second) if order else (second, first)
        return _make_date(text, year, month, day)
    return _named_month_date(text)


def _order_of(first: int, second: int) -> bool | None:
    """True when only day-first makes sense (31/12), False when only month-first (12/31)."""
    if first > 12 >= second:
        return True
    if second > 12 >= first:
        return False
    return None


def _named_month_date(text: str) -> datetime.date:
    """'07 Dec 2026', '7. Dezember 2026', '15 de marzo de 2026', 'Dec 7, 2026', 'Mon, Dec 7,
    2026'."""
    weekday = _WEEKDAY.match(text)
    bare = text[weekday.end() :] if weekday else text
    months = _month_numbers()
    match = _DAY_MONTH_NAME.fullmatch(bare)
    if match and match[2].casefold() in months:
        month = months[match[2].casefold()]
        return _make_date(text, _two_digit_year(match[3]), month, int(match[1]))
    match = _MONTH_NAME_DAY.fullmatch(bare)
    if match and match[1].casefold() in months:
        return _make_date(text, int(match[3]), months[match[1].casefold()], int(match[2]))
    raise _unreadable(text)


class DateColumn:
    """One column's dates: whether they put the day or the month first, decided from the values
    that can only be read one way (31/12/2026), then every value read that way.

    `day_first` is what the tool is known to write (None: unknown); `fallback` is the order
    used when neither the tool nor the values tell (the user's country's habit)."""

    def __init__(self, *, day_first: bool | None = None, fallback: bool = True) -> None:
        self._day_first = day_first
        self._fallback = fallback
        self._day_first_seen = 0
        self._month_first_seen = 0
        # Once an ambiguous value has been read one way, the column's order can't change.
        self._settled = day_first is not None
        self._cache: dict[str, datetime.date | None] = {}

    def observe(self, text: str) -> None:
        """Learn from a value of the sample (values that fit either order teach nothing)."""
        match = _NUMERIC.fullmatch(text.strip())
        if match:
            order = _order_of(int(match[1]), int(match[3]))
            if order is True:
                self._day_first_seen += 1
            elif order is False:
                self._month_first_seen += 1

    @property
    def day_first(self) -> bool:
        if self._day_first_seen or self._month_first_seen:
            return self._day_first_seen >= self._month_first_seen
        return self._fallback if self._day_first is None else self._day_first

    def parse(self, text: str) -> datetime.date | None:
        if text in self._cache:
            return self._cache[text]
        day = self._parse(text)
        if len(self._cache) < 4096:
            self._cache[text] = day
        return day

    def _parse(self, text: str) -> datetime.date | None:
        match = _NUMERIC.fullmatch(text.strip())
        if not match:
            return parse_date(text, day_first=None)
        order = _order_of(int(match[1]), int(match[3]))
        if order is None:
            self._settled = True
            return parse_date(text, day_first=self.day_first)
        if order != self.day_first:
            if not self._settled and not (self._day_first_seen or self._month_first_seen):
                # Nothing was read with the guessed order yet: this value decides it.
                self._day_first_seen, self._month_first_seen = int(order), int(not order)
                self._settled = True
                return parse_date(text, day_first=order)
            day_order, month_order = _both_orders(text, match[2])
            written, column = (day_order, month_order) if order else (month_order, day_order)
            raise ValueError(
                _(
                    "“%(value)s” is written %(written)s, but the other dates of this column "
                    "are written %(column)s."
                )
                % {"value": text.strip(), "written": written, "column": column}
            )
        self._settled = True
        return parse_date(text, day_first=order)


# -- money ------------------------------------------------------------------------------------

# Thousands grouped with spaces, dots, commas or apostrophes (Swiss 1'234, typed or typeset).
_AMOUNT = re.compile(r"(\D*?)(\d(?:[\d .,'\u2019]*\d)?)(\D*)")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d{1,2}")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
# Symbols and words for currencies; three-letter ISO codes are read as they are.
CURRENCY_SIGNS = {
    "€": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "$": "USD",
    "US$": "USD",
    "USD$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "C$": "CAD",
    "CA$": "CAD",
    "CAN$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "FR.": "CHF",
    "SFR.": "CHF",
    "SFR": "CHF",
    # kronor, kroner: Swedish, Danish or Norwegian; the importing user's currency decides.
    "KR": "",
    "KR.": "",
}


@functools.cache
def _iso_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_code(text: str) -> str:
    """'€', 'eur', 'US$', 'Euro' → the ISO 4217 code; '' for an unknown one or 'kr'."""
    sign = text.strip().upper().replace(" ", "")
    if sign in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[sign]
    return sign if len(sign) == 3 and sign in _iso_currencies() else ""


def _not_an_amount(text: str) -> ValueError:
    return ValueError(
        _("“%(value)s” is not an amount Funnel can read: write it like 12500.00 EUR.")
        % {"value": text}
    )


def parse_money(text: str) -> tuple[Decimal | None, str]:
    """'1.234,56 €', '$1,234.56', 'EUR 1234', '1 234,50', '12000' → (amount, currency code).

    The separator that comes last is the decimal one, unless it is the only one and three
    digits follow it (1,234 and 1.234 are a thousand and more): amounts in a CRM are written
    with cents or without, not with three decimals."""
    text = text.strip()
    if not text:
        return None, ""
    plain = text.translate(_SPACES)
    if _SCIENTIFIC.fullmatch(plain):
        return _in_range(text, Decimal(plain)), ""
    match = _AMOUNT.fullmatch(plain)
    if not match:
        raise _not_an_amount(text)
    before, number, after = match[1].replace(" ", ""), match[2], match[3].replace(" ", "")
    after = after.removesuffix(":-")  # Swedish: "1 500:-"
    if "-" in before or "(" in before or after.endswith(("-", ")")):
        raise ValueError(
            _("“%(value)s” is negative: a deal's value is zero or more.") % {"value": text}
        )
    currencies = set()
    for sign in (before.lstrip("+"), after):
        if sign:
            if sign.upper() not in CURRENCY_SIGNS and not currency_code(sign):
                raise _not_an_amount(text)
            currencies.add(currency_code(sign))
    if len(currencies) > 1:
        raise _not_an_amount(text)
    return _in_range(text, _decimal(text, number)), currencies.pop() if currencies else ""


def _decimal(text: str, number: str) -> Decimal:
    digits = number.replace(" ", "").replace("'", "").replace("\u2019", "")
    last_comma, last_dot = digits.rfind(","), digits.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_mark = "," if last_comma > last_dot else "."
    elif last_comma >= 0 or last_dot >= 0:
        mark = "," if last_comma >= 0 else "."
        whole, _sep, tail = digits.rpartition(mark)
        grouped = digits.count(mark) > 1 or (
            len(tail) == 3 and whole[:1] != "0" and len(whole.split(mark)[0]) <= 3
        )
        decimal_mark = "" if grouped else mark
    else:
        decimal_mark = ""
    whole, fraction = digits.rsplit(decimal_mark, 1) if decimal_mark else (digits, "")
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
    ):
        raise _not_an_amount(text)
    if not fraction.isdigit() and fraction:
        raise _not_an_amount(text)
    try:
        return Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        raise _not_an_amount(text) from None


def _in_range(text: str, amount: Decimal) -> Decimal:
    if amount > MAX_AMOUNT:
        raise ValueError(
            _("“%(value)s” is more than Funnel holds: at most 999,999,999,999.99.")
            % {"value": text}
        )
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- phones -----------------------------------------------------------------------------------


Phone = tuple[str, str | None, str]  # as Funnel keeps it, its E.164 key or None, extension
# What libphonenumber said of each distinct string (some 40 µs a number, and a file repeats its
# switchboards), and of each number as Funnel wrote it (the importer asks for its key again).
# Emptied when full: a bound on memory, at the cost of a few numbers read twice.
_PHONES: dict[tuple[str, str], Phone | str] = {}
MAX_PHONES = 50_000
# libphonenumber compiles its patterns through re's cache of 512, which a long import
# overflows; keeping them all is some 15 % faster a number.
phonenumbers.enable_pattern_cache()


# A number written internationally (+39 02 1234567, 0039 02 1234567, +49 (0)30 123): its digits
# are its E.164 key, with no need for libphonenumber, which costs ~100 µs a new number (a
# 100,000-row import would spend seconds in it).
_INTERNATIONAL = re.compile(r"(?:\+|00)[1-9][0-9 ()./-]{6,25}")
_TRUNK_ZERO = re.compile(r"\(0\)")
_NOT_DIGITS = re.compile(r"[^0-9]")
_GROUPED = re.compile(r"[0-9][ ./()-]+[0-9]")


def read_phone(text: str, region: str) -> Phone:
    """(the number as Funnel keeps it, its E.164 key or None, its extension); region is the
    country (ISO code) a number without +/00 is from. ValueError for what isn't a number."""
    if text[:1] == "+":
        region = ""  # the number says its country
    found = _PHONES.get((text, region))
    if found is None:
        found = _international(text) or _read_phone(text, region)
        if len(_PHONES) >= MAX_PHONES:
            _PHONES.clear()
        _PHONES[text, region] = found
        if not isinstance(found, str) and found[0][:1] == "+":
            _PHONES[found[0], ""] = (found[0], found[1], "")
    if isinstance(found, str):
        raise ValueError(found)
    return found


def _international(text: str) -> Phone | None:
    """A number someone wrote out internationally, in groups (+39 02 1234 5678): kept as
    written, its digits its key. Anything else (national, or all digits) goes to
    libphonenumber, to be read in the right country and written in groups."""
    cleaned = " ".join(text.split())
    if not _INTERNATIONAL.fullmatch(cleaned) or not _GROUPED.search(cleaned):
        return None
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    digits = _NOT_DIGITS.sub("", _TRUNK_ZERO.sub("", cleaned))
    return (cleaned, "+" + digits, "") if 8 <= len(digits) <= 15 else None


def _read_phone(text: str, region: str) -> Phone | str:
    """read_phone's answer, or the sentence saying why there is none."""
    cleaned = " ".join(text.split())
    not_a_number = _("“%(value)s” is not a phone number.") % {"value": cleaned}
    if not cleaned.isprintable():  # a NUL or another control character: not typed by anyone
        return not_a_number
    try:
        number = phonenumbers.parse(cleaned, region.upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    # Only a valid number is rewritten (the check costs as much as reading it): libphonenumber
    # formats an invalid one worse than it was typed (+49 1511234567).
    if number is not None and phonenumbers.is_valid_number(number):
        extension = number.extension or ""
        number.extension = ""
        key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return shown, key, extension
    try:
        phone_validator(cleaned)
    except ValidationError:
        return not_a_number
    e164 = None  # a number libphonenumber doesn't know: matched when spelt the same
    if number is not None and phonenumbers.is_possible_number(number):
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return cleaned, e164, ""


def normalise_phone(text: str, region: str) -> str:
    """'030 1234567' in DE → '+49 30 1234567'; a number libphonenumber doesn't know is kept as
    written when it looks like one (digits, spaces, + ( ) - . /). An extension is dropped: call
    `read_phone` to see it."""
    return read_phone(text, region)[0]


def phone_key(text: str, region: str) -> str | None:
    """The number in E.164 (+49301234567), the same however it is spelt; None when it can't
    be told."""
    try:
        return read_phone(text, region)[1]
    except ValueError:
        return None


# -- emails -----------------------------------------------------------------------------------

_validate_email = EmailValidator()
# A strict subset of what Django's validator accepts, a tenth of its cost: most addresses in a
# file pass here, and only the others are sent to Django's.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{}|~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{}|~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_BRACKETED = re.compile(r"[^<>]*<([^<>]*)>")
MAX_EMAIL = 254  # EmailField's max_length


def clean_email(text: str) -> str:
    """'Jane.Doe@Example.COM' → 'Jane.Doe@example.com'; 'mailto:' and <> around it go."""
    address = text.strip()
    if address[:7].casefold() == "mailto:":
        address = address[7:]
    bracketed = _BRACKETED.fullmatch(address)  # Jane Doe <jane@example.com>
    if bracketed:
        address = bracketed[1]
    address = address.strip()
    if len(address) > MAX_EMAIL:
        raise ValueError(
            _("This email address is longer than %(limit)s characters.") % {"limit": MAX_EMAIL}
        )
    if not _PLAIN_EMAIL.fullmatch(address):
        try:
            _validate_email(address)
        except ValidationError:
            raise ValueError(
                _("“%(value)s” is not an email address.") % {"value": text.strip()}
            ) from None
    user, _at, domain = address.rpartition("@")
    return f"{user}@{domain.lower()}"


# -- countries and languages ------------------------------------------------------------------

# Names babel doesn't give, and what people write for them.
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "uae": "AE",
    "south korea": "KR",
    "korea": "KR",
    "russian federation": "RU",
}
_NOT_COUNTRIES = {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}


@functools.lru_cache(maxsize=65536)  # organisation names repeat down a file
def fold(text: str) -> str:
    """'  Förlorad ' → 'forlorad', 'José  Ruiz' → 'jose ruiz': case, accents and spacing
    aside."""
    if text.isascii():  # most names: no accents to take off
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.cache
def _country_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for locale in _MONTH_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code not in _NOT_COUNTRIES:
                codes.setdefault(fold(name), code)
                codes.setdefault(code.casefold(), code)
    codes.update({fold(alias): code for alias, code in _COUNTRY_ALIASES.items()})
    return codes


def country_code(text: str) -> str:
    """'Germany', 'Deutschland', 'DE', 'United States' → the ISO 3166 code; '' if unknown."""
    return _country_codes().get(fold(text), "")


@functools.cache
def _language_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for locale in _MONTH_LOCALES:
        for code, name in Locale.parse(locale).languages.items():
            if len(code) in (2, 3):
                codes.setdefault(fold(name), code)
                codes.setdefault(code, code)
    return codes


def language_code(text: str) -> str:
    """'English', 'Deutsch', 'it', 'en-US', 'pt_BR' → 'en', 'de', 'it', 'en', 'pt'; '' if
    unknown."""
    folded = fold(text)
    codes = _language_codes()
    if folded in codes:
        return codes[folded]
    base = re.split(r"[-_ ]", folded, maxsplit=1)[0]  # en-US, pt_BR
    return codes.get(base, "") if len(base) <= 3 else ""


# -- websites ---------------------------------------------------------------------------------

_validate_url = URLValidator(schemes=["http", "https"])
MAX_URL = 200  # URLField's max_length


def web_domain(text: str) -> str:
    """'https://www.acme.com/x' → 'acme.com': how two organisations' websites are compared."""
    text = text.strip()
    if not text:
        return ""
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    host = host.removeprefix("www.")
    return host if "." in host else ""


def website_url(text: str) -> str:
    """'acme.com' → 'https://acme.com'; ValueError for what isn't a web address."""
    url = text.strip()
    if "://" not in url:
        url = f"https://{url}"
    if len(url) > MAX_URL:
        raise ValueError(
            _("This web address is longer than %(limit)s characters.") % {"limit": MAX_URL}
        )
    try:
        _validate_url(url)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a web address.") % {"value": text.strip()}) from None
    return url
