"""Strict parsers for FUNNEL_* environment variables.

A bad value stops start-up with a ConfigError that names the variable, so the CLI can print one
line instead of a traceback.
"""

import ipaddress
import os
import re
import secrets
import zoneinfo
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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


def env_int(name: str, default: int) -> int:
    """A whole number of zero or more."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(f"{name}={raw!r} is not a whole number of zero or more")
    return int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name} is set but empty (give a comma-separated list)")
    return items


def env_origins(name: str) -> list[str]:
    """Origins such as https://funnel.example.com: a scheme and a host, nothing after."""
    origins = env_list(name, [])
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
            raise ConfigError(
                f"{name}: {origin!r} is not an origin like https://funnel.example.com"
            )
    return origins


def env_proxy(name: str) -> str | None:
    """The address the reverse proxy connects from (waitress trusts its X-Forwarded-* headers).

    "*" trusts any address: only for a Funnel whose port no one but the proxy can reach.
    """
    raw = os.environ.get(name)
    if raw is None:
        return None
    value = raw.strip()
    if value == "*":
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not an IP address (the proxy's, e.g. 127.0.0.1)"
        ) from None


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if value not in zoneinfo.available_timezones():
        raise ConfigError(f"{name}={value!r} is not a known time zone (e.g. Europe/Rome)")
    return value


def data_dir_path(name: str = "FUNNEL_DATA_DIR") -> Path:
    """Where the data folder is, without touching it: set and empty is an error, not the default."""
    raw = os.environ.get(name)
    if raw is None:
        return Path(platformdirs.user_data_dir("funnel"))
    if not raw.strip():
        raise ConfigError(f"{name} is set but empty (give a folder, or unset it for the default)")
    return Path(raw).expanduser()


def data_dir(name: str = "FUNNEL_DATA_DIR") -> Path:
    """The folder for the SQLite file, the secret key and collected static files."""
    path = data_dir_path(name)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{name}: {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot create the data folder {path} ({exc.strerror})") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: the data folder {path} is not writable")
    return path


SECRET_KEY_MIN_LENGTH = 16


def secret_key(folder: Path, name: str = "FUNNEL_SECRET_KEY") -> str:
    """The key from the environment, else one generated once and kept, owner-only, in folder."""
    value = os.environ.get(name)
    if value is not None:
        if len(value) < SECRET_KEY_MIN_LENGTH:
            raise ConfigError(
                f"{name} is too short (use at least {SECRET_KEY_MIN_LENGTH} characters)"
            )
        return value
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    try:
        key = key_file.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the key file {key_file} ({exc.strerror})") from exc
    if len(key) < SECRET_KEY_MIN_LENGTH:
        # Without a key every page would answer 500: stop here instead.
        raise ConfigError(
            f"{name}: the key file {key_file} is empty or too short "
            "(delete it and Funnel makes a new one, or set FUNNEL_SECRET_KEY)"
        )
    return key


SQLITE_OPTIONS = {
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers wait for each other (busy timeout) instead of failing half-way.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def private_sqlite_file(path: Path, name: str) -> None:
    """Create the SQLite file, or tighten an older one, so only its owner can read it (0600).

    SQLite would create it with the umask (usually 0644: every local user could read sessions,
    password hashes and calendar tokens), and gives its -wal and -shm files the main file's mode.
    """
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        for file in [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]:
            if file.exists():
                file.chmod(0o600)
    except OSError as exc:
        problem = f"cannot create the database {path} owner-only ({exc.strerror})"
        raise ConfigError(f"{name}: {problem}") from exc


# Each of the server's threads keeps its connection for a minute, on every database: opening an
# SQLite file and setting its pragmas costs 1-2.5 ms, as much as a light page. Checked before
# reuse, so a file replaced under a running server (a restore) is opened afresh.
KEPT_SECONDS = 60


def database(folder: Path, name: str = "FUNNEL_DATABASE_URL") -> dict[str, Any]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        private_sqlite_file(folder / "funnel.sqlite3", "FUNNEL_DATA_DIR")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": folder / "funnel.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": KEPT_SECONDS,
            "CONN_HEALTH_CHECKS": True,
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
        config = dj_database_url.parse(raw, conn_max_age=KEPT_SECONDS, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    if scheme == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ConfigError(f"{name}: give the SQLite file's path (sqlite:////path/to/file)")
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        private_sqlite_file(Path(config["NAME"]), name)
    elif not config.get("NAME"):
        raise ConfigError(f"{name}: the URL names no database (postgres://…/funnel)")
    return dict(config)


def env_currency(name: str, default: str) -> str:
    from funnel.lib.money import CURRENCIES

    value = os.environ.get(name, default).strip().upper()
    if value not in CURRENCIES:
        raise ConfigError(f"{name}={value!r} is not a supported currency ({', '.join(CURRENCIES)})")
    return value


EMAIL_SCHEMES = {"smtp", "smtps", "console", "none"}
# Django's own defaults, for the backends that connect to no server.
NO_SMTP: dict[str, Any] = {
    "EMAIL_HOST": "localhost",
    "EMAIL_PORT": 25,
    "EMAIL_HOST_USER": "",
    "EMAIL_HOST_PASSWORD": "",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
    "EMAIL_TIMEOUT": None,
}


def email_settings(name: str = "FUNNEL_EMAIL_URL") -> dict[str, Any]:
    """Django's email settings from one address.

    smtp://user:password@host:587 (STARTTLS on port 587, or with ?starttls=true), smtps://…:465
    (TLS from the first byte), console:// (the emails go to the log: the default, and the demo's)
    or none:// (nothing is sent). User and password may be percent-encoded.
    """
    raw = os.environ.get(name, "console://").strip()
    parts = urlsplit(raw)
    if parts.scheme not in EMAIL_SCHEMES or "://" not in raw:
        raise ConfigError(
            f"{name}={raw!r} is not an email address like smtp://user:password@host:587 "
            "(or smtps://, console://, none://)"
        )
    if parts.scheme == "console":
        return {**NO_SMTP, "EMAIL_BACKEND": "funnel.lib.mail.LogBackend"}
    if parts.scheme == "none":
        return {**NO_SMTP, "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name}: the port in {raw!r} is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ConfigError(f"{name}={raw!r} names no host (smtp://user:password@host:587)")
    options = {key: value for key, _, value in (p.partition("=") for p in parts.query.split("&"))}
    ssl = parts.scheme == "smtps"
    port = port or (465 if ssl else 25)
    starttls_raw = options.get("starttls", "true" if port == 587 and not ssl else "false")
    if starttls_raw.lower() not in TRUE_WORDS | FALSE_WORDS:
        raise ConfigError(f"{name}: starttls={starttls_raw!r} is not true or false")
    starttls = starttls_raw.lower() in TRUE_WORDS
    if ssl and starttls:
        raise ConfigError(f"{name}: smtps:// is TLS already; starttls=true is for smtp://")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": 30,
    }


def email_from(name: str = "FUNNEL_EMAIL_FROM") -> str:
    """The sender of Funnel's emails: an address, optionally with a name ("Funnel <f@x.org>")."""
    raw = os.environ.get(name)
    if raw is None:
        return "Funnel <funnel@localhost>"
    display, address = parseaddr(raw.strip())
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", address) or "\n" in raw or "\r" in raw:
        raise ConfigError(
            f"{name}={raw!r} is not an email address (e.g. Funnel <funnel@example.com>)"
        )
    return formataddr((display, address)) if display else address


def base_url(name: str = "FUNNEL_BASE_URL") -> str:
    """Where people reach Funnel, for the links in emails: https://funnel.example.com."""
    raw = os.environ.get(name, "http://127.0.0.1:8000").strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{name}={raw!r} is not an address like https://funnel.example.com")
    return raw
