"""Scoring an organisation against the ideal customer profile: plain data in, plain data out.

Unknown is not zero: a criterion with nothing to match (no sector given, not rated yet) leaves
the score alone and lowers how much of the profile is known instead.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

LIST_ATTRIBUTES = ("sector", "country", "city")
RANGE_ATTRIBUTES = ("size", "deal_value")


@dataclass(frozen=True)
class Criterion:
    id: int
    name: str
    weight: int
    attribute: str = ""  # empty for a psychographic criterion, rated 1 to 5
    accepted: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Prospect:
    sector: str = ""
    country: str = ""  # ISO code
    country_name: str = ""
    city: str = ""
    size: int | None = None
    deal_value: Decimal | None = None
    ratings: Mapping[int, int] = field(default_factory=dict)  # criterion id -> 1..5


@dataclass(frozen=True)
class Reason:
    criterion: str
    known: bool
    match: float  # 0 (no match) to 1 (full match); 0 when unknown
    text: str


@dataclass(frozen=True)
class Fit:
    score: int | None  # 0-100 over what is known; None when nothing is known
    known: int  # percent of the profile's weight that could be judged
    reasons: tuple[Reason, ...] = ()


def score_fit(criteria: Sequence[Criterion], prospect: Prospect) -> Fit:
    reasons = tuple(judge(criterion, prospect) for criterion in criteria)
    total = sum(c.weight for c in criteria)
    known = sum(c.weight for c, r in zip(criteria, reasons, strict=True) if r.known)
    if not known:
        return Fit(score=None, known=0, reasons=reasons)
    matched = sum(c.weight * r.match for c, r in zip(criteria, reasons, strict=True))
    return Fit(score=percent(matched, known), known=percent(known, total), reasons=reasons)


def is_poor_fit(score: int | None, threshold: int) -> bool:
    """Only a known score can exclude a prospect; an unknown one still deserves a look."""
    return score is not None and score < threshold


def percent(part: float, whole: float) -> int:
    return int(100 * part / whole + 0.5)


def judge(criterion: Criterion, prospect: Prospect) -> Reason:
    if criterion.attribute in LIST_ATTRIBUTES:
        return judge_list(criterion, prospect)
    if criterion.attribute in RANGE_ATTRIBUTES:
        return judge_range(criterion, prospect)
    return judge_rating(criterion, prospect.ratings.get(criterion.id))


def judge_list(criterion: Criterion, prospect: Prospect) -> Reason:
    value = getattr(prospect, criterion.attribute)
    if not value:
        return unknown(criterion, _("%(criterion)s: not known yet."))
    names = {value.casefold()}
    if criterion.attribute == "country" and prospect.country_name:
        names.add(prospect.country_name.casefold())
        value = prospect.country_name
    accepted = {item.casefold() for item in criterion.accepted}
    if names & accepted:
        text = _("%(criterion)s: %(value)s is on your list.")
    else:
        text = _("%(criterion)s: %(value)s is not on your list.")
    match = 1.0 if names & accepted else 0.0
    return Reason(criterion.name, True, match, text % {"criterion": criterion.name, "value": value})


def judge_range(criterion: Criterion, prospect: Prospect) -> Reason:
    value = getattr(prospect, criterion.attribute)
    if value is None:
        return unknown(criterion, _("%(criterion)s: not known yet."))
    low, high = criterion.minimum, criterion.maximum
    inside = (low is None or value >= low) and (high is None or value <= high)
    if inside:
        text = _("%(criterion)s: %(value)s is within %(range)s.")
    else:
        text = _("%(criterion)s: %(value)s is outside %(range)s.")
    params = {"criterion": criterion.name, "value": number(value), "range": range_text(low, high)}
    return Reason(criterion.name, True, 1.0 if inside else 0.0, text % params)


def judge_rating(criterion: Criterion, rating: int | None) -> Reason:
    if rating is None:
        return unknown(criterion, _("%(criterion)s: not rated yet."))
    text = _("%(criterion)s: rated %(rating)s of 5.") % {
        "criterion": criterion.name,
        "rating": rating,
    }
    return Reason(criterion.name, True, (rating - 1) / 4, text)


def unknown(criterion: Criterion, text: str) -> Reason:
    return Reason(criterion.name, False, 0.0, text % {"criterion": criterion.name})


def range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return _("%(low)s to %(high)s") % {"low": number(low), "high": number(high)}
    if low is not None:
        return _("%(low)s or more") % {"low": number(low)}
    if high is not None:
        return _("up to %(high)s") % {"high": number(high)}
    return _("any amount")


def number(value: Decimal | int) -> str:
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
