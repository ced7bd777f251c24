"""Build the benchmark data set in its own data folder.

    uv run python -m benchmarks.generate [--data-dir .bench-data] [--scale 1] [--seed 1]

With SQLite (the default) each run starts from a fresh database file; it only ever deletes a
database that it made itself. With FUNNEL_DATABASE_URL set, the database must not have the
benchmark user yet.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path
from time import perf_counter

from benchmarks import DEFAULT_DATA_DIR, start_django

MARKER = ".funnel-benchmark"  # this folder's database was made by this script
DATABASE_FILES = ("funnel.sqlite3", "funnel.sqlite3-wal", "funnel.sqlite3-shm")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every count (0.01 for a quick try)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    return parser.parse_args(argv)


def start_fresh(folder: Path) -> None:
    """Delete the folder's SQLite database if this script made it; refuse any other."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.environ.get("FUNNEL_DATABASE_URL"):
        return
    if (folder / DATABASE_FILES[0]).exists() and not (folder / MARKER).exists():
        raise SystemExit(
            f"{folder} holds a Funnel database this script did not make; choose another --data-dir."
        )
    for name in DATABASE_FILES:
        (folder / name).unlink(missing_ok=True)
    (folder / MARKER).touch()
    (folder / ".gitignore").write_text("*\n")  # the data set stays out of the repository


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = perf_counter()
    start_fresh(args.data_dir)
    start_django(args.data_dir)

    from django.core.management import call_command

    from benchmarks.dataset import USERNAME, build

    call_command("migrate", verbosity=0)
    print(f"{'database migrated':<48} {perf_counter() - started:5.1f} s")
    password = secrets.token_urlsafe(12)
    try:
        build(password=password, scale=args.scale, seed=args.seed)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Done in {perf_counter() - started:.1f} s. Log in as {USERNAME} / {password}")
    print(f"(FUNNEL_DATA_DIR={args.data_dir.resolve()} uv run funnel serve)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
