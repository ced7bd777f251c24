"""Funnel speaks the user's language: catalogues complete, locale-aware formats."""

import gettext
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from funnel.lib.money import format_money
from funnel.sales.models import Opportunity
from tests.helpers import child_environment, present

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "funnel" / "locale"
LANGUAGES = ["it", "nl", "sv", "es"]


def catalogue(language: str, root: Path = LOCALE) -> Catalog:
    with open(root / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    messages = [m for m in catalogue(language) if m.id]
    untranslated = [
        m.id for m in messages if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert messages
    assert not untranslated, f"{language}: {untranslated[:5]}"
    assert not fuzzy, f"{language}: {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for message in catalogue(language):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            translated = present(message.string)[0]
            assert compiled.ngettext(singular, plural, 1) == translated, message.id
        else:
            assert isinstance(message.id, str)
            context = message.context
            text = (
                compiled.pgettext(context, message.id) if context else compiled.gettext(message.id)
            )
            assert text == message.string, f"{language}: run compilemessages ({message.id!r})"


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path: Path) -> None:
    """makemessages on a copy of the package must find nothing the catalogues lack."""
    copy = tmp_path / "funnel"
    shutil.copytree(ROOT / "funnel", copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = child_environment(
        {**os.environ, "PYTHONPATH": str(tmp_path), "FUNNEL_DATA_DIR": str(tmp_path / "data")}
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from funnel.cli import main; main()",
            "manage",
            "makemessages",
            "-l",
            "it",
            "--no-obsolete",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {m.id for m in catalogue("it", copy / "locale") if m.id}
    shipped = {m.id for m in catalogue("it") if m.id}
    assert extracted - shipped == set(), "run makemessages -a and translate the new strings"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€12,500"),
        ("it", "12.500\xa0€"),
        ("nl", "€\xa012.500"),
        ("sv", "12\xa0500\xa0€"),
        ("es", "12.500\xa0€"),
    ],
)
def test_money_is_formatted_for_the_locale_without_cents(language: str, expected: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("12500.40"), "EUR") == expected


def test_money_can_show_cents() -> None:
    with translation.override("en"):
        assert format_money(Decimal("1234.5"), "USD", cents=True) == "$1,234.50"


@pytest.mark.django_db
def test_the_page_follows_the_browser_language_when_the_profile_has_none(
    client: Client, owner: User
) -> None:
    client.force_login(owner)
    response = client.get("/organisations/", headers={"accept-language": "sv-SE,sv;q=0.9"})
    assert response.headers["Content-Language"] == "sv"
    assert "Organisationer" in response.text or "organisation" in response.text.lower()
    with translation.override("sv"):
        assert translation.gettext("New organisation") in response.text


@pytest.mark.django_db
def test_the_profile_language_wins_over_the_browser(client: Client, owner: User) -> None:
    owner.profile.language = "it"
    owner.profile.save()
    client.force_login(owner)
    response = client.get("/today/", headers={"accept-language": "nl"})
    assert response.headers["Content-Language"] == "it"
    with translation.override("it"):
        assert translation.gettext("Welcome to Funnel") in response.text
    assert '<html lang="it">' in response.text


@pytest.mark.django_db
def test_form_errors_come_in_the_users_language(client: Client, owner: User) -> None:
    owner.profile.language = "nl"
    owner.profile.save()
    client.force_login(owner)
    response = client.post("/organisations/new/", {"name": ""})
    assert response.status_code == 422
    assert "Dit veld is verplicht." in response.text


@pytest.mark.django_db
def test_dates_and_values_are_shown_in_the_users_locale(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    opportunity.value = Decimal("18500")
    opportunity.expected_close_on = "2027-03-31"
    opportunity.save()
    owner.profile.language = "it"
    owner.profile.save()
    client.force_login(owner)
    response = client.get(opportunity.get_absolute_url())
    assert "18.500\xa0€" in response.text
    assert "31 Marzo 2027" in response.text  # Django's Italian date format


@pytest.mark.django_db
def test_times_are_shown_in_the_users_time_zone(
    client: Client, owner: User, opportunity: Opportunity
) -> None:
    from datetime import UTC, datetime

    from funnel.sales.models import Activity

    Activity.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        kind="call",
        occurred=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        notes="Summer call",
    )
    owner.profile.time_zone = "Europe/Stockholm"
    owner.profile.language = "sv"
    owner.profile.save()
    client.force_login(owner)
    response = client.get(opportunity.get_absolute_url())
    assert "14:00" in response.text  # 12:00 UTC is 14:00 in Stockholm in July
