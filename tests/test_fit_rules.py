"""The ideal customer's scoring rules, without the database."""

from decimal import Decimal

import pytest
from django.utils import translation

from funnel.fit.forms import country_code
from funnel.fit.rules import Criterion, Prospect, is_poor_fit, score_fit


def sector(*accepted: str, weight: int = 3, id: int = 1) -> Criterion:
    return Criterion(id=id, name="Sector", weight=weight, attribute="sector", accepted=accepted)


def trait(id: int = 2, weight: int = 3) -> Criterion:
    return Criterion(id=id, name="Reputation", weight=weight)


# The rules, without the database


def test_an_unrated_criterion_is_unknown_not_zero() -> None:
    fit = score_fit([sector("Furniture"), trait()], Prospect(sector="Furniture"))
    assert fit.score == 100
    assert fit.known == 50
    assert [reason.known for reason in fit.reasons] == [True, False]
    assert fit.reasons[1].text == "Reputation: not rated yet."


def test_a_missing_detail_is_unknown_not_zero() -> None:
    fit = score_fit([sector("Furniture"), trait(weight=1)], Prospect(ratings={2: 5}))
    assert (fit.score, fit.known) == (100, 25)
    assert fit.reasons[0].text == "Sector: not known yet."


def test_weights_decide_how_much_each_criterion_counts() -> None:
    criteria = [sector("Furniture", weight=1), trait(weight=3)]
    assert score_fit(criteria, Prospect(sector="Furniture", ratings={2: 1})).score == 25
    assert score_fit(criteria, Prospect(sector="Banking", ratings={2: 5})).score == 75


@pytest.mark.parametrize(("rating", "score"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_a_rating_of_1_is_no_match_and_5_a_full_match(rating: int, score: int) -> None:
    fit = score_fit([trait()], Prospect(ratings={2: rating}))
    assert (fit.score, fit.known) == (score, 100)
    assert fit.reasons[0].text == f"Reputation: rated {rating} of 5."


@pytest.mark.parametrize(
    ("criterion", "prospect", "matches"),
    [
        (sector("Furniture", "Retail"), Prospect(sector="retail"), True),  # any case
        (sector("Furniture"), Prospect(sector="Banking"), False),
        (
            Criterion(1, "City", 3, "city", accepted=("Bologna", "Modena")),
            Prospect(city="Modena"),
            True,
        ),
        (Criterion(1, "City", 3, "city", accepted=("Bologna",)), Prospect(city="Rome"), False),
        (
            Criterion(1, "Country", 3, "country", accepted=("IT",)),
            Prospect(country="IT", country_name="Italy"),
            True,
        ),
        (
            Criterion(1, "Country", 3, "country", accepted=("italy",)),
            Prospect(country="IT", country_name="Italy"),
            True,
        ),
        (
            Criterion(1, "Country", 3, "country", accepted=("DE", "France")),
            Prospect(country="IT", country_name="Italy"),
            False,
        ),
        (
            Criterion(1, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(50)),
            Prospect(size=50),  # both ends count
            True,
        ),
        (
            Criterion(1, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(50)),
            Prospect(size=51),
            False,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", minimum=Decimal(5000)),
            Prospect(deal_value=Decimal("1000000")),  # open-ended: or more
            True,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", maximum=Decimal(5000)),
            Prospect(deal_value=Decimal("4999.50")),  # open-ended: up to
            True,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", minimum=Decimal(5000)),
            Prospect(deal_value=Decimal("4999.99")),
            False,
        ),
    ],
)
def test_each_demographic_attribute_matches_its_field(
    criterion: Criterion, prospect: Prospect, matches: bool
) -> None:
    fit = score_fit([criterion], prospect)
    assert fit.score == (100 if matches else 0)
    assert fit.known == 100


def test_reasons_say_why_in_words() -> None:
    criteria = [
        sector("Furniture"),
        Criterion(2, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(1000)),
        Criterion(3, "Country", 3, "country", accepted=("DE",)),
        Criterion(4, "Deals", 3, "deal_value", minimum=Decimal(5000)),
    ]
    prospect = Prospect(
        sector="Furniture", size=45, country="IT", country_name="Italy", deal_value=Decimal(900)
    )
    assert [reason.text for reason in score_fit(criteria, prospect).reasons] == [
        "Sector: Furniture is on your list.",
        "Size: 45 is within 10 to 1,000.",
        "Country: Italy is not on your list.",
        "Deals: 900 is outside 5,000 or more.",
    ]


def test_with_no_criteria_at_all_there_is_no_score() -> None:
    fit = score_fit([], Prospect(sector="Furniture"))
    assert (fit.score, fit.known, fit.reasons) == (None, 0, ())


def test_when_nothing_is_known_there_is_no_score_rather_than_zero() -> None:
    fit = score_fit([sector("Furniture"), trait()], Prospect())
    assert (fit.score, fit.known) == (None, 0)


@pytest.mark.parametrize(
    ("score", "threshold", "poor"),
    [(39, 40, True), (40, 40, False), (0, 1, True), (0, 0, False), (None, 40, False)],
)
def test_only_a_known_score_below_the_threshold_is_a_poor_fit(
    score: int | None, threshold: int, poor: bool
) -> None:
    assert is_poor_fit(score, threshold) is poor


@pytest.mark.parametrize(
    ("typed", "code"),
    [("IT", "IT"), ("it", "IT"), ("Italy", "IT"), (" germany ", "DE"), ("Atlantis", None)],
)
def test_a_country_is_found_by_code_or_english_name(typed: str, code: str | None) -> None:
    assert country_code(typed) == code


def test_a_country_is_found_by_its_name_in_the_readers_language() -> None:
    with translation.override("it"):
        assert country_code("Germania") == "DE"
