"""FUNNEL_EMAIL_URL, FUNNEL_EMAIL_FROM and FUNNEL_BASE_URL: good values configure Django's email,
bad ones name the variable."""

import pytest

from funnel.lib import config
from funnel.lib.config import ConfigError


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FUNNEL_EMAIL_URL", "FUNNEL_EMAIL_FROM", "FUNNEL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_url_the_emails_go_to_the_log() -> None:
    assert config.email_settings()["EMAIL_BACKEND"] == "funnel.lib.mail.LogBackend"


def test_smtp_on_587_uses_starttls_with_the_user_and_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "FUNNEL_EMAIL_URL", "smtp://anna%40example.com:p%40ss%3Aword@mail.example.com:587"
    )
    email = config.email_settings()
    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"]) == ("mail.example.com", 587)
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == (
        "anna@example.com",
        "p@ss:word",
    )
    assert (email["EMAIL_USE_TLS"], email["EMAIL_USE_SSL"]) == (True, False)


def test_smtps_is_tls_from_the_start_on_465(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_EMAIL_URL", "smtps://u:p@mail.example.com")
    email = config.email_settings()
    assert (email["EMAIL_PORT"], email["EMAIL_USE_TLS"], email["EMAIL_USE_SSL"]) == (
        465,
        False,
        True,
    )


def test_plain_smtp_can_ask_for_starttls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_EMAIL_URL", "smtp://relay.internal:2525?starttls=true")
    assert config.email_settings()["EMAIL_USE_TLS"] is True
    monkeypatch.setenv("FUNNEL_EMAIL_URL", "smtp://relay.internal")
    email = config.email_settings()
    assert (email["EMAIL_PORT"], email["EMAIL_USE_TLS"]) == (25, False)


@pytest.mark.parametrize(
    "value",
    [
        "nonsense",
        "http://mail.example.com",
        "smtp://",
        "smtp://mail.example.com:99999",
        "smtp://mail.example.com:port",
        "smtp://mail.example.com?starttls=maybe",
        "smtps://mail.example.com?starttls=true",
    ],
)
def test_a_bad_email_url_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FUNNEL_EMAIL_URL", value)
    with pytest.raises(ConfigError, match="FUNNEL_EMAIL_URL") as raised:
        config.email_settings()
    assert "\n" not in str(raised.value)


def test_the_sender_keeps_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_EMAIL_FROM", "Funnel Sales <funnel@example.com>")
    assert config.email_from() == "Funnel Sales <funnel@example.com>"


@pytest.mark.parametrize("value", ["not an address", "a@b\nBcc: victim@example.com", "<>"])
def test_a_bad_sender_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FUNNEL_EMAIL_FROM", value)
    with pytest.raises(ConfigError, match="FUNNEL_EMAIL_FROM"):
        config.email_from()


def test_the_base_url_of_links_in_emails(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.base_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("FUNNEL_BASE_URL", "https://funnel.example.com/")
    assert config.base_url() == "https://funnel.example.com"
    monkeypatch.setenv("FUNNEL_BASE_URL", "funnel.example.com")
    with pytest.raises(ConfigError, match="FUNNEL_BASE_URL"):
        config.base_url()
