"""Planning the organisations and the people who work there."""

import random
import unicodedata

from funnel.contacts.models import EmailAddress, PhoneNumber
from funnel.demo import names
from funnel.demo.names import Country
from funnel.demo.records import OrganisationPlan, PersonPlan
from funnel.lib.channels import Channel

COUNTRY_BY_CODE = {country.code: country for country in names.COUNTRIES}
COMPANY_BY_NAME = {
    company.name: company for country in names.COUNTRIES for company in country.companies
}
CHANNELS = (
    Channel.EMAIL,
    Channel.PHONE,
    Channel.MEETING,
    Channel.VIDEO,
    Channel.MESSAGE,
    Channel.LETTER,
)
CHANNEL_WEIGHTS = (35, 30, 15, 10, 8, 2)
MAIL_PATTERNS = ("{first}.{last}", "{first}", "{f}.{last}", "{f}{last}")
MAIL_PATTERN_WEIGHTS = (50, 20, 15, 15)


def ascii_fold(text: str) -> str:
    """`Åkesson` becomes `akesson`, `O'Sullivan` becomes `osullivan`: safe in an address."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()


def domain_of(company: str, tld: str) -> str:
    words = [ascii_fold(word) for word in company.replace(".", "").split()]
    return "-".join(word for word in words if word and word not in names.LEGAL_SUFFIXES) + f".{tld}"


def fill_digits(rng: random.Random, pattern: str) -> str:
    digits = {"#": "0123456789", "N": "23456789"}
    return "".join(rng.choice(digits[char]) if char in digits else char for char in pattern)


def plan_organisations(rng: random.Random) -> list[OrganisationPlan]:
    return [
        plan_organisation(rng, country, company)
        for country in names.COUNTRIES
        for company in rng.sample(country.companies, country.quota)
    ]


def plan_organisation(
    rng: random.Random, country: Country, company: names.Company
) -> OrganisationPlan:
    low, high = names.SECTOR_SIZES[company.sector]
    notes = names.ORGANISATION_NOTES + (names.FAMILY_NOTES if company.family else ())
    return OrganisationPlan(
        name=company.name,
        sector=company.sector,
        size=round(rng.triangular(low, high, low + (high - low) / 4)),
        country=country.code,
        city=rng.choice(country.cities)[0],
        website=f"https://{domain_of(company.name, country.tld)}",
        notes=rng.choice(notes) if rng.random() < 0.4 else "",
    )


def plan_people(
    rng: random.Random, organisations: list[OrganisationPlan], headcounts: list[int]
) -> list[PersonPlan]:
    """`headcounts[i]` people for organisation i; the first one runs the place."""
    taken: set[str] = set()
    people: list[PersonPlan] = []
    for index, count in enumerate(headcounts):
        people += plan_staff(rng, index, organisations[index], count, taken)
    return people


def plan_staff(
    rng: random.Random, index: int, organisation: OrganisationPlan, count: int, taken: set[str]
) -> list[PersonPlan]:
    country = COUNTRY_BY_CODE[organisation.country]
    family = COMPANY_BY_NAME[organisation.name].family
    pattern = rng.choices(MAIL_PATTERNS, MAIL_PATTERN_WEIGHTS)[0]
    roles = ["economic", *rng.sample(["user", "technical"], 2)][:count]
    addresses: set[str] = set()
    first_names: set[str] = set()  # no two Marcos in one firm: their addresses could clash
    staff = []
    for role in roles:
        surname = family if family and (role == "economic" or rng.random() < 0.3) else ""
        first, last, full = pick_name(rng, country, surname, taken | first_names)
        taken.add(full)
        first_names.add(first)
        staff.append(
            PersonPlan(
                name=full,
                job_title=job_title(rng, role, organisation.sector),
                organisation=index,
                role=role,
                language=country.language,
                preferred_channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                emails=email_addresses(rng, country, first, last, organisation, pattern, addresses),
                phones=phone_numbers(rng, country, organisation.city),
                notes=rng.choice(names.PERSON_NOTES) if rng.random() < 0.3 else "",
            )
        )
    return staff


def pick_name(
    rng: random.Random, country: Country, surname: str, taken: set[str]
) -> tuple[str, str, str]:
    """(first name, surname, full name); neither the full nor the first name in `taken`."""
    while True:
        first = rng.choice(country.first_names)
        last = surname or rng.choice(country.surnames)
        full = f"{first} {last}"
        if country.double_surnames and rng.random() < 0.6:
            full += " " + rng.choice([name for name in country.surnames if name != last])
        if full not in taken and first not in taken:
            return first, last, full


def job_title(rng: random.Random, role: str, sector: str) -> str:
    if role == "economic":
        return rng.choice(names.ECONOMIC_TITLES + names.SECTOR_ECONOMIC_TITLES.get(sector, ()))
    if role == "user":
        return rng.choice(names.USER_TITLES + names.SECTOR_TITLES.get(sector, ()))
    return rng.choice(names.TECHNICAL_TITLES)


def email_addresses(
    rng: random.Random,
    country: Country,
    first: str,
    last: str,
    organisation: OrganisationPlan,
    pattern: str,
    taken: set[str],
) -> list[tuple[str, str]]:
    first, last = ascii_fold(first), ascii_fold(last)
    domain = organisation.website.removeprefix("https://")
    work = f"{pattern.format(first=first, last=last, f=first[0])}@{domain}"
    if work in taken:
        work = f"{first}.{last}@{domain}"
    taken.add(work)
    addresses = [(EmailAddress.Kind.WORK.value, work)]
    if rng.random() < 0.3:
        suffix = rng.choice(["", str(rng.randint(70, 99))])
        personal = f"{first}.{last}{suffix}@{rng.choice(country.mail_providers)}"
        addresses.append((EmailAddress.Kind.PERSONAL.value, personal))
    return addresses


def phone_numbers(rng: random.Random, country: Country, city: str) -> list[tuple[str, str]]:
    numbers = []
    if rng.random() < 0.85:
        numbers.append((PhoneNumber.Kind.MOBILE.value, fill_digits(rng, country.mobile)))
    if not numbers or rng.random() < 0.5:
        office = dict(country.cities)[city]
        numbers.append((PhoneNumber.Kind.WORK.value, fill_digits(rng, office)))
    return numbers
