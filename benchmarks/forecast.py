"""How long the benchmark user's forecast takes to compute, and to read once it is kept.

    uv run python -m benchmarks.forecast [--data-dir .bench-data] [--repeat 7]

Build the data set first (`uv run python -m benchmarks.generate`). Prints the median of
--repeat runs of each step, in milliseconds:

- loading the history (the level history of the user's opportunities) from the database;
- the model and the alerts over those paths (funnel.forecast.outlook, pure Python and numpy);
- both together, as the worker computes it (funnel.forecast.facts.compute);
- reading it back once stored, as Today, Reports and the weekly review do
  (funnel.forecast.facts.outlook_for: the version query, the row, and turning it back into
  data), and of that the version query alone.

The targets (issue 14): at most 200 ms to compute, at most 2 ms to read.
"""

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks import DEFAULT_DATA_DIR, start_django


def median_ms(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = perf_counter()
        step()
        times.append((perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each step")
    args = parser.parse_args(argv)
    start_django(args.data_dir)

    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.utils import timezone

    from benchmarks.dataset import USERNAME
    from funnel.forecast import facts
    from funnel.forecast.outlook import outlook
    from funnel.sales.facts import sales_cycle

    user = User.objects.select_related("profile").get(username=USERNAME)
    profile = user.profile
    now = timezone.now()
    as_of = timezone.localdate(now, profile.zone)
    timezone.activate(profile.zone)
    paths = facts.load_history(profile, as_of=as_of)
    cycle = sales_cycle(user, now=now).days
    target = None if profile.income_target is None else float(profile.income_target)

    def model() -> None:
        outlook(
            paths, as_of=as_of, cycle_days=cycle, target=target, tolerance=profile.income_tolerance
        )

    facts.refresh(user, now=now)

    def read() -> None:
        cache.clear()  # the stored row, not the process's cache
        facts.outlook_for(user, now=now)

    figures = [
        (
            "load the history",
            median_ms(lambda: facts.load_history(profile, as_of=as_of), args.repeat),
        ),
        ("model and alerts", median_ms(model, args.repeat)),
        ("compute (both)", median_ms(lambda: facts.compute(user, as_of=as_of), args.repeat)),
        ("read the stored outlook", median_ms(read, max(args.repeat, 50))),
        (
            "  of which the version",
            median_ms(lambda: facts.version_of(profile, as_of=as_of), max(args.repeat, 50)),
        ),
    ]
    print(f"{USERNAME}: {len(paths.value):,} opportunities and {len(paths.day):,} moves read")
    for name, ms in figures:
        print(f"{name:<28} {ms:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
