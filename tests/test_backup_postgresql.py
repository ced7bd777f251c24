"""Backups through a real PostgreSQL server: pg_dump, then pg_restore into a fresh database.

Collected only when the suite runs on PostgreSQL (scripts/test runs it on SQLite, then on a
throwaway server): on SQLite there is no server to use, and so nothing to skip.
"""

import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from glob import glob
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.test_backup import LOG_IN, PASSWORD, funnel, refused

__test__ = connection.vendor == "postgresql"


def postgresql_tools() -> dict[str, str]:
    """A PATH with pg_dump and pg_restore on it: where no client is installed, the server's own
    folder, found as scripts/throwaway-postgres finds initdb."""
    if shutil.which("pg_dump"):
        return {}
    folders = [
        folder for folder in glob("/usr/lib/postgresql/*/bin") if Path(folder, "pg_dump").exists()
    ]
    return {"PATH": os.pathsep.join([folders[-1], os.environ["PATH"]])} if folders else {}


@pytest.fixture(scope="module")
def new_database() -> Iterator[Callable[[], dict[str, str]]]:
    """Makes empty databases on the suite's server (the environment that points Funnel at
    each); drops them afterwards."""
    server = os.environ["FUNNEL_DATABASE_URL"]
    made: list[str] = []

    def make() -> dict[str, str]:
        name = f"funnel_backup_{secrets.token_hex(4)}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        url = urlsplit(server)._replace(path=f"/{name}").geturl()
        return {"FUNNEL_DATABASE_URL": url, **postgresql_tools()}

    yield make
    with psycopg.connect(server, autocommit=True) as admin:
        for name in made:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def anna_dump(
    new_database: Callable[[], dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], Path]:
    """A database with anna in it (the environment for it), and its backup."""
    source, folder = new_database(), tmp_path_factory.mktemp("anna")
    created = funnel("createuser", "anna", "--password", PASSWORD, data=folder, env=source)
    assert created.returncode == 0, created.stderr
    written = funnel("backup", str(folder / "anna.dump"), data=folder, env=source)
    assert written.returncode == 0, written.stderr
    return source, folder / "anna.dump"


def test_a_postgresql_backup_restores_into_a_fresh_database_and_never_over_data(
    anna_dump: tuple[dict[str, str], Path],
    new_database: Callable[[], dict[str, str]],
    tmp_path: Path,
) -> None:
    source, backup = anna_dump
    target = new_database()

    restored = funnel("restore", str(backup), data=tmp_path, env=target)

    assert backup.read_bytes().startswith(b"PGDMP")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert restored.returncode == 0, restored.stderr
    assert "(1 user)" in restored.stdout
    agenda = funnel("agenda", "--user", "anna", data=tmp_path, env=target)
    assert agenda.stdout.startswith("What to do on"), agenda.stderr
    login = funnel("manage", "shell", "--no-imports", "-c", LOG_IN, data=tmp_path, env=target)
    assert login.stdout.strip() == "302 /today/", login.stderr
    again = funnel("restore", str(backup), data=tmp_path, env=source)
    assert "already holds data" in refused(again)


def test_restore_asks_for_a_database_without_tables_even_when_nobody_is_in_it(
    anna_dump: tuple[dict[str, str], Path],
    new_database: Callable[[], dict[str, str]],
    tmp_path: Path,
) -> None:
    _, backup = anna_dump
    emptied = new_database()
    assert funnel("restore", str(backup), data=tmp_path, env=emptied).returncode == 0
    with psycopg.connect(emptied["FUNNEL_DATABASE_URL"], autocommit=True) as database:
        database.execute("TRUNCATE auth_user, accounts_team CASCADE")  # Funnel's tables, no one

    result = funnel("restore", str(backup), data=tmp_path, env=emptied)

    assert "drop it and create it again" in refused(result)
