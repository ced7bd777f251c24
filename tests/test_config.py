"""FUNNEL_* variables: good values configure Funnel, bad ones name the variable."""

import stat
from pathlib import Path

import pytest

from funnel.lib import config
from funnel.lib.config import ConfigError


def test_the_database_defaults_to_an_sqlite_file_in_the_data_folder_with_wal(monkeypatch, tmp_path):
    monkeypatch.delenv("FUNNEL_DATABASE_URL", raising=False)
    database = config.database(tmp_path)
    assert database["NAME"] == tmp_path / "funnel.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0


def test_a_postgres_url_configures_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNEL_DATABASE_URL", "postgres://sales:s3cret@db.internal:5433/funnel")
    database = config.database(tmp_path)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "funnel")
    assert (database["USER"], database["PASSWORD"]) == ("sales", "s3cret")


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/funnel", "not a url", "postgres://user@host:5432", "sqlite://"],
)
def test_an_unusable_database_url_names_the_variable(monkeypatch, tmp_path, url):
    monkeypatch.setenv("FUNNEL_DATABASE_URL", url)
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATABASE_URL"):
        config.database(tmp_path)


def test_a_generated_secret_key_is_kept_and_readable_by_its_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv("FUNNEL_SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_a_short_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNNEL_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match=r"^FUNNEL_SECRET_KEY"):
        config.secret_key(tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_yes_no_values_are_parsed(monkeypatch, raw, expected):
    monkeypatch.setenv("FUNNEL_DEBUG", raw)
    assert config.env_bool("FUNNEL_DEBUG", default=not expected) is expected


def test_a_yes_no_value_that_is_neither_names_the_variable(monkeypatch):
    monkeypatch.setenv("FUNNEL_DEBUG", "maybe")
    with pytest.raises(ConfigError, match=r"^FUNNEL_DEBUG='maybe'"):
        config.env_bool("FUNNEL_DEBUG", default=False)


def test_allowed_hosts_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("FUNNEL_ALLOWED_HOSTS", "funnel.example.com, 10.0.0.5 ,")
    assert config.env_list("FUNNEL_ALLOWED_HOSTS", []) == ["funnel.example.com", "10.0.0.5"]
    monkeypatch.setenv("FUNNEL_ALLOWED_HOSTS", " , ")
    with pytest.raises(ConfigError, match=r"^FUNNEL_ALLOWED_HOSTS"):
        config.env_list("FUNNEL_ALLOWED_HOSTS", [])


def test_an_unknown_time_zone_names_the_variable(monkeypatch):
    monkeypatch.setenv("FUNNEL_TIME_ZONE", "Europe/Atlantis")
    with pytest.raises(ConfigError, match=r"^FUNNEL_TIME_ZONE"):
        config.env_time_zone("FUNNEL_TIME_ZONE", "UTC")
    monkeypatch.setenv("FUNNEL_TIME_ZONE", "Europe/Stockholm")
    assert config.env_time_zone("FUNNEL_TIME_ZONE", "UTC") == "Europe/Stockholm"


def test_an_unknown_currency_names_the_variable(monkeypatch):
    monkeypatch.setenv("FUNNEL_CURRENCY", "XYZ")
    with pytest.raises(ConfigError, match=r"^FUNNEL_CURRENCY"):
        config.env_currency("FUNNEL_CURRENCY", "EUR")


def test_the_data_folder_is_created_when_missing(monkeypatch, tmp_path):
    wanted = tmp_path / "nested" / "funnel"
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(wanted))
    assert config.data_dir() == wanted
    assert wanted.is_dir()


def test_an_unwritable_data_folder_names_the_variable(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(blocker / "funnel"))
    with pytest.raises(ConfigError, match=r"^FUNNEL_DATA_DIR: cannot create"):
        config.data_dir()


def test_the_example_environment_file_documents_every_variable_funnel_reads():
    root = Path(__file__).resolve().parent.parent
    source = (root / "funnel" / "settings.py").read_text() + (
        root / "funnel/lib/config.py"
    ).read_text()
    example = (root / ".env.example").read_text()
    import re

    read = set(re.findall(r'"(FUNNEL_[A-Z_]+)"', source))
    documented = set(re.findall(r"^(FUNNEL_[A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no FUNNEL_ variables found in the settings"
    assert read <= documented, f"undocumented: {sorted(read - documented)}"
