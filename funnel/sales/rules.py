"""The Sales Funnel's rules (docs/method.md §1) as plain functions over plain data.

Gates say what must be true before an objective moves down the funnel; drift says when a Best
few objective is not closing as it should; the normal sales cycle is measured from won deals.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.sales.models import Level

# How far down the funnel each level is; closed and parked levels sit outside it.
FUNNEL_RANK = {Level.ABOVE: 0, Level.IN: 1, Level.BEST_FEW: 2, Level.WON: 3}
OFF_FUNNEL = -1
MIN_WON_DEALS = 5
CYCLE_WINDOW = timedelta(days=730)


@dataclass(frozen=True)
class InfluenceFacts:
    name: str
    role: str  # BuyingInfluence.Role
    status: str  # BuyingInfluence.Status
    fit_confirmed: bool


@dataclass(frozen=True)
class OpportunityFacts:
    level: str
    expected_close_on: date | None
    influences: Sequence[InfluenceFacts]


@dataclass(frozen=True)
class Prerequisite:
    code: str
    text: str


def check_move(
    facts: OpportunityFacts, to_level: str, *, today: date, cycle_days: int
) -> list[Prerequisite]:
    """What is still missing before facts may move to to_level; empty means go.

    Only moves down the funnel have gates; skipping a level checks every level passed. Moving
    back up, parking in nurture and closing as lost or dead are always allowed.
    """
    start = FUNNEL_RANK.get(Level(facts.level), OFF_FUNNEL)
    end = FUNNEL_RANK.get(Level(to_level), OFF_FUNNEL)
    unmet = []
    if start < FUNNEL_RANK[Level.IN] <= end:
        unmet += fit_confirmed_gate(facts)
    if start < FUNNEL_RANK[Level.BEST_FEW] <= end:
        unmet += influences_gate(facts)
        # A deal signed now closes now: the timing rule is about waiting to sign.
        if to_level == Level.BEST_FEW:
            unmet += timing_gate(facts, today=today, cycle_days=cycle_days)
    return unmet


def fit_confirmed_gate(facts: OpportunityFacts) -> list[Prerequisite]:
    if any(i.fit_confirmed and i.status != "unknown" for i in facts.influences):
        return []
    if not facts.influences:
        text = _("Identify a buying influence, contact them and confirm the fit with them.")
    else:
        text = _("Confirm the fit with at least one buying influence you have contacted.")
    return [Prerequisite("fit_unconfirmed", text)]


def influences_gate(facts: OpportunityFacts) -> list[Prerequisite]:
    unmet = []
    if not any(i.role == "economic" for i in facts.influences):
        text = _("Identify the economic buyer, who gives the final approval.")
        unmet.append(Prerequisite("no_economic_buyer", text))
    for influence in facts.influences:
        if influence.status != "satisfied":
            text = _("Satisfy %(name)s: their needs are not met yet.") % {"name": influence.name}
            unmet.append(Prerequisite("influence_unsatisfied", text))
    return unmet


def timing_gate(facts: OpportunityFacts, *, today: date, cycle_days: int) -> list[Prerequisite]:
    if facts.expected_close_on is None:
        return [Prerequisite("no_close_date", _("Set an expected close date."))]
    latest = today + timedelta(days=cycle_days // 2)
    if facts.expected_close_on > latest:
        text = _(
            "It should close within half your normal sales cycle, by %(latest)s; "
            "the expected close is %(close)s."
        ) % {"latest": short_date(latest), "close": short_date(facts.expected_close_on)}
        return [Prerequisite("close_too_late", text)]
    return []


def drift_warnings(
    level: str, *, since: date, expected_close_on: date | None, today: date, cycle_days: int
) -> list[str]:
    """Why a Best few objective is drifting: its close date passed, or it sits there too long."""
    if level != Level.BEST_FEW:
        return []
    warnings = []
    if expected_close_on is not None and expected_close_on < today:
        warnings.append(
            _("Its expected close, %(date)s, has passed.") % {"date": short_date(expected_close_on)}
        )
    days = (today - since).days
    if days > cycle_days / 2:
        warnings.append(
            ngettext(
                "In Best few for %(days)d day, more than half your normal sales cycle.",
                "In Best few for %(days)d days, more than half your normal sales cycle.",
                days,
            )
            % {"days": days}
        )
    return warnings


@dataclass(frozen=True)
class SalesCycle:
    days: int
    won_deals: int  # how many won deals the median was taken over; 0 when it is the setting

    @property
    def measured(self) -> bool:
        return self.won_deals > 0

    @property
    def source(self) -> str:
        if not self.measured:
            return _("your setting")
        return ngettext(
            "median of %(count)d won deal", "median of %(count)d won deals", self.won_deals
        ) % {"count": self.won_deals}


def normal_sales_cycle(won_in_days: Sequence[int], *, setting_days: int) -> SalesCycle:
    """The median days from first contact to won, once there are enough won deals to trust."""
    if len(won_in_days) < MIN_WON_DEALS:
        return SalesCycle(days=setting_days, won_deals=0)
    # At least a day: deals signed at first contact must not make every Best few drift.
    days = max(1, round_half_up(statistics.median(won_in_days)))
    return SalesCycle(days=days, won_deals=len(won_in_days))


def round_half_up(value: float) -> int:
    return int(value + 0.5)


def short_date(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")
