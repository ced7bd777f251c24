"""The `funnel` command: serve, demo, worker, createuser, agenda, stop-rules, import, export,
backup, restore, and `manage` for any Django command.

Configuration errors and unreachable databases end in one line on stderr, never a traceback.
"""

import argparse
import datetime
import getpass
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-funnel"
ITEMS_PER_GROUP = 5  # as on the Today page (funnel.today.agenda.ITEMS_PER_GROUP)


class CommandError(Exception):
    """A failure the user can act on; printed as one line."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "funnel.settings")
    import django

    from funnel.lib.config import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc


def check_system() -> None:
    """Django's system checks: an error stops start-up with one line, warnings are printed."""
    from django.core import checks

    messages = [m for m in checks.run_checks() if not m.is_silenced()]
    for warning in (m for m in messages if not m.is_serious()):
        print(f"funnel: warning: {warning.id}: {warning.msg}", file=sys.stderr)
    errors = [m for m in messages if m.is_serious()]
    if errors:
        first = f"{errors[0].id}: {str(errors[0].msg).strip().splitlines()[0]}"
        more = f" (and {len(errors) - 1} more: see 'funnel manage check')" if errors[1:] else ""
        raise CommandError(first + more)


def migrate() -> None:
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        database = connection.settings_dict.get("NAME")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandError(f"cannot use the database {database}: {first_line}") from exc


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# What waitress takes from the trusted proxy: the client's address (so login throttling counts
# the client, not the proxy) and the scheme (so links and redirects say https).
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto"}


class FoldRepeats(logging.Filter):
    """Lets one record a minute through, noting how many it folded since the last one.

    Under load waitress warns "Task queue depth is N" for every request that waits for a thread:
    thousands of lines a minute that bury everything else.
    """

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        self.next_at = float("-inf")
        self.folded = 0
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self.lock:
            now = self.clock()
            if now < self.next_at:
                self.folded += 1
                return False
            if self.folded:
                record.msg = f"{record.getMessage()} ({self.folded} more like it folded)"
                record.args = ()
            self.next_at = now + self.every
            self.folded = 0
            return True


def fold_queue_warnings(clock: Callable[[], float] = time.monotonic) -> FoldRepeats:
    """Keeps waitress's "Task queue depth" warnings to one line a minute."""
    folding = FoldRepeats(clock=clock)
    logging.getLogger("waitress.queue").addFilter(folding)
    return folding


def build_server(host: str, port: int):  # type: ignore[no-untyped-def]  # waitress is untyped
    """The WSGI server `funnel serve` runs: waitress, trusting X-Forwarded-* from the proxy only."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    application = get_wsgi_application()  # as funnel.wsgi does, with the settings of now
    proxy: dict[str, Any] = {}
    if settings.TRUSTED_PROXY:
        proxy = {
            "trusted_proxy": settings.TRUSTED_PROXY,
            "trusted_proxy_headers": PROXY_HEADERS,
            "clear_untrusted_proxy_headers": True,
        }
    try:
        return create_server(application, host=host, port=port, threads=8, ident="funnel", **proxy)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def serve(host: str, port: int, *, worker: bool = True) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if settings.HTTPS and not settings.TRUSTED_PROXY:
        raise CommandError(
            "FUNNEL_HTTPS=true needs FUNNEL_TRUSTED_PROXY: waitress speaks plain HTTP, so HTTPS "
            "comes from a reverse proxy, and without trusting it every page redirects forever"
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    # After collectstatic: whitenoise indexes the folder when the application is built.
    server = build_server(host, port)
    from funnel.transfer.jobs import resume_interrupted

    resume_interrupted()  # imports a stopped server left halfway start again
    fold_queue_warnings()

    if host not in LOOPBACK and "FUNNEL_ALLOWED_HOSTS" not in os.environ:
        print(
            "Note: listening beyond this machine; set FUNNEL_ALLOWED_HOSTS to the host names "
            "people will type, or Funnel will answer them with 'Bad Request (400)'.",
            file=sys.stderr,
        )
    print(
        f"Funnel is running at http://{host}:{port}/ (data in {settings.DATA_DIR}); "
        "press Ctrl+C to stop.",
        flush=True,
    )
    if not worker:
        server.run()
        return
    from funnel.assistant.worker import start_in_thread

    running, thread = start_in_thread()
    print(f"Its worker runs in this process too; {email_route()}.", flush=True)
    signal.signal(signal.SIGTERM, stop_serving)
    try:
        server.run()
    except (KeyboardInterrupt, StopServing):
        # The worker finishes the job in hand (an email half sent would go out twice). A second
        # SIGTERM (a supervisor and uv both passing one on) must not cut that short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        running.stopping.set()
        thread.join(timeout=60)


def links_lead_here(host: str, port: int) -> None:
    """Without FUNNEL_BASE_URL, the links in emails lead to the address being served."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    os.environ.setdefault("FUNNEL_BASE_URL", f"http://{shown}:{port}")


class StopServing(Exception):
    """SIGTERM: `funnel serve` stops as after Ctrl+C, and exits 0 as a service should."""


def stop_serving(signum: int, frame: object) -> None:
    raise StopServing


def cmd_serve(args: argparse.Namespace) -> None:
    links_lead_here(args.host, args.port)
    setup_django()
    check_system()
    migrate()
    serve(args.host, args.port, worker=not args.no_worker)


def cmd_demo(args: argparse.Namespace) -> None:
    from funnel.lib import config

    try:
        demo_dir = Path(args.data_dir or config.data_dir_path() / "demo")
    except config.ConfigError as exc:
        raise CommandError(str(exc)) from exc
    os.environ["FUNNEL_DATA_DIR"] = str(demo_dir)
    os.environ.pop("FUNNEL_DATABASE_URL", None)
    links_lead_here(args.host, args.port)
    setup_django()
    check_system()
    from funnel.demo.generate import COLLEAGUE, build_demo

    database = demo_dir / "funnel.sqlite3"
    # Settings create an empty, owner-only file: only one with tables is a demo to keep.
    keep = args.keep and database.exists() and database.stat().st_size > 0
    if not keep:
        for path in [database, *demo_dir.glob("funnel.sqlite3-*")]:
            path.unlink(missing_ok=True)
        try:
            config.private_sqlite_file(database, "FUNNEL_DATA_DIR")
        except config.ConfigError as exc:
            raise CommandError(str(exc)) from exc
    migrate()
    if keep:
        print(f"Keeping the demo data in {demo_dir}.")
    else:
        print(build_demo(username=DEMO_USERNAME, password=DEMO_PASSWORD))
    print(f"Log in at http://{args.host}:{args.port}/ as {DEMO_USERNAME} / {DEMO_PASSWORD}")
    print(f"(and as {COLLEAGUE}, a colleague who was handed some follow-ups, same password)")
    if not args.no_serve:
        serve(args.host, args.port, worker=not args.no_worker)


def cmd_createuser(args: argparse.Namespace) -> None:
    setup_django()
    migrate()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from funnel.accounts.actions import create_user

    if get_user_model().objects.filter(username=args.username).exists():
        raise CommandError(f"a user named {args.username!r} already exists")
    password = args.password or os.environ.get("FUNNEL_NEW_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CommandError("give a password with --password or FUNNEL_NEW_PASSWORD")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
    # With the user, so that UserAttributeSimilarityValidator can refuse "anna" as anna's password.
    user = get_user_model()(username=args.username, email=args.email)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    create_user(
        username=args.username, email=args.email, password=password, superuser=args.superuser
    )
    kind = "superuser" if args.superuser else "user"
    print(f"Created {kind} {args.username}.")


def email_route() -> str:
    """Where the emails go, in one line for the start-up log."""
    from django.conf import settings

    if settings.EMAIL_BACKEND == "funnel.lib.mail.LogBackend":
        return "emails go to this log (set FUNNEL_EMAIL_URL to send them)"
    if settings.EMAIL_BACKEND.endswith(".dummy.EmailBackend"):
        return "emails are not sent (FUNNEL_EMAIL_URL=none://)"
    scheme = "smtps" if settings.EMAIL_USE_SSL else "smtp"
    tls = " with STARTTLS" if settings.EMAIL_USE_TLS else ""
    return f"emails go out through {scheme}://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}{tls}"


def cmd_worker(args: argparse.Namespace) -> None:
    setup_django()
    check_system()
    use_database(table="assistant_job")
    import json

    from funnel.assistant.worker import Worker

    worker = Worker()
    if args.once:
        ran = worker.run_round()
        if args.json:
            print(json.dumps({"ran": ran}))
        else:
            print(f"Ran {ran} job{'' if ran == 1 else 's'}.")
        return

    def stop(signum: int, frame: object) -> None:
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"Funnel's worker is running ({email_route()}); SIGTERM or Ctrl+C stops it after the "
        "job in hand.",
        flush=True,
    )
    worker.run_forever(idle=args.idle)


def use_database(table: str = "accounts_profile") -> None:
    """Connect, and say in one line when the database is unreachable or not set up yet.

    Unlike serve and demo, the quick commands don't migrate: checking the migrations costs more
    than answering.
    """
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE 1 = 0")
    except DatabaseError as exc:
        database = connection.settings_dict.get("NAME")
        raise CommandError(
            f"the database {database} is not set up: run 'funnel manage migrate' "
            "(funnel serve does it when it starts)"
        ) from exc


def cmd_agenda(args: argparse.Namespace) -> None:
    setup_django()
    use_database()
    import json

    from django.utils import timezone

    from funnel.today.agenda import agenda_for, agenda_payload

    user = user_at_home(args.user)
    now = timezone.now()
    if args.date and args.date != timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(args.date, datetime.time()))
    agenda = agenda_for(user, now=now, limit=None if args.all else ITEMS_PER_GROUP)
    payload = agenda_payload(agenda, user=user, day=timezone.localdate(now))
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(agenda_text(payload))


def cmd_forecast(args: argparse.Namespace) -> None:
    setup_django()
    use_database()
    import json

    from django.utils import timezone

    from funnel.forecast.facts import compute
    from funnel.forecast.payload import outlook_payload, outlook_text
    from funnel.lib import bounds

    user = user_at_home(args.user)
    profile = user.profile
    today = timezone.localdate()
    as_of = args.as_of or today
    if as_of > today:
        raise CommandError(f"--as-of {as_of} is after today: a forecast starts from what is known")
    if as_of < bounds.earliest(today):
        raise CommandError(f"--as-of {as_of} is more than {bounds.YEARS_BACK} years back")
    outlook = compute(user, as_of=as_of, months=args.months)
    currency = profile.currency
    if args.json:
        payload = outlook_payload(
            outlook, username=user.get_username(), currency=currency, months=args.months
        )
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(outlook_text(outlook, currency=currency, months=args.months))


def month_count(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_FORECAST_MONTHS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of months from 1 to 24")
    return int(value)


MAX_FORECAST_MONTHS = 24


def cmd_stop_rules(args: argparse.Namespace) -> None:
    """Close what the stop rules propose, for each user who chose automatic stop rules."""
    setup_django()
    use_database()
    import json

    from django.contrib.auth import get_user_model

    from funnel.followup.actions import apply_automatic_stops

    if args.user:
        users = [pick_user(args.user)]
    else:
        chosen = get_user_model().objects.filter(profile__stop_automatically=True)
        users = list(chosen.select_related("profile").order_by("pk"))
    closed = {user.get_username(): apply_automatic_stops(user) for user in users}
    if args.json:
        print(json.dumps({"closed": closed}, indent=2))
        return
    for user in users:
        count = closed[user.get_username()]
        if not user.profile.stop_automatically:
            print(f"{user.get_username()}: automatic stop rules are off (Settings): nothing closed")
        elif count:
            print(f"{user.get_username()}: closed {count} opportunit{'y' if count == 1 else 'ies'}")
    if not users:
        print("Nobody has automatic stop rules on (Settings, follow-up defaults): nothing to do.")
    elif not any(closed.values()) and any(user.profile.stop_automatically for user in users):
        print("No stop rule fired: nothing closed.")


def user_at_home(username: str | None):  # type: ignore[no-untyped-def]  # User needs Django
    """The chosen user, with their time zone and language active for what is printed."""
    from django.utils import timezone, translation

    user = pick_user(username)
    timezone.activate(user.profile.time_zone)
    translation.activate(user.profile.language or "en")
    return user


def pick_user(username: str | None):  # type: ignore[no-untyped-def]  # User needs Django set up
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("profile")
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not hasattr(user, "profile"):
            raise CommandError(
                f"{username!r} has no funnel of their own (made outside 'funnel createuser')"
            )
        return user
    found = list(users.filter(profile__isnull=False)[:2])
    if len(found) != 1:
        many = "several users" if found else "no users yet"
        raise CommandError(f"{many}: choose one with --user")
    return found[0]


def agenda_text(payload: dict[str, Any]) -> str:
    from django.utils.translation import gettext as _

    from funnel.today.priorities import Group

    lines = [_("What to do on %(date)s, in order:") % {"date": payload["date"]}]
    items = payload["items"]
    for group in payload["groups"]:
        lines.append("")
        label = Group(group["priority"]).label
        lines.append(f"{group['priority']}. {label} ({group['total']})")
        for item in (i for i in items if i["group"] == group["group"]):
            flag = "!" if item["overdue"] else " "
            lines.append(
                f"  {flag} {item['title']} · {item['customer']}  [#{item['opportunity_id']}]"
            )
            lines.append(f"      {item['reason']}")
            lines.extend(f"      ⚠ {warning}" for warning in item["warnings"])
        if group["more"]:
            lines.append("    " + _("… and %(count)d more (--all)") % {"count": group["more"]})
    return "\n".join(lines)


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-30") from None


def transfer_command(module: str) -> Callable[[argparse.Namespace], None]:
    """A handler that runs `run(args)` from a module of funnel.transfer once Django is set up
    (with `args.user` the User object, for commands that take --user); what it refuses (a
    Refused, TransferError included) ends as one line."""

    def handler(args: argparse.Namespace) -> None:
        import importlib

        setup_django()
        from funnel.lib.refusals import Refused

        if "user" in args:
            use_database()
            args.user = pick_user(args.user)

        try:
            importlib.import_module(f"funnel.transfer.{module}").run(args)
        except Refused as exc:
            raise CommandError(exc.message) from exc

    return handler


def cmd_manage(args: argparse.Namespace) -> None:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["funnel manage", *args.arguments])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="funnel",
        description="Funnel: a self-hosted sales funnel and follow-up system. "
        "Configuration comes from FUNNEL_* environment variables (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, handler: Callable[[argparse.Namespace], None], help_text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def add_no_worker(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run the worker in this process (when 'funnel worker' runs apart)",
        )

    def add_address(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
        )
        sub.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"port to listen on (default {DEFAULT_PORT})",
        )

    serve_parser = add(
        "serve", cmd_serve, "Apply database migrations, then serve Funnel with a production server."
    )
    add_address(serve_parser)
    add_no_worker(serve_parser)

    demo = add(
        "demo",
        cmd_demo,
        "Build a fresh demo database (a year of a consultant's selling) in its own data "
        "folder, print the login, then serve it.",
    )
    add_address(demo)
    demo.add_argument(
        "--data-dir",
        help="where to keep the demo (default: the 'demo' folder "
        "inside Funnel's data folder); your own data is never touched",
    )
    demo.add_argument(
        "--keep",
        action="store_true",
        help="keep the demo data from last time instead of building it afresh",
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="only build the demo data, do not start the server"
    )
    add_no_worker(demo)

    worker = add(
        "worker",
        cmd_worker,
        "Send the emails (digest, reminders, missed steps, weekly review), apply automatic stop "
        "rules, plan nurture touches and run imports, until SIGTERM. 'funnel serve' runs one "
        "already; run more, on any machine, against the same database.",
    )
    worker.add_argument(
        "--once", action="store_true", help="run what is due now, then exit (for cron)"
    )
    worker.add_argument(
        "--idle",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long to wait when nothing is due (default 5)",
    )
    worker.add_argument("--json", action="store_true", help="with --once: print JSON for scripts")

    createuser = add("createuser", cmd_createuser, "Create a user who can log in.")
    createuser.add_argument("username")
    createuser.add_argument("--email", default="")
    createuser.add_argument(
        "--password", help="the password (else FUNNEL_NEW_PASSWORD, else asked for)"
    )
    createuser.add_argument(
        "--superuser", action="store_true", help="also give access to the admin pages"
    )

    agenda = add(
        "agenda",
        cmd_agenda,
        "Print what to do now, in the method's order of priority: the Today page.",
    )
    agenda.add_argument("--user", help="whose agenda (default: the only user)")
    agenda.add_argument(
        "--date", type=iso_date, help="the day to plan, YYYY-MM-DD (default: today)"
    )
    agenda.add_argument("--json", action="store_true", help="print JSON for scripts")
    agenda.add_argument(
        "--all",
        action="store_true",
        help=f"every item, not just the first {ITEMS_PER_GROUP} of each group",
    )

    forecast = add(
        "forecast",
        cmd_forecast,
        "Print the forecast of won value per month (P10, P50, P90) and the dry-spell alert.",
    )
    forecast.add_argument("--user", help="whose forecast (default: the only user)")
    forecast.add_argument(
        "--as-of",
        type=iso_date,
        help="as known at the end of this day, YYYY-MM-DD (default: today)",
    )
    forecast.add_argument(
        "--months", type=month_count, default=6, help="how many months, 1 to 24 (default 6)"
    )
    forecast.add_argument("--json", action="store_true", help="print JSON for scripts")

    stop_rules = add(
        "stop-rules",
        cmd_stop_rules,
        "Close now the opportunities whose stop rule fired, for users who chose automatic stop "
        "rules (the worker does it every hour; this is for scripts; pages only propose).",
    )
    stop_rules.add_argument("--user", help="only this user (default: every such user)")
    stop_rules.add_argument("--json", action="store_true", help="print JSON for scripts")

    add_transfer_commands(add)

    manage = add(
        "manage", cmd_manage, "Run any Django management command, e.g. 'funnel manage migrate'."
    )
    manage.add_argument(
        "arguments", nargs=argparse.REMAINDER, help="the management command and its options"
    )
    return parser


def add_transfer_commands(
    add: Callable[[str, Callable[[argparse.Namespace], None], str], argparse.ArgumentParser],
) -> None:
    imports = add(
        "import",
        transfer_command("import_command"),
        "Import contacts, organisations and deals from a CSV, Excel or vCard file exported by "
        "Google, Outlook, LinkedIn, HubSpot, Salesforce, Pipedrive, Zoho or a spreadsheet, or "
        "from a Funnel export (.zip).",
    )
    imports.add_argument("file", nargs="?", help="the file to import")
    imports.add_argument("--user", help="who imports (default: the only user)")
    imports.add_argument(
        "--dry-run", action="store_true", help="read and check everything, write nothing"
    )
    imports.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field, e.g. --map 'Cell=person.phone.mobile' (repeatable; "
        "'keep' keeps it in the notes, 'ignore' leaves it out); Funnel remembers the mapping "
        "for the next file with the same columns",
    )
    imports.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="STAGE=LEVEL",
        help="put deals at this stage at a level: above, in, best_few, won, lost "
        "(repeatable; other stages take the suggested level)",
    )
    imports.add_argument("--yes", action="store_true", help="import without asking")
    imports.add_argument("--list", action="store_true", help="list the imports done so far")
    imports.add_argument(
        "--undo", type=int, metavar="ID", help="remove what import ID created (see --list)"
    )
    imports.add_argument("--json", action="store_true", help="print JSON for scripts")

    export = add(
        "export",
        transfer_command("export_command"),
        "Export everything your team owns: a zip of CSV files, one JSON file and vCards.",
    )
    export.add_argument("path", nargs="?", help="the zip to write (default: in this folder)")
    export.add_argument("--user", help="whose team (default: the only user)")
    export.add_argument("--json", action="store_true", help="print JSON for scripts")

    backup = add(
        "backup",
        transfer_command("backup_command"),
        "Copy the database consistently while Funnel keeps running (SQLite's online backup, "
        "or pg_dump for PostgreSQL).",
    )
    backup.add_argument("path", nargs="?", help="the file to write (default: in this folder)")

    restore = add(
        "restore",
        transfer_command("restore_command"),
        "Restore a backup into an empty data folder (never over existing data).",
    )
    restore.add_argument("path", help="the backup file")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except CommandError as exc:
        print(f"funnel: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
