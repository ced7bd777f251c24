"""Running for real: the documented production settings, behind an HTTPS proxy, under load."""

import http.client
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from django.urls import reverse
from pytest_django import Settings
from waitress.task import ThreadedTaskDispatcher

from funnel import cli
from funnel.sales.models import Activity, Opportunity
from tests.conftest import PASSWORD
from tests.helpers import child_environment

ROOT = Path(__file__).resolve().parent.parent
PROXY = "127.0.0.1"
STRANGER = "127.0.0.2"  # another loopback address: a client that is not the proxy


def example_environment() -> dict[str, str]:
    """The variables .env.example sets: the values a real deployment uses."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if re.match(r"FUNNEL_[A-Z_]+=", line)]
    return {name: value for name, value in pairs}


def test_the_production_settings_of_the_example_pass_djangos_deployment_checks(
    tmp_path: Path,
) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FUNNEL_", "DJANGO_"))},
        **example_environment(),
        "FUNNEL_DATA_DIR": str(tmp_path),
    }
    assert environment["FUNNEL_HTTPS"] == "true"
    result = subprocess.run(
        [sys.executable, "-m", "funnel.cli", "manage", "check", "--deploy"],
        capture_output=True,
        text=True,
        env=child_environment(environment),
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


# Through waitress, built the way `funnel serve` builds it


@pytest.fixture
def waitress_behind_the_proxy(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """`funnel serve`'s server in a thread, trusting PROXY; yields its port."""
    settings.TRUSTED_PROXY = PROXY
    # The server's threads have their own database connections: close each after its request,
    # or PostgreSQL would refuse to drop the test database while they linger.
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 0)
    server = cli.build_server(PROXY, 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port
    stop(server)
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


def stop(server) -> None:  # type: ignore[no-untyped-def]  # waitress is untyped
    """Closes every socket from inside the server's loop (its trigger), so the loop returns."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.trigger.pull_trigger(close_all)


@pytest.fixture
def https_on(settings: Settings) -> None:
    """FUNNEL_HTTPS=true and an hour of HSTS, set before the server reads them."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600


class Answer(NamedTuple):
    status: int
    text: str
    headers: http.client.HTTPMessage


def request(
    port: int,
    path: str,
    *,
    source: str = PROXY,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Answer:
    """GET path (or POST the form) from the given loopback address."""
    connection = http.client.HTTPConnection(PROXY, port, timeout=20, source_address=(source, 0))
    headers = dict(headers or {})
    if form is None:
        connection.request("GET", path, headers=headers)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST", path, body=urlencode(form), headers=headers)
    response = connection.getresponse()
    answer = Answer(response.status, response.read().decode(), response.headers)
    connection.close()
    return answer


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def calendar_address(html: str) -> str:
    found = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', html)
    assert found, "no calendar address on the page"
    return found[1]


@pytest.mark.django_db(transaction=True)
def test_behind_an_https_proxy_the_calendar_address_is_https(
    waitress_behind_the_proxy: int, owner: User
) -> None:
    headers = {"Cookie": session_cookie(owner), "X-Forwarded-Proto": "https"}
    page = request(waitress_behind_the_proxy, reverse("settings"), headers=headers)
    assert page.status == 200
    assert calendar_address(page.text).startswith("https://127.0.0.1:")


@pytest.mark.django_db(transaction=True)
def test_the_https_header_from_a_client_that_is_not_the_proxy_is_ignored(
    waitress_behind_the_proxy: int, owner: User
) -> None:
    headers = {"Cookie": session_cookie(owner), "X-Forwarded-Proto": "https"}
    page = request(waitress_behind_the_proxy, reverse("settings"), source=STRANGER, headers=headers)
    assert page.status == 200
    assert calendar_address(page.text).startswith("http://127.0.0.1:")


@pytest.mark.django_db(transaction=True)
def test_with_https_on_plain_http_is_redirected_and_https_through_the_proxy_is_served(
    https_on: None, waitress_behind_the_proxy: int
) -> None:
    port = waitress_behind_the_proxy
    spoofed = request(port, "/login/", source=STRANGER, headers={"X-Forwarded-Proto": "https"})
    assert spoofed.status == 301
    assert spoofed.headers["Location"].startswith("https://")
    proxied = request(port, "/login/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status == 200
    assert proxied.headers["Strict-Transport-Security"] == "max-age=3600"


def log_in_through_the_proxy(port: int, username: str, password: str, client: str) -> int:
    """The login form, fetched and posted through the proxy for the client at that address."""
    page = request(port, "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    cookie = page.headers["Set-Cookie"].split(";")[0]
    assert token and cookie.startswith("csrftoken=")
    form = {"csrfmiddlewaretoken": token[1], "username": username, "password": password}
    headers = {"Cookie": cookie, "X-Forwarded-For": client}
    return request(port, "/login/", headers=headers, form=form).status


@pytest.mark.django_db(transaction=True)
def test_behind_the_proxy_failed_logins_are_counted_per_client_not_for_the_proxy(
    waitress_behind_the_proxy: int, owner: User
) -> None:
    port = waitress_behind_the_proxy
    for number in range(10):
        log_in_through_the_proxy(port, f"sales{number}", "guess", client="203.0.113.5")
    assert log_in_through_the_proxy(port, "anna", PASSWORD, client="203.0.113.5") == 429
    assert log_in_through_the_proxy(port, "anna", PASSWORD, client="198.51.100.7") == 302


# Content-Security-Policy (the browser test checks that pages honour it)


@pytest.mark.django_db
def test_pages_allow_only_funnels_own_scripts_styles_and_forms(owner_client: Client) -> None:
    policy = owner_client.get(reverse("today"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_the_reports_chart_styles_itself_with_the_pages_nonce_only(
    owner_client: Client, opportunity: Opportunity
) -> None:
    Activity.objects.create(
        team=opportunity.team, by=opportunity.owner, opportunity=opportunity, minutes=30
    )
    response = owner_client.get(reverse("reports"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, "the policy has no nonce"
    chart = response.text[response.text.index("<svg") : response.text.index("</svg>")]
    assert re.findall(r"<style[^>]*>", chart) == [f'<style type="text/css" nonce="{nonce[1]}">']
    assert " style=" not in chart


# The log under load


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def folded_queue_warnings(clock: Clock, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Waitress's queue warnings, folded as `funnel serve` folds them, on a clock we move."""
    folding = cli.fold_queue_warnings(clock=clock)
    caplog.set_level(logging.WARNING, logger="waitress.queue")
    yield
    logging.getLogger("waitress.queue").removeFilter(folding)


def queue_requests(count: int) -> None:
    """Requests arriving with no thread free: waitress warns about the queue for each."""
    dispatcher = ThreadedTaskDispatcher()
    for _ in range(count):
        dispatcher.add_task(object())


def test_a_minute_of_queue_warnings_is_one_line_then_a_line_that_counts_the_rest(
    folded_queue_warnings: None, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    queue_requests(500)
    assert caplog.messages == ["Task queue depth is 1"]
    clock.now += 59
    queue_requests(100)
    assert len(caplog.messages) == 1
    clock.now += 1
    queue_requests(3)
    assert caplog.messages == [
        "Task queue depth is 1",
        "Task queue depth is 1 (599 more like it folded)",
    ]
