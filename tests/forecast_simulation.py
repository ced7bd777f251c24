"""A simulated solo practice, for the forecast's tests: plain paths, a deterministic seed.

Each working week the practice finds eight to twelve prospects (a coach, say, whose talks and
referrals bring in small packages). A prospect is qualified (In the
funnel) after one to three weeks six times in ten, reaches Best few after two to four more
weeks six times in ten, and is signed after one to three more weeks eight times in ten; the
others are lost. A deal is worth 600 when it is opened, and what is signed in a month is
worth that times a factor between 0.75 and 1.25 drawn for the month: income wobbles by up to a
quarter from month to month, so chance dips exist.

The busy practice stops prospecting for six weeks whenever its funnel fills up (In and Best
few at BUSY or more), at most once every half year; the steady one keeps its blocks.
"""

import random
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from funnel.forecast.paths import WON, Path, level_on, month_starts

START = date(2024, 1, 1)  # a Monday
WEEKS = 182
NOMINAL = 600.0
WEEKLY = (8, 12)  # new prospects a week while prospecting
BUSY = 28
STOP_FOR = 6  # weeks
REST = 26  # weeks between stops at least


@dataclass(frozen=True)
class Practice:
    lives: list[Path]  # each prospect's whole life, decided when it is found
    month_factor: dict[date, float]
    stops: list[date]  # the Mondays prospecting stopped

    def known(self, as_of: date) -> list[Path]:
        """What the practice's Funnel held at the end of as_of: signed deals at what they
        were signed for, the others at the value they were opened with."""
        paths = []
        for life in self.lives:
            path = life.known_on(as_of)
            if path is not None and path.level == WON:
                path = Path(
                    path.moves, NOMINAL * self.month_factor[path.moves[-1][0].replace(day=1)]
                )
            if path is not None:
                paths.append(path)
        return paths

    def income(self, months: list[date]) -> list[float]:
        """What was signed in each month, in the end."""
        signed = {month: 0.0 for month in months}
        for life in self.lives:
            if life.level == WON and (month := life.moves[-1][0].replace(day=1)) in signed:
                signed[month] += NOMINAL * self.month_factor[month]
        return [signed[month] for month in months]


def practice(seed: int, *, stops: bool) -> Practice:
    rng = random.Random(seed)
    factors = {m: rng.uniform(0.75, 1.25) for m in month_starts(START, WEEKS // 4 + 12)}
    lives: list[Path] = []
    stopped: list[date] = []
    resume = 0
    for week in range(WEEKS):
        monday = START + timedelta(weeks=week)
        if stops and week >= resume + REST and week >= 52:
            busy = sum(1 for life in lives if level_on(life, monday) in ("in", "best_few"))
            if busy >= BUSY:
                stopped.append(monday)
                resume = week + STOP_FOR
        if stopped and week < resume:
            continue
        for _ in range(rng.randint(*WEEKLY)):
            lives.append(life_of(rng, monday + timedelta(days=rng.randint(0, 4))))
    return Practice(lives, factors, stopped)


def life_of(rng: random.Random, found: date) -> Path:
    moves = [(found, "above")]
    day = found
    for level, chance, weeks in (
        ("in", 0.6, (1, 3)),
        ("best_few", 0.6, (2, 4)),
        (WON, 0.8, (1, 3)),
    ):
        day += timedelta(days=rng.randint(7 * weeks[0], 7 * weeks[1]))
        if rng.random() >= chance:
            moves.append((day, "lost"))
            break
        moves.append((day, level))
    return Path(tuple(moves), NOMINAL)


def cycle_days(paths: list[Path]) -> int:
    """The normal sales cycle as Funnel measures it: the median days from creation to won."""
    won = [(p.moves[-1][0] - p.created).days for p in paths if p.level == WON]
    return max(1, round(statistics.median(won))) if len(won) >= 5 else 90
