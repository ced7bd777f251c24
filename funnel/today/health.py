"""Prospecting health (docs/method.md §4): the three ways owners let prospecting slow down.

Plain data in, plain data out; the Today card and Reports load the figures and show the cures.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Prospecting below this share of the plan, or falling by more than this, is a slowdown.
BELOW_PLAN = 0.75
FALLING = 0.75


# The three kinds of owners who let prospecting slow down, named.
NAMES = {
    "unaware": gettext_lazy("Prospecting fading without your noticing"),
    "intentional": gettext_lazy("Counting on unsigned quotes"),
    "comfortable": gettext_lazy("No goal to reach"),
}


@dataclass(frozen=True)
class Slowdown:
    kind: str  # "unaware", "intentional" or "comfortable"
    finding: str
    cure: str
    action: str  # the URL name of the page that applies the cure

    @property
    def name(self) -> str:
        return str(NAMES[self.kind])


def unaware(weekly_minutes: Sequence[int], planned_per_week: int) -> Slowdown | None:
    """Prospecting fading without the owner noticing, over the last weeks (oldest first)."""
    if not weekly_minutes:
        return None
    recent = sum(weekly_minutes[-2:]) / len(weekly_minutes[-2:])
    earlier = weekly_minutes[:-2]
    falling = bool(earlier) and recent < FALLING * (sum(earlier) / len(earlier))
    short = planned_per_week > 0 and recent < BELOW_PLAN * planned_per_week
    if planned_per_week == 0 and not falling:
        return Slowdown(
            "unaware",
            _("No prospecting time is planned on your calendar."),
            _("Plan a weekly prospecting block and treat it as sacred."),
            "prospecting_blocks",
        )
    if not (falling or short):
        return None
    hours = round(recent / 60, 1)
    if short:
        finding = _(
            "You prospected %(hours)s hours a week lately, against the %(planned)s you planned."
        ) % {"hours": hours, "planned": round(planned_per_week / 60, 1)}
    else:
        finding = _("Your prospecting fell to %(hours)s hours a week over the last two weeks.") % {
            "hours": hours
        }
    return Slowdown(
        "unaware",
        finding,
        _("Keep the prospecting blocks on your calendar: they are sacred."),
        "prospecting_blocks",
    )


def intentional(open_quotes: Decimal, won: Decimal) -> Slowdown | None:
    """Counting on unsigned quotes: more is waiting for a signature than was won lately."""
    if open_quotes <= 0 or open_quotes <= won:
        return None
    return Slowdown(
        "intentional",
        _("More is waiting in unsigned quotes than you won in the last 90 days."),
        _("It is not business until it is signed: keep prospecting, and let quotes expire."),
        "quote_list",
    )


def comfortable(active_goals: int) -> Slowdown | None:
    if active_goals:
        return None
    return Slowdown(
        "comfortable",
        _("You have no goal, so slowing down costs you nothing you can see."),
        _("Set a goal, and the reward you will claim when you reach it."),
        "goals",
    )


def diagnose(
    *,
    weekly_minutes: Sequence[int],
    planned_per_week: int,
    open_quotes: Decimal,
    won: Decimal,
    active_goals: int,
) -> list[Slowdown]:
    """The slowdowns that show, in docs/method.md's order."""
    found = [
        unaware(weekly_minutes, planned_per_week),
        intentional(open_quotes, won),
        comfortable(active_goals),
    ]
    return [slowdown for slowdown in found if slowdown is not None]
