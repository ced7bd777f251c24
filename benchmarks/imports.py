"""How long `funnel import` takes on a large contacts file, and how much memory it needs.

    uv run python -m benchmarks.imports                 # 100,000 rows: time and peak memory
    uv run python -m benchmarks.imports --rows 1000000  # the memory bound (a few minutes)

Writes a Google Contacts export (the current format) with N rows, deterministic: one person per
row, one organisation per five people, each with an email and most with a phone, some with
notes and labels; then, in a fresh data folder on SQLite (or the PostgreSQL database
FUNNEL_DATABASE_URL names, which must be empty), times `funnel import FILE --yes` end to end as
a child process, and again for the same file (every row a duplicate). Prints seconds, rows per
second and the child's peak memory (maximum resident set size).
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip
FIRST = ["Anna", "Luca", "Sofia", "Marco", "Giulia", "Pieter", "Emma", "Lars", "Ines", "Tom"]
LAST = ["Rossi", "Bianchi", "de Vries", "Jansen", "Berg", "García", "Smith", "Lund", "Costa"]
LIMIT_SECONDS = 10.0
LIMIT_MEGABYTES = 250


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"Company {n // 5:06d}"
            phone = f"+39 02 {rng.randrange(10**7):07d}" if n % 4 else ""
            notes = "Met at the fair.\nAsked for a quote." if n % 10 == 0 else ""
            row = dict.fromkeys(HEADERS, "")
            row.update(
                {
                    "First Name": first,
                    "Last Name": f"{last} {n}",
                    "Organization Name": company,
                    "Organization Title": "Buyer" if n % 3 else "",
                    "Notes": notes,
                    "Labels": "* myContacts ::: Clients",
                    "E-mail 1 - Label": "* Work",
                    "E-mail 1 - Value": f"{first.lower()}.{n}@company{n // 5}.example",
                    "Phone 1 - Label": "Mobile" if phone else "",
                    "Phone 1 - Value": phone,
                    "Website 1 - Label": "Work" if n % 5 == 0 else "",
                    "Website 1 - Value": f"https://company{n // 5}.example" if n % 5 == 0 else "",
                }
            )
            writer.writerow(row.values())


def funnel(data_dir: Path, *args: str) -> tuple[float, int, str]:
    """Run `funnel ARGS` in a child process: seconds, peak memory in MB, its output.

    Where writing bytecode is turned off (PYTHONDONTWRITEBYTECODE), every child would compile
    Django and Funnel again (~0.5 s), which an installed Funnel never does: the children share
    a bytecode cache in the scratch folder, warmed by the set-up commands.
    """
    environment = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir)}
    if environment.pop("PYTHONDONTWRITEBYTECODE", ""):
        environment["PYTHONPYCACHEPREFIX"] = str(data_dir.parent / "pycache")
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "funnel.cli", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)  # reaps the child, with its resource usage
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"funnel {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss // 1024, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="funnel-bench-import-") as scratch:
        folder = Path(scratch)
        csv_file = folder / "contacts.csv"
        started = time.perf_counter()
        write_file(csv_file, args.rows)
        print(f"wrote {args.rows:,} rows ({csv_file.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        data = folder / "data"
        funnel(data, "manage", "migrate", "--verbosity", "0")
        funnel(data, "createuser", "bench", "--password", "bench-password-1")
        print(f"{'run':<28} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
        runs = []
        for label in ("import (all new)", "again (all duplicates)"):
            seconds, peak, _output = funnel(data, "import", str(csv_file), "--yes", "--json")
            runs.append((seconds, peak))
            print(f"{label:<28} {seconds:8.1f} {args.rows / seconds:9,.0f} {peak:8d}")
        seconds = runs[0][0] * 100_000 / args.rows
        peak = max(peak for _seconds, peak in runs)
        print(
            f"target: 100,000 rows in ≤ {LIMIT_SECONDS:.0f} s: {seconds:.1f} s for 100,000 "
            f"({'met' if seconds <= LIMIT_SECONDS else 'NOT met'}); peak memory ≤ "
            f"{LIMIT_MEGABYTES} MB: {peak} MB ({'met' if peak <= LIMIT_MEGABYTES else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
