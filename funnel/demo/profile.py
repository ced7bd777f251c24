"""The demo consultant's ideal customer (docs/method.md §1), and how she rated those she met.

Her demographic criteria are matched from each organisation's details; the five psychographic
traits every new user starts with (funnel.fit.actions.DEFAULT_TRAITS) she rates herself, once
she has met the people there, so about a third of the organisations are not rated yet.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from funnel.demo.records import DemoPlan
from funnel.fit.actions import DEFAULT_TRAITS
from funnel.sales.models import Level


@dataclass(frozen=True)
class Demographic:
    name: str
    weight: int
    attribute: str
    accepted: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None


SECTORS = ("Manufacturing", "Food production", "Hospitality", "Logistics", "Professional services")
CRITERIA = (
    Demographic("Sectors I know well", 4, "sector", accepted=", ".join(SECTORS)),
    Demographic(
        "Big enough to need me, small enough to meet the owner",
        2,
        "size",
        minimum=Decimal(10),
        maximum=Decimal(150),
    ),
    Demographic("Within a short flight of Rome", 1, "country", accepted="IT, ES, NL, SE, GB, IE"),
)
RATED, DISAPPOINTING = 26, 5  # of the 40 organisations
# Reaching these levels means she met them, or at least learnt why they said no.
KNOWN = {Level.IN, Level.BEST_FEW, Level.WON, Level.LOST, Level.DEAD}


def plan_ratings(rng: random.Random, plan: DemoPlan) -> None:
    """Ratings for those she got to know best; the worst where she lost, outside her sectors."""
    reached: dict[int, set[str]] = defaultdict(set)
    for opportunity in plan.opportunities:
        reached[opportunity.organisation].update(move.to_level for move in opportunity.moves)
    order = rng.sample(range(len(plan.organisations)), len(plan.organisations))
    rated = sorted(order, key=lambda index: not reached[index] & KNOWN)[:RATED]
    worst = sorted(
        rated,
        key=lambda index: (
            Level.WON in reached[index],
            plan.organisations[index].sector in SECTORS,
            not reached[index] & {Level.LOST, Level.DEAD},
        ),
    )[:DISAPPOINTING]
    for index in rated:
        impression = 1.6 if index in worst else 3.9 if Level.WON in reached[index] else 3.3
        plan.organisations[index].ratings = rate(rng, rng.gauss(impression, 0.4))


def rate(rng: random.Random, impression: float) -> tuple[int, ...]:
    """One rating per trait, around her overall impression."""
    return tuple(min(5, max(1, round(rng.gauss(impression, 0.7)))) for _ in DEFAULT_TRAITS)
