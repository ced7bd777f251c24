"""How opportunities of equal urgency rank: value times the customer's fit."""

from decimal import Decimal

# Where a fit must be a number, an unknown one counts as average: neither buried nor promoted.
UNKNOWN_FIT = 50


def ranking_weight(value: Decimal, fit_score: int | None) -> Decimal:
    """Value times fit: how Today and the board rank objectives of equal urgency."""
    return value * (UNKNOWN_FIT if fit_score is None else fit_score)
