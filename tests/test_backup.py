"""`funnel backup` and `funnel restore` as an operator meets them: a consistent copy taken while
Funnel writes, restored only into an empty data folder, and one clear line for anything else.

Each command runs in a child process with a data folder of its own, on SQLite whichever database
the suite runs on; test_backup_postgresql.py takes pg_dump and pg_restore through a real server.
"""

import hashlib
import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from funnel.transfer.backup import back_up_sqlite
from tests.helpers import child_environment

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
LOG_IN = (
    "from django.test import Client; from django.urls import reverse; "
    "answer = Client(HTTP_HOST='localhost').post(reverse('login'), "
    f"{{'username': 'anna', 'password': '{PASSWORD}'}}); "
    "print(answer.status_code, answer.get('Location'))"
)


def funnel(
    *args: str, data: Path, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, on the data folder given, as an operator runs it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_")}
    environment.update({"FUNNEL_DATA_DIR": str(data), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "funnel.cli", *args],
        capture_output=True,
        text=True,
        env=child_environment(environment),
        cwd=cwd,
        timeout=120,
    )


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refusal prints, once it is sure there was exactly one and no traceback."""
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("funnel: ")
    return result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folder_contents(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tables(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


@pytest.fixture(scope="module")
def anna_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with anna in it, as an older Funnel left it: without the sessions table,
    which a later version added (restores must migrate forward)."""
    folder = tmp_path_factory.mktemp("anna")
    assert funnel("createuser", "anna", "--password", PASSWORD, data=folder).returncode == 0
    assert funnel("manage", "migrate", "sessions", "zero", data=folder).returncode == 0
    return folder


@pytest.fixture(scope="module")
def anna_backup(anna_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    backup = tmp_path_factory.mktemp("backups") / "anna.sqlite3"
    result = funnel("backup", str(backup), data=anna_folder)
    assert result.returncode == 0, result.stderr
    return backup


class Writer(threading.Thread):
    """Commits one row at a time into the live database, as Funnel's server would, and notes
    each row once its commit returned."""

    def __init__(self, database: Path) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.acknowledged: list[int] = []
        self.enough = threading.Event()
        self.wanted = 0
        self.halt = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with closing(sqlite3.connect(self.database, timeout=20, isolation_level=None)) as db:
                db.execute("PRAGMA journal_mode=WAL")  # as Funnel's connections set them
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE burst (id INTEGER PRIMARY KEY, body BLOB, digest TEXT)")
                while not self.halt.is_set():
                    body = random.randbytes(4096)
                    db.execute("BEGIN IMMEDIATE")
                    row = db.execute(
                        "INSERT INTO burst (body, digest) VALUES (?, ?)",
                        (body, hashlib.sha256(body).hexdigest()),
                    ).lastrowid
                    db.execute("COMMIT")
                    self.acknowledged.append(int(row or 0))
                    if len(self.acknowledged) >= self.wanted:
                        self.enough.set()
        except BaseException as exc:
            self.failure = exc
            self.enough.set()

    def wait_for(self, rows: int) -> None:
        self.wanted = rows
        assert self.enough.wait(timeout=60)
        assert self.failure is None, self.failure


def test_a_backup_taken_during_a_burst_of_writes_restores_every_acknowledged_row(
    anna_backup: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.sqlite3"
    shutil.copyfile(anna_backup, live)  # a Funnel database, without migrating one afresh
    writer = Writer(live)
    writer.start()
    try:
        writer.wait_for(3000)  # some 12 MB, so the copy takes a while
        before = len(writer.acknowledged)
        back_up_sqlite(live, tmp_path / "backup.sqlite3")
        during = len(writer.acknowledged) - before
    finally:
        writer.halt.set()
        writer.join()
    assert writer.failure is None

    restored_folder = tmp_path / "restored"
    result = funnel("restore", str(tmp_path / "backup.sqlite3"), data=restored_folder)

    assert result.returncode == 0, result.stderr
    assert during >= 100  # the copy really ran while the writer committed
    with closing(sqlite3.connect(restored_folder / "funnel.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute("SELECT id, body, digest FROM burst ORDER BY id").fetchall()
    ids = [row[0] for row in rows]
    assert set(writer.acknowledged[:before]) <= set(ids)
    assert ids == list(range(1, len(ids) + 1))  # one moment: no later row without the earlier
    assert all(hashlib.sha256(body).hexdigest() == digest for _, body, digest in rows)


def test_a_restored_backup_gives_the_user_their_agenda_and_their_password(
    anna_backup: Path, tmp_path: Path
) -> None:
    result = funnel("restore", str(anna_backup), data=tmp_path)

    assert result.returncode == 0, result.stderr
    assert f"Restored {anna_backup} into {tmp_path / 'funnel.sqlite3'} (1 user)" in result.stdout
    assert "secret_key" in result.stdout
    assert mode(tmp_path / "funnel.sqlite3") == 0o600
    assert "django_session" in tables(tmp_path / "funnel.sqlite3")  # migrated forward
    agenda = funnel("agenda", "--user", "anna", data=tmp_path)
    assert agenda.returncode == 0, agenda.stderr
    assert agenda.stdout.startswith("What to do on")
    login = funnel("manage", "shell", "--no-imports", "-c", LOG_IN, data=tmp_path)
    assert login.stdout.strip() == "302 /today/", login.stderr


def test_restore_refuses_a_data_folder_that_holds_data_and_leaves_it_as_it_was(
    anna_backup: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret_key").write_text("the key of this installation")
    shutil.copyfile(anna_backup, tmp_path / "funnel.sqlite3")
    with closing(sqlite3.connect(tmp_path / "funnel.sqlite3")) as db:
        db.execute("PRAGMA journal_mode=WAL")  # as Funnel keeps it
    before = folder_contents(tmp_path)

    result = funnel("restore", str(anna_backup), data=tmp_path)

    assert "already holds data" in refused(result)
    assert folder_contents(tmp_path) == before


def test_a_backup_is_named_for_its_moment_readable_by_its_owner_only_and_announced(
    anna_folder: Path, tmp_path: Path
) -> None:
    result = funnel("backup", data=anna_folder, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    [written] = tmp_path.iterdir()
    assert re.fullmatch(r"funnel-backup-\d{8}T\d{6}Z\.sqlite3", written.name)
    assert mode(written) == 0o600
    assert re.fullmatch(rf"Wrote {written.name} \(\d+\.\d [KM]B\)\.\n", result.stdout)
    with closing(sqlite3.connect(written)) as db:
        assert db.execute("SELECT username FROM auth_user").fetchall() == [("anna",)]


def test_a_backup_into_a_folder_takes_the_default_name_there(
    anna_folder: Path, tmp_path: Path
) -> None:
    result = funnel("backup", str(tmp_path), data=anna_folder)

    assert result.returncode == 0, result.stderr
    [written] = tmp_path.iterdir()
    assert written.name.startswith("funnel-backup-")
    assert str(written) in result.stdout


def test_a_backup_never_replaces_a_file(anna_folder: Path, tmp_path: Path) -> None:
    existing = tmp_path / "backup.sqlite3"
    existing.write_bytes(b"last week's backup")

    result = funnel("backup", str(existing), data=anna_folder)

    assert refused(result) == f"funnel: {existing} already exists: a backup never replaces a file\n"
    assert list(tmp_path.iterdir()) == [existing]  # and no half-written file beside it
    assert existing.read_bytes() == b"last week's backup"


def test_a_backup_of_a_database_never_set_up_says_there_is_nothing_to_back_up(
    tmp_path: Path,
) -> None:
    result = funnel("backup", str(tmp_path / "backup.sqlite3"), data=tmp_path / "data")

    assert "is not set up yet: nothing to back up" in refused(result)
    assert not (tmp_path / "backup.sqlite3").exists()


def half_of(backup: Path, scratch: Path) -> bytes:
    whole = backup.read_bytes()
    return whole[: len(whole) // 2]


def another_programs_database(backup: Path, scratch: Path) -> bytes:
    with closing(sqlite3.connect(scratch / "notes.sqlite3")) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('not a funnel')")
        db.commit()
    return (scratch / "notes.sqlite3").read_bytes()


# Each made from a real backup or in a scratch folder, with what the refusal says.
NOT_BACKUPS: dict[str, tuple[Callable[[Path, Path], bytes], str]] = {
    "random bytes": (lambda *_: random.Random(7).randbytes(5000), "is not a Funnel backup"),
    "a CSV file": (lambda *_: b"Name,Email\nAnna,anna@example.com\n", "is not a Funnel backup"),
    "half a backup": (half_of, "is damaged"),
    "another program's database": (another_programs_database, "is an SQLite database, but not"),
    "a PostgreSQL backup": (
        lambda *_: b"PGDMP\x01\x0e\x00" + bytes(200),
        "is a PostgreSQL backup (pg_dump), but Funnel uses SQLite here",
    ),
}
# What settings leave in a new data folder: a database file, the key, a static folder.
EMPTY_DATA_FOLDER = ["funnel.sqlite3", "secret_key", "static"]


@pytest.mark.parametrize("kind", NOT_BACKUPS)
def test_restoring_what_is_not_a_backup_says_so_in_one_line_and_writes_nothing(
    kind: str, anna_backup: Path, tmp_path: Path
) -> None:
    make, message = NOT_BACKUPS[kind]
    not_a_backup = tmp_path / "backup.sqlite3"
    not_a_backup.write_bytes(make(anna_backup, tmp_path))
    data = tmp_path / "data"

    result = funnel("restore", str(not_a_backup), data=data)

    assert message in refused(result)
    assert sorted(path.name for path in data.iterdir()) == EMPTY_DATA_FOLDER
    assert tables(data / "funnel.sqlite3") == set()


POSTGRESQL_SOMEWHERE = {"FUNNEL_DATABASE_URL": "postgres://sales:s3cret@db.invalid:5432/funnel"}


def test_without_pg_dump_a_postgresql_backup_says_what_to_install(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()

    result = funnel(
        "backup", data=tmp_path, env={**POSTGRESQL_SOMEWHERE, "PATH": str(empty_path)}, cwd=tmp_path
    )

    assert refused(result).startswith("funnel: pg_dump is not installed: install postgresql-client")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bin", "secret_key", "static"]


FAKE_PG_DUMP = """#!/bin/sh
# Notes how it was called, then writes half an archive and fails, as a dropped connection would.
echo "$0 $*" >> "{calls}"
echo "PGPASSWORD=$PGPASSWORD PGUSER=$PGUSER PGHOST=$PGHOST PGDATABASE=$PGDATABASE" >> "{calls}"
for argument in "$@"; do
  case $argument in --file=*) printf 'PGDMP half' > "${{argument#--file=}}";; esac
done
echo "pg_dump: error: connection to server lost" >&2
exit 1
"""


def test_pg_dump_gets_the_password_from_the_environment_and_a_failure_leaves_no_file(
    tmp_path: Path,
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    calls = tmp_path / "calls"
    (tools / "pg_dump").write_text(FAKE_PG_DUMP.format(calls=calls))
    (tools / "pg_dump").chmod(0o755)
    backups = tmp_path / "backups"
    backups.mkdir()

    result = funnel(
        "backup", str(backups), data=tmp_path, env={**POSTGRESQL_SOMEWHERE, "PATH": str(tools)}
    )

    assert refused(result) == "funnel: pg_dump failed: pg_dump: error: connection to server lost\n"
    command, environment = calls.read_text().splitlines()
    assert "s3cret" not in command  # never in the process list
    assert environment == "PGPASSWORD=s3cret PGUSER=sales PGHOST=db.invalid PGDATABASE=funnel"
    assert list(backups.iterdir()) == []


def test_an_sqlite_backup_into_postgresql_says_to_unset_the_database_url(
    anna_backup: Path, tmp_path: Path
) -> None:
    result = funnel("restore", str(anna_backup), data=tmp_path, env=POSTGRESQL_SOMEWHERE)

    assert "is an SQLite backup, but Funnel uses PostgreSQL here" in refused(result)
