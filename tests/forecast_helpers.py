"""What the forecast tests share: a selling history written through the models as Funnel keeps
it (each opportunity's level is its last move's, `level_changed` that move's time, one
`LevelChange` per move), and a practice that prospects every week, or stopped lately.
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from funnel.contacts.models import Organisation
from funnel.sales.models import LEVELS_NEEDING_REASON, Level, LevelChange, Opportunity

UTC = dt.UTC
# Wednesday 18 November 2026, mid-month: the forecast's first month is November.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
DRY_SPELL = "income falls to"  # what the dry-spell warning says, in English
PER_WEEK = (3, 5)  # new prospects a week, while prospecting
VALUE = 1000


@dataclass(frozen=True)
class Life:
    """One opportunity's moves, oldest first (the first is its creation), and its value."""

    moves: Sequence[tuple[dt.datetime, str]]
    value: int = VALUE
    currency: str = "EUR"
    title: str = field(default="Deal", compare=False)


def write_history(user: User, organisation: Organisation, lives: Sequence[Life]) -> list[int]:
    """The opportunities and their level history, in a few queries; their ids, in order."""
    zone = user.profile.zone
    rows = [
        Opportunity(
            team=user.profile.team,
            owner=user,
            title=f"{life.title} {index}",
            organisation=organisation,
            value=Decimal(life.value),
            currency=life.currency,
            level=life.moves[-1][1],
            level_changed=life.moves[-1][0],
            first_contact_on=timezone.localdate(life.moves[0][0], zone),
            progress_at=life.moves[-1][0],
            reason="Chose another supplier" if life.moves[-1][1] in LEVELS_NEEDING_REASON else "",
        )
        for index, life in enumerate(lives)
    ]
    written = Opportunity.objects.bulk_create(rows, batch_size=500)
    changes = []
    for opportunity, life in zip(written, lives, strict=True):
        before = ""
        for at, level in life.moves:
            changes.append(
                LevelChange(
                    opportunity=opportunity,
                    at=at,
                    by=user,
                    from_level=before,
                    to_level=level,
                    reason="Chose another supplier" if level in LEVELS_NEEDING_REASON else "",
                )
            )
            before = level
    LevelChange.objects.bulk_create(changes, batch_size=500)
    return [opportunity.pk for opportunity in written]


# Qualified after one to two weeks six times in ten, Best few two to three weeks later six
# times in ten, signed one to two weeks later eight times in ten; the others are lost.
STEPS = ((Level.IN, 0.6, (7, 14)), (Level.BEST_FEW, 0.6, (14, 21)), (Level.WON, 0.8, (7, 14)))


def life_of(rng: random.Random, found: dt.datetime, now: dt.datetime) -> Life:
    """A prospect found then, as far as its story got by now."""
    moves = [(found, str(Level.ABOVE))]
    at = found
    for level, chance, days in STEPS:
        at += dt.timedelta(days=rng.randint(*days))
        if at > now:
            break
        if rng.random() >= chance:
            moves.append((at, str(Level.LOST)))
            break
        moves.append((at, str(level)))
    return Life(tuple(moves))


def practice(*, now: dt.datetime = NOW, weeks: int = 60, quiet_days: int = 0) -> list[Life]:
    """Three to five new prospects every working week for `weeks` weeks up to now, none in the
    last `quiet_days` days. About 240 opportunities, a dozen won a month."""
    rng = random.Random(7)
    monday = (now - dt.timedelta(days=now.weekday())).replace(hour=9, minute=0)
    last = now - dt.timedelta(days=quiet_days)
    lives = []
    for back in range(weeks, -1, -1):
        week = monday - dt.timedelta(weeks=back)
        for _ in range(rng.randint(*PER_WEEK)):
            found = week + dt.timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 7))
            if found <= last:
                lives.append(life_of(rng, found, now))
    return lives


def prospecting_history(
    user: User, organisation: Organisation, *, quiet_days: int = 0, now: dt.datetime = NOW
) -> list[int]:
    """A year and more of weekly prospecting, stopped `quiet_days` days ago (0: never)."""
    return write_history(user, organisation, practice(now=now, quiet_days=quiet_days))
