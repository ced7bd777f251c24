"""Reading one cell: dates, amounts, phones, emails, countries and websites."""

import datetime
import re
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.lib.bounds import MAX_AMOUNT
from funnel.transfer.values import (
    DateColumn,
    clean_email,
    country_code,
    language_code,
    normalise_phone,
    parse_date,
    parse_money,
    phone_key,
    web_domain,
    website_url,
)

# -- dates --------------------------------------------------------------------------------------

days = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))


def written(day: datetime.date, *, day_first: bool, separator: str, padded: bool) -> str:
    parts = [f"{day.day:02}", f"{day.month:02}"] if padded else [str(day.day), str(day.month)]
    if not day_first:
        parts.reverse()
    return separator.join([*parts, f"{day.year:04}"])


@settings(deadline=None)  # the first call loads Babel's names: slow once
@given(days, st.booleans(), st.sampled_from("/.-"), st.booleans())
def test_a_date_written_in_either_order_reads_back_when_the_order_is_known(
    day: datetime.date, day_first: bool, separator: str, padded: bool
) -> None:
    text = written(day, day_first=day_first, separator=separator, padded=padded)

    assert parse_date(text, day_first=day_first) == day


@settings(deadline=None)  # the first call loads Babel's names: slow once
@given(st.lists(days, min_size=1, max_size=20), st.booleans(), st.sampled_from("/.-"))
def test_a_column_learns_its_order_from_a_date_only_one_order_can_read(
    sample: list[datetime.date], day_first: bool, separator: str
) -> None:
    # One unambiguous date (the 13th or later) and the column reads all its dates right,
    # whatever the user's country would have guessed.
    sample = [*sample, datetime.date(2026, 5, 13)]
    texts = [written(d, day_first=day_first, separator=separator, padded=True) for d in sample]
    column = DateColumn(fallback=not day_first)
    for text in texts:
        column.observe(text)

    assert [column.parse(text) for text in texts] == sample


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@settings(deadline=None)  # the first call loads Babel's names: slow once
@given(days, st.integers(min_value=0, max_value=3))
def test_iso_and_named_month_dates_need_no_order(day: datetime.date, form: int) -> None:
    year, month = f"{day.year:04}", MONTHS[day.month - 1]
    text = [
        f"{year}-{day.month:02}-{day.day:02}",
        f"{year}-{day.month:02}-{day.day:02}T23:59:01.000Z",
        f"{day.day:02} {month} {year}",
        f"{month} {day.day}, {year}",
    ][form]

    assert parse_date(text, day_first=None) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-15 10:22:33", "2026-03-15"),
        ("2026-03-15T10:22:33+01:00", "2026-03-15"),
        ("3/15/26, 10:22 AM", "2026-03-15"),
        ("07 Dec 2026", "2026-12-07"),
        ("Mon, Dec 7, 2026", "2026-12-07"),
        ("15. März 2026", "2026-03-15"),
        ("15 de marzo de 2026", "2026-03-15"),
        ("15 maart 2026", "2026-03-15"),
        ("15 mars 2026", "2026-03-15"),
        ("7-Dec-98", "1998-12-07"),
    ],
)
def test_dates_as_tools_and_people_write_them(text: str, expected: str) -> None:
    assert parse_date(text, day_first=None) == datetime.date.fromisoformat(expected)


def test_an_empty_date_is_none() -> None:
    assert parse_date("  ", day_first=True) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2026", "“31/02/2026” is not a day of the calendar."),
        ("0000-01-01", "“0000-01-01” is not a day of the calendar."),
        ("soon", "“soon” is not a date Funnel can read: write it like 2026-03-31."),
        ("2026-03-15\x00", "is not a date Funnel can read"),
        ("9" * 10_000, "is not a date Funnel can read"),
    ],
)
def test_what_isnt_a_date_is_refused_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text, day_first=True)


def test_an_ambiguous_date_of_unknown_order_names_both_orders() -> None:
    with pytest.raises(ValueError, match="DD/MM/YYYY or MM/DD/YYYY"):
        parse_date("03/04/2026", day_first=None)


def test_a_date_that_contradicts_its_column_names_both_formats() -> None:
    column = DateColumn(day_first=None, fallback=True)
    column.observe("31.12.2026")

    assert column.parse("01.02.2026") == datetime.date(2026, 2, 1)
    with pytest.raises(ValueError, match=r"written MM\.DD\.YYYY, but .* written DD\.MM\.YYYY"):
        column.parse("12.31.2026")


def test_without_a_sample_the_first_unambiguous_date_settles_the_column() -> None:
    column = DateColumn(fallback=True)

    assert column.parse("12/31/2026") == datetime.date(2026, 12, 31)
    assert column.parse("01/02/2026") == datetime.date(2026, 1, 2)
    with pytest.raises(ValueError):
        column.parse("31/12/2026")


# -- money --------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2)
# (thousands, decimal) separators as tools and people write them.
SEPARATORS = [(",", "."), (".", ","), (" ", ","), ("\u00a0", ","), ("'", "."), ("", "."), ("", ",")]
SIGNS = [("€", "EUR"), ("$", "USD"), ("£", "GBP"), ("EUR", "EUR"), ("CHF", "CHF"), ("", "")]


def formatted(amount: Decimal, thousands: str, decimal: str, cents: bool) -> str:
    whole, _dot, fraction = f"{amount:.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    text = thousands.join([whole, *groups])
    return f"{text}{decimal}{fraction}" if cents else text


@settings(deadline=None)  # the first call loads Babel's names: slow once
@given(
    amounts,
    st.sampled_from(SEPARATORS),
    st.sampled_from(SIGNS),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", " "]),
)
def test_amounts_in_any_format_read_back_exactly(
    amount: Decimal,
    separators: tuple[str, str],
    sign: tuple[str, str],
    cents: bool,
    sign_after: bool,
    space: str,
) -> None:
    thousands, decimal = separators
    symbol, code = sign
    number = formatted(amount, thousands, decimal, cents)
    text = f"{number}{space}{symbol}" if sign_after else f"{symbol}{space}{number}"

    value, currency = parse_money(text)

    assert value == (amount if cents else amount.quantize(Decimal(1), rounding="ROUND_DOWN"))
    assert currency == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56 €", (Decimal("1234.56"), "EUR")),
        ("$1,234.56", (Decimal("1234.56"), "USD")),
        ("EUR 1234", (Decimal("1234.00"), "EUR")),
        ("1 234,50", (Decimal("1234.50"), "")),
        ("12000", (Decimal("12000.00"), "")),
        ("12 000 kr", (Decimal("12000.00"), "")),
        ("1 500:-", (Decimal("1500.00"), "")),
        ("1.2E+05", (Decimal("120000.00"), "")),
        ("999999999999.99", (MAX_AMOUNT, "")),
        ("", (None, "")),
    ],
)
def test_amounts_as_tools_and_people_write_them(
    text: str, expected: tuple[Decimal | None, str]
) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "negative"),
        ("\u22125 €", "negative"),  # a typographic minus
        ("(1,000)", "negative"),
        ("1000000000000", "more than Funnel holds"),
        ("9" * 5000, "more than Funnel holds"),
        ("1e309", "not an amount"),
        ("NaN", "not an amount"),
        ("12\x00", "not an amount"),
        ("1,5 Mio", "not an amount"),
        ("1.2.3", "not an amount"),
        ("12 € USD", "not an amount"),
    ],
)
def test_amounts_funnel_cant_hold_are_refused_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(text)


# -- phones -------------------------------------------------------------------------------------

REGIONS = ["IT", "NL", "ES", "SE", "DE", "GB", "US", "FR"]


def spellings(number: phonenumbers.PhoneNumber, region: str) -> list[str]:
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return [
        national,
        international,
        e164,
        # How a call abroad starts from there: 00 in Europe, 011 in North America.
        ("011" if region == "US" else "00") + e164[1:],
        international.replace(" ", "-"),
        international.replace(" ", "."),
        international.replace(" ", ""),
        f"  {national}  ",
    ]


@settings(deadline=None)  # the first call loads Babel's names: slow once
@given(st.sampled_from(REGIONS), st.sampled_from(["MOBILE", "FIXED_LINE"]), st.data())
def test_the_same_number_however_spelt_has_one_key(
    region: str, kind: str, data: st.DataObject
) -> None:
    kinds = phonenumbers.PhoneNumberType
    number = phonenumbers.example_number_for_type(region, getattr(kinds, kind))
    assert number is not None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    spelling = data.draw(st.sampled_from(spellings(number, region)))

    assert phone_key(spelling, region) == e164
    if not INTERNATIONAL_IN_GROUPS.fullmatch(spelling.strip()):  # those are kept as written
        assert normalise_phone(spelling, region) == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )


# A number written internationally in groups, as a person writes it.
INTERNATIONAL_IN_GROUPS = re.compile(r"(\+|00)[0-9]+([ ./()-]+[0-9]+)+\)?")


def test_a_number_written_internationally_in_groups_is_kept_as_written() -> None:
    assert normalise_phone("+39 02 1234.5678", "US") == "+39 02 1234.5678"
    assert phone_key("+39 02 1234.5678", "US") == "+390212345678"
    assert phone_key("+49 (0)30 123456", "") == phone_key("030 123456", "DE") == "+4930123456"


def test_a_number_libphonenumber_doesnt_know_is_kept_as_written_when_it_looks_like_one() -> None:
    assert normalise_phone("(555) 01 00", "IT") == "(555) 01 00"
    assert normalise_phone("+49 151 1234567", "IT") == "+49 151 1234567"  # a digit short
    assert normalise_phone("  0049   30 1234567 ", "IT") == "+49 30 1234567"
    assert normalise_phone("030 1234567", "") == "030 1234567"  # no country to read it in


@pytest.mark.parametrize("text", ["call me", "123", "+49 30 1234567 \x00", "1" * 40])
def test_what_isnt_a_phone_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a phone number"):
        normalise_phone(text, "DE")
    assert phone_key(text, "DE") is None


# -- emails, countries, languages, websites ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane.Doe@Example.COM", "Jane.Doe@example.com"),
        (" mailto:jane@example.com ", "jane@example.com"),
        ("Jane Doe <jane@example.com>", "jane@example.com"),
        ("Jorg@Bäckerei.example", "Jorg@bäckerei.example"),
    ],
)
def test_emails_are_cleaned(text: str, expected: str) -> None:
    assert clean_email(text) == expected


@pytest.mark.parametrize(
    "text", ["jane@", "jane", "jane@@example.com", "jane@example.com\x00", "a" * 250 + "@x.io"]
)
def test_what_isnt_an_email_address_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="email address"):
        clean_email(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("DE", "DE"),
        ("de", "DE"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Italia", "IT"),
        ("España", "ES"),
        ("Espana", "ES"),
        ("Sverige", "SE"),
        ("Nederland", "NL"),
        ("Atlantis", ""),
        ("", ""),
    ],
)
def test_countries_by_name_in_several_languages_or_by_code(text: str, expected: str) -> None:
    assert country_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("English", "en"), ("Deutsch", "de"), ("italiano", "it"), ("en-US", "en"), ("pt_BR", "pt")],
)
def test_languages_by_name_or_code(text: str, expected: str) -> None:
    assert language_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.acme.com/x?y=1", "acme.com"),
        ("acme.com", "acme.com"),
        ("WWW.Acme.COM:8080", "acme.com"),
        ("http://sub.acme.co.uk", "sub.acme.co.uk"),
        ("localhost", ""),
        ("http://[::1", ""),
        ("", ""),
    ],
)
def test_web_domain(text: str, expected: str) -> None:
    assert web_domain(text) == expected


def test_a_website_without_a_scheme_gets_one_and_nonsense_is_refused() -> None:
    assert website_url("acme.com") == "https://acme.com"
    assert website_url("http://acme.com/") == "http://acme.com/"
    with pytest.raises(ValueError, match="not a web address"):
        website_url("not a site")
    with pytest.raises(ValueError, match="longer than 200"):
        website_url("acme.com/" + "x" * 300)
