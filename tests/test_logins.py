"""Failed logins are throttled (django-axes): per account, per address, for 15 minutes.

The policy (funnel/settings.py, docs/deployment.md): ten failures in a row against one account,
or from one address, pause logins for that account everywhere, and for every account from that
address, for 15 minutes after the last counted failure.
"""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from funnel import cli
from funnel.accounts.actions import create_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"
PAUSED = "Too many wrong passwords for this account or from this address."


def log_in(
    client: Client, username: str, password: str, *, address: str = HOME, url: str = LOGIN
) -> int:
    """Posts the login form from the given address; the answer's status code."""
    response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response.status_code


def fail(client: Client, username: str, times: int, *, address: str = HOME) -> None:
    for _ in range(times):
        log_in(client, username, "not-the-password", address=address)


def test_thirty_wrong_passwords_are_answered_with_a_pause_and_a_message(
    client: Client, owner: User
) -> None:
    statuses = []
    for _ in range(30):
        response = client.post(LOGIN, {"username": "anna", "password": "guess"}, REMOTE_ADDR=HOME)
        statuses.append(response.status_code)
    assert statuses[:9] == [200] * 9  # the login form again, with its error
    assert set(statuses[9:]) == {429}
    assert PAUSED in response.text
    assert "paused for 15 minutes" in response.text
    assert "funnel manage axes_reset_username" in response.text


def test_the_real_password_is_refused_during_the_pause_and_accepted_after_it(
    client: Client, owner: User
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        fail(client, "anna", 30)
        traveller.shift(dt.timedelta(minutes=14))
        assert log_in(client, "anna", PASSWORD) == 429
        assert "_auth_user_id" not in client.session
        traveller.shift(dt.timedelta(minutes=2))
        assert log_in(client, "anna", PASSWORD) == 302
    assert client.get(reverse("today")).status_code == 200


def test_trying_again_during_the_pause_does_not_make_it_longer(client: Client, owner: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        fail(client, "anna", 10)
        for _ in range(14):
            traveller.shift(dt.timedelta(minutes=1))
            fail(client, "anna", 1)
        traveller.shift(dt.timedelta(minutes=2))
        assert log_in(client, "anna", PASSWORD) == 302


def test_the_admin_login_is_paused_too(client: Client) -> None:
    create_user(username="root-anna", password=PASSWORD, superuser=True)
    for _ in range(30):
        response = client.post(
            ADMIN_LOGIN, {"username": "root-anna", "password": "guess"}, REMOTE_ADDR=HOME
        )
    assert response.status_code == 429
    assert PAUSED in response.text
    assert log_in(client, "root-anna", PASSWORD, url=ADMIN_LOGIN) == 429


def test_a_paused_account_is_paused_from_every_address(client: Client, owner: User) -> None:
    fail(client, "anna", 10, address=HOME)
    assert log_in(client, "anna", PASSWORD, address=ELSEWHERE) == 429


def test_another_account_from_another_address_is_not_affected(
    client: Client, owner: User, outsider: User
) -> None:
    fail(client, "anna", 10, address=HOME)
    assert log_in(client, "mallory", PASSWORD, address=ELSEWHERE) == 302


def test_an_address_that_tries_many_accounts_is_paused_for_every_account(
    client: Client, owner: User
) -> None:
    for number in range(10):
        fail(client, f"sales{number}", 1, address=HOME)
    assert log_in(client, "anna", PASSWORD, address=HOME) == 429
    assert log_in(client, "anna", PASSWORD, address=ELSEWHERE) == 302


def test_a_forwarded_for_header_from_the_client_does_not_give_a_new_address(
    client: Client, owner: User
) -> None:
    for number in range(10):
        client.post(
            LOGIN,
            {"username": f"sales{number}", "password": "guess"},
            REMOTE_ADDR=HOME,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    assert log_in(client, "anna", PASSWORD, address=HOME) == 429


def test_a_few_typos_do_not_pause_anyone(client: Client, owner: User) -> None:
    fail(client, "anna", 9)
    assert log_in(client, "anna", PASSWORD) == 302


def test_logging_in_as_yourself_does_not_wipe_the_failures_against_a_colleague(
    client: Client, owner: User, outsider: User
) -> None:
    fail(client, "anna", 9)
    assert log_in(Client(), "mallory", PASSWORD) == 302  # from the same address
    fail(client, "anna", 1)
    assert log_in(client, "anna", PASSWORD, address=ELSEWHERE) == 429


def test_failures_are_forgotten_after_the_pause(client: Client, owner: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        fail(client, "anna", 9)
        traveller.shift(dt.timedelta(minutes=16))
        fail(client, "anna", 9)
        assert log_in(client, "anna", PASSWORD) == 302


def test_successful_logins_leave_no_rows_behind(owner: User) -> None:
    for _ in range(3):
        assert log_in(Client(), "anna", PASSWORD) == 302
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.exists()


def test_createuser_refuses_a_password_equal_to_the_username(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "migrate", lambda: None)
    status = cli.main(["createuser", "annarossi", "--password", "annarossi"])
    assert status == 2
    assert capsys.readouterr().err == "funnel: The password is too similar to the username.\n"
    assert not User.objects.filter(username="annarossi").exists()


def test_createuser_refuses_a_password_close_to_the_email_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "migrate", lambda: None)
    arguments = ["createuser", "sven", "--email", "svensson@example.com"]
    assert cli.main([*arguments, "--password", "svensson"]) == 2
    assert "too similar to the email address" in capsys.readouterr().err
