"""The worker's figures: the daily digest of 1,000 users built and sent, and a worker's memory
after 10,000 jobs. Both run `funnel worker --once` as a process of its own, sending to a real
SMTP server (aiosmtpd) in this one.

    uv run python -m benchmarks.emails [--users 1000] [--jobs 10000] [--data-dir .bench-emails]

Each user is a small consultant (about 40 opportunities, 200 activities, their follow-ups: a
five-hundredth of the page benchmarks' data set), with the digest due now. The data folder is
rebuilt on each run (SQLite), or the PostgreSQL database of FUNNEL_DATABASE_URL is used, which
must not hold these users yet.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

from benchmarks import start_django
from benchmarks.generate import start_fresh

SMTP_HOST = "127.0.0.1"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs for the memory figure")
    parser.add_argument("--data-dir", type=Path, default=Path(".bench-emails"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the users of an earlier run (their jobs are cleared) instead of building them",
    )
    return parser.parse_args(argv)


class Counting:
    """The SMTP server's handler: counts the messages it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((SMTP_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def build_users(count: int, seed: int, now: dt.datetime) -> list[int]:
    from django.db import transaction

    from benchmarks.dataset import Progress, Sizes, write_selling
    from funnel.accounts.actions import create_user
    from funnel.contacts.models import Organisation
    from funnel.fit.actions import refresh_fit

    rng, sizes = random.Random(seed), Sizes().scaled(0.002)
    quiet = Progress(lambda line: None)
    ids = []
    started = perf_counter()
    for number in range(count):
        with transaction.atomic():
            user = create_user(
                username=f"seller{number:04d}",
                password="not-for-logging-in",
                email=f"seller{number:04d}@example.com",
                first_name="Seller",
                last_name=f"{number:04d}",
                time_zone="Europe/Rome",
            )
            write_selling(rng, sizes, user.profile.team, user, now, quiet)
            refresh_fit(organisations=Organisation.objects.filter(team=user.profile.team))
        ids.append(user.pk)
        if (number + 1) % 100 == 0:
            print(f"  {number + 1:,} users built ({perf_counter() - started:.0f} s)", flush=True)
    return ids


def reused_users(count: int) -> list[int]:
    from django.contrib.auth.models import User

    from funnel.assistant.models import Job

    users = list(
        User.objects.filter(username__startswith="seller")
        .order_by("username")
        .values_list("pk", flat=True)[:count]
    )
    if len(users) < count:
        raise SystemExit(f"--reuse: only {len(users)} users from an earlier run; build them first")
    Job.objects.all().delete()
    return users


def digests_due_now(user_ids: list[int], now: dt.datetime) -> None:
    """Each user's digest at the hour it is now in Rome, so the worker's planning puts in one
    digest each, due now."""
    from funnel.accounts.models import Profile

    hour = now.astimezone(ZoneInfo("Europe/Rome")).hour
    Profile.objects.filter(user_id__in=user_ids).update(
        email_hour=hour, email_weekly=False, email_when_empty=True, email_nudges=False
    )


def run_worker(smtp_port: int, *arguments: str) -> tuple[float, int, str]:
    """Seconds, peak resident memory in MB (VmHWM) and output of one `funnel worker` process."""
    env = dict(os.environ)
    env["FUNNEL_EMAIL_URL"] = f"smtp://{SMTP_HOST}:{smtp_port}"
    started = perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "funnel.cli", "worker", "--once", *arguments],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.2)
    output = process.communicate()[0]
    return perf_counter() - started, peak // 1024, output


def extra_jobs(user_ids: list[int], count: int, now: dt.datetime) -> None:
    """`count` more digests due now, spread over the users (keys of days gone by)."""
    from funnel.assistant.models import Job, Kind

    Job.objects.bulk_create(
        (
            Job(
                kind=Kind.DIGEST,
                key=f"digest:{user_ids[n % len(user_ids)]}:memory-{n}",
                user_id=user_ids[n % len(user_ids)],
                due_at=now,
            )
            for n in range(count)
        ),
        batch_size=1000,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not args.reuse:
        start_fresh(args.data_dir)
    start_django(args.data_dir)
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    if args.reuse:
        users = reused_users(args.users)
    else:
        print(f"Building {args.users:,} users...", flush=True)
        users = build_users(args.users, args.seed, now)
    digests_due_now(users, now)

    handler = Counting()
    server = Controller(handler, hostname=SMTP_HOST, port=free_port())
    server.start()
    try:
        seconds, peak, output = run_worker(server.port)
        print(output.strip())
        sent = handler.count
        verdict = "met" if seconds <= 60 * args.users / 1000 else "NOT met"
        print(
            f"\nDaily digest of {args.users:,} users: {sent:,} emails built and sent in "
            f"{seconds:.1f} s ({1000 * seconds / max(sent, 1):.0f} ms each, process start "
            f"included); target 60 s for 1,000: {verdict}."
        )
        print(f"Peak memory of that worker: {peak} MB.")

        extra_jobs(users, args.jobs, timezone.now())
        before = handler.count
        seconds, peak, output = run_worker(server.port)
        print(output.strip())
        verdict = "met" if peak <= 120 else "NOT met"
        print(
            f"\n{handler.count - before:,} more jobs in {seconds:.1f} s; the worker's peak "
            f"resident memory: {peak} MB (target 120 MB: {verdict})."
        )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
