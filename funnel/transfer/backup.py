"""Backing up and restoring the whole database: `funnel backup` and `funnel restore`.

SQLite is copied with its online backup API from a connection of its own, so Funnel keeps
serving and writing while the copy reads one consistent moment; PostgreSQL goes through pg_dump
and pg_restore. A backup appears under its name only once complete and checked, is readable by
its owner only (it holds everything, password hashes included), and never replaces a file. A
restore goes only into a database without users or teams, then migrates it forward
(docs/deployment.md, "Backups").
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, connections

from funnel.accounts.models import Team
from funnel.transfer.errors import TransferError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"  # how pg_dump's custom format (-Fc) begins
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
# Connection settings Django may carry in OPTIONS (from the URL's query) and the variable
# through which pg_dump and pg_restore read each.
LIBPQ_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


@dataclass(frozen=True)
class Restored:
    into: str  # the SQLite file or the PostgreSQL database
    users: int


def back_up(path: Path | None) -> Written:
    """Write a backup of the configured database to path (a file, or a folder to put it in)."""
    kind = connection.vendor
    target = backup_target(path, default_name(kind, datetime.datetime.now(datetime.UTC)))
    if kind == "sqlite":
        back_up_sqlite(sqlite_file(), target)
    else:
        dump_postgresql(target)
    return Written(target, target.stat().st_size)


def default_name(kind: str, now: datetime.datetime) -> str:
    return f"funnel-backup-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}{EXTENSIONS[kind]}"


def backup_target(path: Path | None, name: str) -> Path:
    target = Path(name) if path is None else path / name if path.is_dir() else path
    if target.exists() or target.is_symlink():
        raise TransferError(f"{target} already exists: a backup never replaces a file")
    if not target.parent.is_dir():
        raise TransferError(f"there is no folder {target.parent} to write the backup into")
    return target


def sqlite_file() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def back_up_sqlite(live: Path, target: Path) -> None:
    """A checked copy of the live SQLite database at target, taken while others write to it."""
    with _temporary_next_to(target, ".partial") as temp:
        try:
            with closing(_open_existing(live)) as source, closing(sqlite3.connect(temp)) as copy:
                if not _holds_funnel_tables(source):
                    raise TransferError(
                        f"the database {live} is not set up yet: nothing to back up "
                        "(funnel serve sets it up)"
                    )
                # In one step: the copy reads a single snapshot while writers go on appending to
                # the WAL. Copied a few pages at a time, it would start over whenever another
                # connection writes, and never finish during a burst of writes.
                source.backup(copy, pages=-1)
                problem = _integrity_problem(copy)
                if problem:
                    raise TransferError(
                        f"the copy of {live} fails SQLite's integrity check ({problem}): the "
                        "database itself may be damaged"
                    )
                copy.execute("PRAGMA journal_mode=DELETE")  # one file, with no -wal beside it
        except sqlite3.Error as exc:
            raise TransferError(f"cannot back up {live}: {exc}") from exc
        _publish(temp, target)


def dump_postgresql(target: Path) -> None:
    with _temporary_next_to(target, ".partial") as temp:
        _run_postgresql_tool("pg_dump", ["--format=custom", f"--file={temp}"])
        # pg_dump said it finished; reading the archive's contents back shows pg_restore can.
        _run_postgresql_tool("pg_restore", ["--list", str(temp)])
        _publish(temp, target)


def restore(path: Path) -> Restored:
    """Put a backup in place of an empty database, then bring it up to this Funnel's version."""
    kind = _kind_of_backup(path)
    if kind != connection.vendor:
        raise TransferError(_wrong_kind(path, kind))
    _require_empty()
    if kind == "sqlite":
        _restore_sqlite(path, sqlite_file())
    else:
        _restore_postgresql(path)
    connections.close_all()
    try:
        call_command("migrate", interactive=False, verbosity=0)
        users = get_user_model()._default_manager.count()
    except DatabaseError as exc:
        raise TransferError(
            f"the backup is in place, but bringing it up to date failed: {_first_line(str(exc))}"
        ) from exc
    return Restored(_database_name(), users)


def _kind_of_backup(path: Path) -> str:
    if not path.exists():
        raise TransferError(f"there is no file {path}")
    if not path.is_file():  # a folder, or a pipe that reading would wait on forever
        raise TransferError(f"{path} is not a file: give the backup file")
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise TransferError(f"cannot read {path} ({exc.strerror})") from exc
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise TransferError(
        f"{path} is not a Funnel backup (one written by 'funnel backup': an SQLite database "
        "or a pg_dump archive)"
    )


def _wrong_kind(path: Path, kind: str) -> str:
    if kind == "postgresql":
        return (
            f"{path} is a PostgreSQL backup (pg_dump), but Funnel uses SQLite here: set "
            "FUNNEL_DATABASE_URL to an empty PostgreSQL database to restore it"
        )
    return (
        f"{path} is an SQLite backup, but Funnel uses PostgreSQL here (FUNNEL_DATABASE_URL): "
        "unset it to restore into the data folder's SQLite file"
    )


def _require_empty() -> None:
    """Refuse a database with any user or team in it, or tables that aren't Funnel's."""
    user_model = get_user_model()
    try:
        tables = set(connection.introspection.table_names())
        holds_data = bool(tables) and (
            "django_migrations" not in tables
            or any(
                model._meta.db_table in tables and model._default_manager.exists()
                for model in (user_model, Team)
            )
        )
    except DatabaseError as exc:
        name = _database_name()
        raise TransferError(f"cannot use the database {name}: {_first_line(str(exc))}") from exc
    if holds_data:
        raise TransferError(
            f"the database {_database_name()} already holds data: a backup is restored only "
            "into an empty data folder or database, never over data"
        )
    if tables and connection.vendor == "postgresql":
        # Set up by a start of Funnel, with nobody in it yet; pg_restore creates the tables.
        raise TransferError(
            f"the database {_database_name()} has Funnel's tables already (with no data): "
            "pg_restore needs an empty database; drop it and create it again, then restore"
        )


def _restore_sqlite(backup: Path, live: Path) -> None:
    with _temporary_next_to(live, ".restoring") as temp:
        try:
            shutil.copyfile(backup, temp)
        except OSError as exc:
            raise TransferError(
                f"cannot copy {backup} into {live.parent} ({exc.strerror})"
            ) from exc
        _check_sqlite_backup(temp, shown_as=backup)
        # Django's connection to the empty file goes, and so do its -wal and -shm: SQLite would
        # replay an old WAL into the new file.
        connections.close_all()
        for companion in _companions(live):
            companion.unlink(missing_ok=True)
        os.replace(temp, live)


def _restore_postgresql(backup: Path) -> None:
    into = ["--no-owner", "--no-privileges", f"--dbname={_database_name()}", str(backup)]
    # One transaction: a backup that fails half-way leaves the database as empty as it was.
    _run_postgresql_tool("pg_restore", ["--exit-on-error", "--single-transaction", *into])


def _check_sqlite_backup(copy: Path, *, shown_as: Path) -> None:
    try:
        with closing(sqlite3.connect(copy)) as database:
            problem = _integrity_problem(database)
            funnel = problem is None and _holds_funnel_tables(database)
    except sqlite3.Error as exc:
        raise TransferError(f"{shown_as} is damaged ({exc})") from exc
    if problem:
        raise TransferError(f"{shown_as} is damaged (SQLite's integrity check: {problem})")
    if not funnel:
        raise TransferError(f"{shown_as} is an SQLite database, but not a Funnel backup")


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to the file at path, which (unlike sqlite3.connect) never creates one."""
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=20)
    except sqlite3.Error as exc:
        raise TransferError(f"cannot open the database {path}: {exc}") from exc


def _holds_funnel_tables(database: sqlite3.Connection) -> bool:
    found = database.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone()
    # Another Django project has the table too; only Funnel's migrated its accounts app.
    return bool(found) and bool(
        database.execute("SELECT 1 FROM django_migrations WHERE app = 'accounts'").fetchone()
    )


def _integrity_problem(database: sqlite3.Connection) -> str | None:
    """SQLite's first complaint about the database, or None when it is sound."""
    answer = database.execute("PRAGMA integrity_check").fetchall()  # at least one row
    return None if answer == [("ok",)] else str(answer[0][0])


@contextmanager
def _temporary_next_to(path: Path, suffix: str) -> Iterator[Path]:
    """An owner-only file in path's folder, so that it takes path's name in one atomic step;
    removed, with any journal SQLite left beside it, whatever happens."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise TransferError(f"cannot write into {path.parent} ({exc.strerror})") from exc
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    finally:
        for leftover in [temp, *_companions(temp), temp.with_name(temp.name + "-journal")]:
            leftover.unlink(missing_ok=True)


def _publish(temp: Path, target: Path) -> None:
    """Give the complete file its name, without ever replacing a file that appeared meanwhile."""
    with temp.open("rb") as written:
        os.fsync(written.fileno())  # on disk before it has a name that says it is complete
    try:
        os.link(temp, target)
    except FileExistsError:
        raise TransferError(f"{target} already exists: a backup never replaces a file") from None
    except OSError as exc:
        if target.exists():
            raise TransferError(f"{target} already exists: a backup never replaces a file") from exc
        os.replace(temp, target)  # a file system without hard links (FAT, some shares)


def _companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]


def _run_postgresql_tool(tool: str, arguments: list[str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise TransferError(
            f"{tool} is not installed: install postgresql-client (the version of your "
            "PostgreSQL server, or newer) and try again"
        )
    try:
        result = subprocess.run(
            [program, *arguments],
            env=_libpq_environment(),
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise TransferError(f"cannot run {program} ({exc.strerror})") from exc
    if result.returncode != 0:
        raise TransferError(f"{tool} failed: {_first_line(result.stderr) or result.returncode}")


def _libpq_environment() -> dict[str, str]:
    """Where and as whom pg_dump and pg_restore connect: Django's own settings, passed in the
    environment, since a password on the command line shows in every list of processes."""
    settings = connection.settings_dict
    wanted = {
        "PGHOST": settings["HOST"],
        "PGPORT": settings["PORT"],
        "PGUSER": settings["USER"],
        "PGPASSWORD": settings["PASSWORD"],
        "PGDATABASE": settings["NAME"],
    }
    options = settings.get("OPTIONS") or {}
    wanted.update({variable: options.get(key) for key, variable in LIBPQ_VARIABLES.items()})
    return {**os.environ, **{name: str(value) for name, value in wanted.items() if value}}


def _database_name() -> str:
    return str(connection.settings_dict["NAME"])


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
