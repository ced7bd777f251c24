"""Every page of a user whose data sits at the edges of the sane ranges, timed.

    uv run python -m benchmarks.extremes [--data-dir .bench-extremes] [--requests 5]

Two rounds on a fresh SQLite database:
1. "at the limits": what the forms still accept at the edges (funnel.lib.bounds): a prospecting
   block and goals that began fifty years ago, follow-ups and quotes ten years ahead.
2. "stored beyond": the same user with rows stored outside the ranges before they existed
   (year 1 and year 9999 in every date the pages compute from).
Each page's median server time is printed; the target is under a second for every page.
"""

import argparse
import datetime as dt
import statistics
import sys
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

from benchmarks import start_django
from benchmarks.generate import start_fresh

if TYPE_CHECKING:  # the models can only be imported once Django is set up
    from django.contrib.auth.models import User

DEFAULT_DATA_DIR = Path(".bench-extremes")
TARGET_MS = 1000.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    return parser.parse_args(argv)


def build_at_the_limits() -> "User":
    """A user with a deal at each level and everything dated at the edges of the ranges."""
    from django.utils import timezone

    from funnel.accounts.actions import create_user
    from funnel.contacts.models import Organisation, Person
    from funnel.followup import actions as follow_ups
    from funnel.goals.models import Goal, Metric, Period
    from funnel.lib import bounds
    from funnel.prospecting.models import Block
    from funnel.quotes.models import Quote
    from funnel.sales.actions import create_opportunity, move_opportunity
    from funnel.sales.models import Activity, Level, Opportunity

    user = create_user(username="edges", password="edges-password", time_zone="Europe/Rome")
    team = user.profile.team
    today = timezone.localdate()
    first, last = bounds.earliest(today), bounds.latest(today)
    company = Organisation.objects.create(team=team, name="Ferretti Arredamenti")
    person = Person.objects.create(team=team, name="Giulia Ferretti", organisation=company)
    for level in [Level.ABOVE, Level.IN, Level.BEST_FEW, Level.WON, Level.NURTURE]:
        deal = create_opportunity(
            opportunity=Opportunity(
                team=team,
                owner=user,
                title=f"Deal {level}",
                organisation=company,
                main_contact=person,
                currency="EUR",
                value=1000,
                first_contact_on=first,
                expected_close_on=last,
            ),
            by=user,
        )
        if level != Level.ABOVE:
            move_opportunity(opportunity=deal, to_level=level, by=user, override_reason="x")
        if level in (Level.IN, Level.ABOVE):
            planned = follow_ups.proposed_follow_up(deal)
            planned.due_at = dt.datetime.combine(last, dt.time(9), user.profile.zone)
            follow_ups.schedule(follow_up=planned)
        Activity.objects.create(
            team=team,
            opportunity=deal,
            by=user,
            kind="call",
            occurred=dt.datetime.combine(first, dt.time(9), user.profile.zone),
        )
    best_few = Opportunity.objects.get(owner=user, level=Level.BEST_FEW)
    Quote.objects.create(
        team=team,
        opportunity=best_few,
        number="Q-1",
        amount=1000,
        currency="EUR",
        status="sent",
        sent_on=first,
        valid_until=last,
    )
    for period in Period.values:
        Goal.objects.create(
            owner=user,
            metric=Metric.PROSPECTS,
            period=period,
            target=3,
            reward="Tea",
            starts_on=first,
        )
    Block.objects.create(
        team=team,
        owner=user,
        title="Prospecting",
        starts_on=first,
        start_time=dt.time(9),
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR",
    )
    return user


def store_beyond_the_ranges(user: "User") -> None:
    """Year 1 and year 9999 where forms no longer accept them: rows from before the ranges."""
    from funnel.followup.models import FollowUp
    from funnel.goals.models import Goal
    from funnel.prospecting.models import Block
    from funnel.sales.models import Activity, Opportunity

    year_1 = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC)
    year_9999 = dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)
    FollowUp.objects.filter(assigned_to=user).update(due_at=year_9999)
    Opportunity.objects.filter(owner=user).update(
        next_step_at=year_9999, expected_close_on=year_9999.date(), first_contact_on=year_1.date()
    )
    Activity.objects.filter(by=user).update(occurred=year_1)
    Goal.objects.filter(owner=user).update(starts_on=year_1.date())
    Block.objects.filter(owner=user).update(starts_on=year_1.date())


def time_pages(user: "User", requests: int) -> list[tuple[str, int, float]]:
    from django.test import Client

    from benchmarks.user_pages import PAGES

    client = Client()
    client.force_login(user)
    rows = []
    for name, address in PAGES:
        url = address(user)
        status = client.get(url).status_code  # a warm-up
        times = []
        for _ in range(requests):
            started = perf_counter()
            client.get(url)
            times.append((perf_counter() - started) * 1000)
        rows.append((name, status, statistics.median(times)))
    return rows


def report(title: str, rows: list[tuple[str, int, float]]) -> str:
    lines = [title, f"{'page':<24} {'status':>6} {'median ms':>10}"]
    lines += [f"{name:<24} {status:>6} {ms:>10.1f}" for name, status, ms in rows]
    slowest = max(rows, key=lambda row: row[2])
    failed = [name for name, status, _ms in rows if status >= 400]
    verdict = "every page under a second" if slowest[2] < TARGET_MS else "TOO SLOW"
    lines.append(f"slowest: {slowest[0]}, {slowest[2]:.0f} ms: {verdict}")
    if failed:
        lines.append(f"FAILED: {', '.join(failed)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    start_fresh(args.data_dir)
    start_django(args.data_dir)

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = build_at_the_limits()
    print(report("At the limits of the ranges", time_pages(user, args.requests)))
    store_beyond_the_ranges(user)
    print()
    print(report("Stored beyond them (year 1, year 9999)", time_pages(user, args.requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
