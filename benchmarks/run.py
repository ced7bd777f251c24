"""Time the pages a user opens all day (Reports among them) on the benchmark data.

    uv run python -m benchmarks.run [--data-dir .bench-data] [--requests 50] [--json]

Server time is how long Django takes to answer a request in-process (django.test.Client, no
network); raw SQL is how long the same statements take on a plain cursor, rows fetched.
"""

import argparse
import json
import sys
from pathlib import Path

from benchmarks import DEFAULT_DATA_DIR, start_django


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not args.data_dir.is_dir():
        print(f"No data in {args.data_dir}: run python -m benchmarks.generate first.")
        return 1
    start_django(args.data_dir)

    from django.contrib.auth.models import User
    from django.utils import timezone

    from benchmarks.dataset import USERNAME
    from benchmarks.timing import measure, table, verdicts
    from funnel.forecast.facts import refresh

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        print(f"No {USERNAME} user in {args.data_dir}: run python -m benchmarks.generate first.")
        return 1
    # Reports read the outlook the worker keeps fresh after each change: keep it so here too.
    refresh(user, now=timezone.now())
    results = measure(user, args.requests, args.warmup)
    if args.json:
        print(json.dumps([result.as_dict() for result in results], indent=2))
    else:
        print(table(results, args.requests))
        print(verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
