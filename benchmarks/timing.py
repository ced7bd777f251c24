"""Timing pages in-process, and the SQL statements they run, on the benchmark data set.

Import after Django is set up (benchmarks.start_django).
"""

import re
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from time import perf_counter
from typing import NamedTuple

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from funnel.contacts.models import Person
from funnel.sales.models import Level, Opportunity

TARGET_MS = 20.0  # median server time
REPORTS_TARGET_MS = 50.0  # Reports draws five charts from the kept outlook
SERVER_SIDE_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (WITH HOLD )?FOR ')


@dataclass(frozen=True)
class Timing:
    page: str
    url: str
    median_ms: float
    p90_ms: float
    queries: int
    raw_sql_ms: float
    target_ms: float = TARGET_MS

    @property
    def ratio(self) -> float:
        return self.median_ms / self.raw_sql_ms if self.raw_sql_ms else float("inf")

    @property
    def meets_target(self) -> bool:
        # The ratio to raw SQL is shown, not judged: see "The target" in benchmarks/README.md.
        return self.median_ms < self.target_ms

    def as_dict(self) -> dict[str, object]:
        figures = {**asdict(self), "ratio": self.ratio}
        rounded = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
        return {**rounded, "meets_target": self.meets_target}

    def cells(self) -> tuple[str, ...]:
        return (
            self.page,
            f"{self.median_ms:.1f}",
            f"{self.p90_ms:.1f}",
            str(self.queries),
            f"{self.raw_sql_ms:.2f}",
            f"{self.ratio:.1f}x",
        )


@dataclass(frozen=True)
class Missing:
    """A page that could not be timed: not built yet, or it failed."""

    page: str
    why: str

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "meets_target": False}


def showcase(user: User) -> Opportunity | None:
    """The user's Best few opportunity with the most activities."""
    return (
        Opportunity.objects.visible_to(user)
        .filter(level=Level.BEST_FEW)
        .annotate(logged=Count("activities"))
        .order_by("-logged", "pk")
        .first()
    )


class Page(NamedTuple):
    name: str
    url: Callable[[], str]  # raises NoReverseMatch while the page doesn't exist
    signed_in: bool = True  # a calendar app asks for the feed without a session
    rebuilt: bool = False  # forget what the server kept, so each request builds it again
    target_ms: float = TARGET_MS


def pages(user: User) -> list[Page]:
    opportunity = showcase(user)

    def feed_url() -> str:
        return reverse("calendar_feed", args=[user.profile.calendar_token])

    def opportunity_url() -> str:
        if opportunity is None:
            raise NoReverseMatch("no Best few opportunity")
        return reverse("opportunity_detail", args=[opportunity.pk])

    def person_url() -> str:
        """The person the user has worked with most: the longest contact history."""
        people = Person.objects.filter(team=user.profile.team).annotate(n=Count("activities"))
        busiest = people.order_by("-n", "pk").first()
        if busiest is None:
            raise NoReverseMatch("no person")
        return reverse("person_detail", args=[busiest.pk])

    return [
        Page("Today", lambda: reverse("today")),
        Page("Funnel board", lambda: reverse("funnel_board")),
        Page("Opportunity", opportunity_url),
        Page("Person, busiest", person_url),
        Page("Reports", lambda: reverse("reports"), target_ms=REPORTS_TARGET_MS),
        Page("Calendar feed", feed_url, signed_in=False),
        Page("Calendar feed, rebuilt", feed_url, signed_in=False, rebuilt=True),
    ]


def milliseconds(run: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = perf_counter()
        run()
        samples.append((perf_counter() - started) * 1000)
    return samples


def fetch(client: Client, url: str, *, rebuilt: bool = False) -> None:
    if rebuilt:
        cache.clear()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")


def statements(client: Client, url: str) -> list[str]:
    """The SQL one request runs, with its parameters filled in.

    On PostgreSQL, QuerySet.iterator() (model choice fields use it) runs its SELECT through a
    named server-side cursor; the SELECT alone fetches the same rows.
    """
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return [SERVER_SIDE_CURSOR.sub("", query["sql"]) for query in captured.captured_queries]


def run_raw(sql: list[str]) -> None:
    """Each statement on a plain cursor, every row fetched: the floor for the page's data."""
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
            if cursor.description is not None:
                cursor.fetchall()


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10, method="inclusive")[-1]


def time_page(
    client: Client,
    page: str,
    url: str,
    requests: int,
    warmup: int,
    *,
    rebuilt: bool = False,
    target_ms: float = TARGET_MS,
) -> Timing:
    for _ in range(warmup):
        fetch(client, url, rebuilt=rebuilt)
    server = milliseconds(lambda: fetch(client, url, rebuilt=rebuilt), requests)
    if rebuilt:
        cache.clear()
    sql = statements(client, url)
    for _ in range(warmup):
        run_raw(sql)
    raw = milliseconds(lambda: run_raw(sql), requests)
    return Timing(
        page=page,
        url=url,
        median_ms=statistics.median(server),
        p90_ms=p90(server),
        queries=len(sql),
        raw_sql_ms=statistics.median(raw),
        target_ms=target_ms,
    )


def measure(user: User, requests: int, warmup: int) -> list[Timing | Missing]:
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(user)
    results: list[Timing | Missing] = []
    for page in pages(user):
        try:
            url = page.url()
        except NoReverseMatch:
            results.append(Missing(page.name, "not available"))
            continue
        client = signed_in if page.signed_in else anonymous
        try:
            timing = time_page(
                client,
                page.name,
                url,
                requests,
                warmup,
                rebuilt=page.rebuilt,
                target_ms=page.target_ms,
            )
            results.append(timing)
        except Exception as exc:  # a page under construction: report it, time the others
            results.append(Missing(page.name, f"failed: {type(exc).__name__}: {exc}"))
    return results


def table(results: list[Timing | Missing], requests: int) -> str:
    """An aligned table; a page that wasn't timed gets its reason instead of figures."""
    header = ("page", "median ms", "p90 ms", "queries", "raw SQL ms", "ratio")
    rows = [r.cells() for r in results if isinstance(r, Timing)]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    widths[0] = max(widths[0], *(len(r.page) for r in results))
    figures = iter(rows)
    lines = [f"{requests} requests per page after a warm-up, in-process", line(header, widths)]
    for r in results:
        if isinstance(r, Missing):
            lines.append(f"{r.page.ljust(widths[0])}  {r.why}")
        else:
            lines.append(line(next(figures), widths))
    return "\n".join(lines)


def line(cells: tuple[str, ...], widths: list[int]) -> str:
    first, *others = cells
    padded = [first.ljust(widths[0])]
    padded += [cell.rjust(width) for cell, width in zip(others, widths[1:], strict=True)]
    return "  ".join(padded)


def verdicts(results: list[Timing | Missing]) -> str:
    lines = []
    for r in results:
        if isinstance(r, Missing):
            lines.append(f"{r.page}: not measured ({r.why})")
        elif r.meets_target:
            lines.append(f"{r.page}: meets the target (< {r.target_ms:g} ms)")
        else:
            lines.append(
                f"{r.page}: misses the target (< {r.target_ms:g} ms): {r.median_ms:.1f} ms, "
                f"{r.ratio:.1f}x its raw SQL"
            )
    return "\n".join(lines)
