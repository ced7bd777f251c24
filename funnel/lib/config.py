"""Strict parsers for FUNNEL_* environment variables.

A bad value stops start-up with a ConfigError that names the variable, so the CLI can print one
line instead of a traceback.
"""

import os
import secrets
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import platformdirs


class ConfigError(Exception):
    """A FUNNEL_* variable has a value Funnel cannot use."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value (use true or false)")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name} is set but empty (give a comma-separated list)")
    return items


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if value not in zoneinfo.available_timezones():
        raise ConfigError(f"{name}={value!r} is not a known time zone (e.g. Europe/Rome)")
    return value


def data_dir(name: str = "FUNNEL_DATA_DIR") -> Path:
    """The folder for the SQLite file, the secret key and collected static files."""
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("funnel"))
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot create the data folder {path} ({exc.strerror})") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: the data folder {path} is not writable")
    return path


def secret_key(folder: Path, name: str = "FUNNEL_SECRET_KEY") -> str:
    """The key from the environment, else one generated once and kept, owner-only, in folder."""
    value = os.environ.get(name)
    if value is not None:
        if len(value) < 16:
            raise ConfigError(f"{name} is too short (use at least 16 characters)")
        return value
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SQLITE_OPTIONS = {
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers wait for each other (busy timeout) instead of failing half-way.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database(folder: Path, name: str = "FUNNEL_DATABASE_URL") -> dict[str, Any]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": folder / "funnel.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            # Tests run on a file, as Funnel does: an in-memory database can't show how two
            # requests at once behave (each thread has its own connection to the file).
            "TEST": {"NAME": folder / "test.sqlite3"},
        }
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ConfigError(
            f"{name}: unsupported database {scheme or raw!r} "
            "(use postgres://user:password@host:port/name or sqlite:////path/to/file.sqlite3)"
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    if scheme == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ConfigError(f"{name}: give the SQLite file's path (sqlite:////path/to/file)")
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ConfigError(f"{name}: the URL names no database (postgres://…/funnel)")
    return dict(config)


def env_currency(name: str, default: str) -> str:
    from funnel.lib.money import CURRENCIES

    value = os.environ.get(name, default).strip().upper()
    if value not in CURRENCIES:
        raise ConfigError(f"{name}={value!r} is not a supported currency ({', '.join(CURRENCIES)})")
    return value
