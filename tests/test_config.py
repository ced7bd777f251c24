"""FUNNEL_* variables: good values configure Funnel, bad ones name the variable."""

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from funnel.lib import config
from funnel.lib.config import ConfigError


def test_the_database_defaults_to_an_sqlite_file_in_the_data_folder_with_wal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FUNNEL_DATABASE_URL", raising=False)
    database = config.database(tmp_path)
    assert database["NAME"] == tmp_path / "funnel.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0


def test_a_postgres_url_configures_postgresql(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FUNNEL_DATABASE_URL", "postgres://sales:s3cret@db.internal:5433/funnel")
    database = config.database(tmp_path)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "funnel")
    assert (database["USER"], database["PASSWORD"]) == ("sales", "s3cret")


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/funnel", "not a url", "postgres://user@host:5432", "sqlite://"],
)
def test_an_unusable_database_url_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    monkeypatch.setenv("FUNNEL_DATABASE_URL", url)
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATABASE_URL"):
        config.database(tmp_path)


def test_a_generated_secret_key_is_kept_and_readable_by_its_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FUNNEL_SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_a_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FUNNEL_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match=r"^FUNNEL_SECRET_KEY"):
        config.secret_key(tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_yes_no_values_are_parsed(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("FUNNEL_DEBUG", raw)
    assert config.env_bool("FUNNEL_DEBUG", default=not expected) is expected


def test_a_yes_no_value_that_is_neither_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_DEBUG", "maybe")
    with pytest.raises(ConfigError, match=r"^FUNNEL_DEBUG='maybe'"):
        config.env_bool("FUNNEL_DEBUG", default=False)


def test_allowed_hosts_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_ALLOWED_HOSTS", "funnel.example.com, 10.0.0.5 ,")
    assert config.env_list("FUNNEL_ALLOWED_HOSTS", []) == ["funnel.example.com", "10.0.0.5"]
    monkeypatch.setenv("FUNNEL_ALLOWED_HOSTS", " , ")
    with pytest.raises(ConfigError, match=r"^FUNNEL_ALLOWED_HOSTS"):
        config.env_list("FUNNEL_ALLOWED_HOSTS", [])


def test_an_unknown_time_zone_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_TIME_ZONE", "Europe/Atlantis")
    with pytest.raises(ConfigError, match=r"^FUNNEL_TIME_ZONE"):
        config.env_time_zone("FUNNEL_TIME_ZONE", "UTC")
    monkeypatch.setenv("FUNNEL_TIME_ZONE", "Europe/Stockholm")
    assert config.env_time_zone("FUNNEL_TIME_ZONE", "UTC") == "Europe/Stockholm"


def test_an_unknown_currency_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_CURRENCY", "XYZ")
    with pytest.raises(ConfigError, match=r"^FUNNEL_CURRENCY"):
        config.env_currency("FUNNEL_CURRENCY", "EUR")


def test_the_data_folder_is_created_when_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wanted = tmp_path / "nested" / "funnel"
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(wanted))
    assert config.data_dir() == wanted
    assert wanted.is_dir()


def test_an_unwritable_data_folder_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(blocker / "funnel"))
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATA_DIR: cannot create"):
        config.data_dir()


def test_the_example_environment_file_documents_every_variable_funnel_reads() -> None:
    root = Path(__file__).resolve().parent.parent
    source = (root / "funnel" / "settings.py").read_text() + (
        root / "funnel/lib/config.py"
    ).read_text()
    example = (root / ".env.example").read_text()
    import re

    read = set(re.findall(r'"(FUNNEL_[A-Z_]+)"', source))
    # "# FUNNEL_X=" documents a variable best left unset in production.
    documented = set(re.findall(r"^(?:# )?(FUNNEL_[A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no FUNNEL_ variables found in the settings"
    assert read <= documented, f"undocumented: {sorted(read - documented)}"


def test_a_data_folder_variable_that_is_set_but_empty_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FUNNEL_DATA_DIR", "")
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATA_DIR is set but empty"):
        config.data_dir()


def test_a_data_folder_that_is_a_file_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a_file = tmp_path / "funnel"
    a_file.write_text("")
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(a_file))
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATA_DIR: .*/funnel is a file, not a folder"):
        config.data_dir()


def test_an_empty_secret_key_file_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FUNNEL_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigError, match=r"^FUNNEL_SECRET_KEY: the key file .* is empty"):
        config.secret_key(tmp_path)


def test_an_unreadable_secret_key_file_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FUNNEL_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").mkdir()  # unreadable as a file, even for root
    with pytest.raises(ConfigError, match=r"^FUNNEL_SECRET_KEY: cannot read the key file"):
        config.secret_key(tmp_path)


@pytest.mark.parametrize("raw", ["a year", "-1", "1e6", "3600s"])
def test_hsts_seconds_must_be_a_whole_number(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("FUNNEL_HSTS_SECONDS", raw)
    with pytest.raises(ConfigError, match=r"^FUNNEL_HSTS_SECONDS="):
        config.env_int("FUNNEL_HSTS_SECONDS", default=0)
    monkeypatch.setenv("FUNNEL_HSTS_SECONDS", " 31536000 ")
    assert config.env_int("FUNNEL_HSTS_SECONDS", default=0) == 31536000


@pytest.mark.parametrize(
    ("raw", "expected"), [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("*", "*")]
)
def test_the_trusted_proxy_is_an_ip_address(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: str
) -> None:
    monkeypatch.setenv("FUNNEL_TRUSTED_PROXY", raw)
    assert config.env_proxy("FUNNEL_TRUSTED_PROXY") == expected


@pytest.mark.parametrize("raw", ["proxy.internal", "", "10.0.0.0/8"])
def test_a_trusted_proxy_that_is_not_an_address_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("FUNNEL_TRUSTED_PROXY", raw)
    with pytest.raises(ConfigError, match=r"^FUNNEL_TRUSTED_PROXY="):
        config.env_proxy("FUNNEL_TRUSTED_PROXY")


@pytest.mark.parametrize("raw", ["funnel.example.com", "https://funnel.example.com/login/"])
def test_a_trusted_origin_without_a_scheme_or_with_a_path_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("FUNNEL_CSRF_TRUSTED_ORIGINS", raw)
    with pytest.raises(ConfigError, match=r"^FUNNEL_CSRF_TRUSTED_ORIGINS"):
        config.env_origins("FUNNEL_CSRF_TRUSTED_ORIGINS")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask, which leaves new files readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_files_are_owner_only_in_a_folder_open_to_all(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, open_umask: None
) -> None:
    monkeypatch.delenv("FUNNEL_DATABASE_URL", raising=False)
    tmp_path.chmod(0o755)
    database = config.database(tmp_path)
    with sqlite3.connect(database["NAME"]) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE secrets (hash TEXT)")
        connection.execute("INSERT INTO secrets VALUES ('pbkdf2_sha256$...')")
        files = sorted(tmp_path.glob("funnel.sqlite3*"))
        assert [file.name for file in files] == [
            "funnel.sqlite3",
            "funnel.sqlite3-shm",
            "funnel.sqlite3-wal",
        ]
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}


def test_sqlite_files_left_readable_by_an_older_funnel_are_tightened(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FUNNEL_DATABASE_URL", raising=False)
    for name in ["funnel.sqlite3", "funnel.sqlite3-wal", "funnel.sqlite3-shm"]:
        (tmp_path / name).write_bytes(b"")
        (tmp_path / name).chmod(0o644)
    config.database(tmp_path)
    assert [mode(file) for file in sorted(tmp_path.glob("funnel.sqlite3*"))] == [0o600] * 3


def test_an_sqlite_database_url_gets_an_owner_only_file_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, open_umask: None
) -> None:
    monkeypatch.setenv("FUNNEL_DATABASE_URL", f"sqlite:///{tmp_path}/elsewhere.sqlite3")
    config.database(tmp_path)
    assert mode(tmp_path / "elsewhere.sqlite3") == 0o600


def test_an_sqlite_file_in_a_missing_folder_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FUNNEL_DATABASE_URL", f"sqlite:///{tmp_path}/missing/funnel.sqlite3")
    expected = r"^FUNNEL_DATABASE_URL: cannot create the database .* owner-only"
    with pytest.raises(ConfigError, match=expected):
        config.database(tmp_path)
