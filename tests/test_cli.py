"""The `funnel` command as a user meets it: help, one-line errors, users, demo."""

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from funnel import cli
from tests.helpers import child_environment

ROOT = Path(__file__).resolve().parent.parent


def run_funnel(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command in a fresh process, as a user would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_")}
    environment.update(env or {})
    environment = child_environment(environment)
    return subprocess.run(
        [sys.executable, "-m", "funnel.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["serve", "demo", "createuser", "manage"])
def test_every_command_explains_itself(command: str) -> None:
    result = run_funnel(command, "--help")
    assert result.returncode == 0
    assert "usage: funnel" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_a_wrong_database_url_stops_with_one_line_that_names_it(tmp_path: Path) -> None:
    result = run_funnel(
        "serve", env={"FUNNEL_DATA_DIR": str(tmp_path), "FUNNEL_DATABASE_URL": "mysql://x@y/z"}
    )
    assert result.returncode == 2
    assert result.stderr.startswith("funnel: FUNNEL_DATABASE_URL: unsupported database 'mysql'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_unreachable_postgresql_stops_with_one_line(tmp_path: Path) -> None:
    result = run_funnel(
        "serve",
        env={
            "FUNNEL_DATA_DIR": str(tmp_path),
            "FUNNEL_DATABASE_URL": f"postgres://nobody@{'%2F'.join(['', 'nonexistent'])}:1/x",
        },
    )
    assert result.returncode == 2
    assert result.stderr.startswith("funnel: cannot use the database x:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unwritable_data_folder_stops_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_funnel("serve", env={"FUNNEL_DATA_DIR": str(blocker / "funnel")})
    assert result.returncode == 2
    assert result.stderr.startswith("funnel: FUNNEL_DATA_DIR: cannot create the data folder")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_data_folder_that_is_a_file_stops_serve_with_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "funnel"
    a_file.write_text("")
    result = run_funnel("serve", env={"FUNNEL_DATA_DIR": str(a_file)})
    assert result.returncode == 2
    assert result.stderr == f"funnel: FUNNEL_DATA_DIR: {a_file} is a file, not a folder\n"


def test_an_empty_data_folder_variable_stops_serve_instead_of_using_the_default() -> None:
    result = run_funnel("serve", env={"FUNNEL_DATA_DIR": ""})
    assert result.returncode == 2
    assert result.stderr.startswith("funnel: FUNNEL_DATA_DIR is set but empty")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_empty_secret_key_file_stops_serve_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    result = run_funnel("serve", env={"FUNNEL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"funnel: FUNNEL_SECRET_KEY: the key file {tmp_path / 'secret_key'} is empty"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_https_without_a_trusted_proxy_stops_serve_with_one_line(tmp_path: Path) -> None:
    result = run_funnel("serve", env={"FUNNEL_DATA_DIR": str(tmp_path), "FUNNEL_HTTPS": "true"})
    assert result.returncode == 2
    assert result.stderr.startswith("funnel: FUNNEL_HTTPS=true needs FUNNEL_TRUSTED_PROXY")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def a_failing_system_check() -> Iterator[None]:
    from django.core import checks

    def broken(**kwargs: object) -> list[checks.CheckMessage]:
        return [checks.Error("the frobnicator is missing", id="funnel.E999")]

    checks.register(broken)
    yield
    checks.registry.registry.registered_checks.discard(broken)


def test_serve_stops_on_a_system_check_error_with_one_line(
    a_failing_system_check: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def never(*args: object) -> None:
        raise AssertionError("serve went on after a failed check")

    monkeypatch.setattr(cli, "migrate", never)
    monkeypatch.setattr(cli, "serve", never)
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == "funnel: funnel.E999: the frobnicator is missing\n"


def test_createuser_makes_a_user_who_can_log_in(tmp_path: Path) -> None:
    env = {"FUNNEL_DATA_DIR": str(tmp_path)}
    result = run_funnel("createuser", "sven", "--password", "a-long-passphrase-42", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Created user sven."
    again = run_funnel("createuser", "sven", "--password", "a-long-passphrase-42", env=env)
    assert again.returncode == 2
    assert again.stderr.strip() == "funnel: a user named 'sven' already exists"


def test_createuser_refuses_a_weak_password(tmp_path: Path) -> None:
    result = run_funnel(
        "createuser", "sven", "--password", "123", env={"FUNNEL_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "too short" in result.stderr


@pytest.mark.django_db
def test_createuser_in_process_gives_the_user_a_team_and_profile(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "migrate", lambda: None)
    assert cli.main(["createuser", "lena", "--password", "a-long-passphrase-42"]) == 0
    lena = User.objects.get(username="lena")
    assert lena.check_password("a-long-passphrase-42")
    assert lena.profile.team.memberships.get().user == lena


def test_manage_runs_django_commands(tmp_path: Path) -> None:
    result = run_funnel("manage", "check", env={"FUNNEL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_demo_builds_its_own_database_and_prints_the_login(tmp_path: Path) -> None:
    own_data = tmp_path / "mine"
    demo_data = tmp_path / "demo"
    result = run_funnel(
        "demo",
        "--no-serve",
        "--data-dir",
        str(demo_data),
        env={"FUNNEL_DATA_DIR": str(own_data)},
    )
    assert result.returncode == 0, result.stderr
    assert f"as {cli.DEMO_USERNAME} / {cli.DEMO_PASSWORD}" in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout
    assert stat.S_IMODE((demo_data / "funnel.sqlite3").stat().st_mode) == 0o600
    assert not (own_data / "funnel.sqlite3").exists()


def test_a_port_in_use_stops_serve_with_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_funnel("serve", "--port", str(port), env={"FUNNEL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"funnel: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_serve_answers_http_requests(tmp_path: Path) -> None:
    import selectors
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_")}
    environment["FUNNEL_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "funnel.cli", "serve", "--port", str(port)],
        env=child_environment(environment),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stderr is not None
    try:
        # `serve` says it is running once it listens (waitress listens as the server is built):
        # a request sent from then on waits in the queue until the server takes it.
        with selectors.DefaultSelector() as waiting:
            waiting.register(server.stdout, selectors.EVENT_READ)
            assert waiting.select(timeout=60), "the server did not start within 60 s"
        started = server.stdout.readline()
        assert started.startswith("Funnel is running at"), started + server.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as page:
            body = page.read().decode()
        assert "Log in" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/funnel/app.css") as css:
            assert css.status == 200
        assert server.stdout.readline().startswith("Its worker runs in this process too")
    finally:
        server.terminate()
        code = server.wait(timeout=10)
    assert code == 0, server.stderr.read()  # SIGTERM stops it as a service manager expects


def test_the_default_database_is_an_sqlite_file_in_wal_mode(tmp_path: Path) -> None:
    import sqlite3

    result = run_funnel("manage", "migrate", "-v0", env={"FUNNEL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "funnel.sqlite3") as database:
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
