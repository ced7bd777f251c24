"""How often a person is contacted (docs/method.md §2.3, the pest guard), as pure functions.

Plain data in, plain data out: the person page loads the moments and shows the figures.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from funnel.followup.rules import PEST_WINDOW, busiest_week

AVERAGE_OVER = timedelta(days=90)


@dataclass(frozen=True)
class Moment:
    """A contact done or planned: when, and how (a label such as "Call" or "Phone")."""

    at: datetime
    how: str = ""


@dataclass(frozen=True)
class Frequency:
    last_7_days: int
    last_30_days: int
    last_90_days: int
    average_gap_days: int | None  # between contacts in the last 90 days; None with fewer than 2
    last_contact: Moment | None
    next_planned: Moment | None
    busiest_coming_week: int  # the most contacts in 7 days that hold a planned one, coming week
    limit: int  # the user's contacts per person in 7 days

    @property
    def over_limit(self) -> bool:
        return self.last_7_days > self.limit

    @property
    def over_limit_coming(self) -> bool:
        return self.busiest_coming_week > self.limit


def contact_frequency(
    *, past: Sequence[Moment], planned: Sequence[Moment], now: datetime, limit: int
) -> Frequency:
    """The figures of a person's contacts: done ones (`past`) and those still `planned`."""
    done = sorted((moment for moment in past if moment.at <= now), key=lambda m: m.at)
    coming = sorted((moment for moment in planned if moment.at >= now), key=lambda m: m.at)
    times = [moment.at for moment in done]
    return Frequency(
        last_7_days=count_since(times, now - timedelta(days=7)),
        last_30_days=count_since(times, now - timedelta(days=30)),
        last_90_days=count_since(times, now - AVERAGE_OVER),
        average_gap_days=average_gap_days([at for at in times if at > now - AVERAGE_OVER]),
        last_contact=done[-1] if done else None,
        next_planned=coming[0] if coming else None,
        busiest_coming_week=busiest_coming_week(times, [m.at for m in coming], now),
        limit=limit,
    )


def count_since(times: Sequence[datetime], since: datetime) -> int:
    return sum(1 for at in times if at > since)


def average_gap_days(times: Sequence[datetime]) -> int | None:
    """Whole days between one contact and the next, on average; `times` in order."""
    if len(times) < 2:
        return None
    return round((times[-1] - times[0]) / timedelta(days=1) / (len(times) - 1))


def busiest_coming_week(
    done: Sequence[datetime], planned: Sequence[datetime], now: datetime
) -> int:
    """The pest guard's count for each contact planned in the coming 7 days: the highest."""
    counts = [
        busiest_week(at, [*done, *planned[:index], *planned[index + 1 :]])
        for index, at in enumerate(planned)
        if now <= at < now + PEST_WINDOW
    ]
    return max(counts, default=0)
