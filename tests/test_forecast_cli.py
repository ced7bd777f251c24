"""`funnel forecast`: the forecast of won value per month on the command line, as text or as
the JSON of docs/forecast-json.md, and the dry-spell warning with it."""

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import translation

from funnel import cli
from funnel.contacts.models import Organisation
from funnel.forecast.alerts import StopAhead
from funnel.forecast.facts import compute
from funnel.forecast.payload import outlook_payload
from tests.forecast_helpers import DRY_SPELL, NOW, Life, prospecting_history, write_history

DOC = Path(__file__).resolve().parent.parent / "docs" / "forecast-json.md"
SOURCES = {"won", "best_few", "in", "above", "not_found"}
LEVELS = {"above", "in", "best_few"}
BAND = {"p10", "p50", "p90"}
MONTHS = {"month", *BAND, "sources"}
BASIS = {
    "measured",
    "won_deals",
    "won_share",
    "days_to_win",
    "prospects_per_week",
    "won_value",
    "open",
}
DRY_SPELL_KEYS = {"month", "weeks_ahead", "share", "prospects_per_week", "for_weeks", "text"}
TOP = {
    "user",
    "as_of",
    "currency",
    "cycle_days",
    "months",
    "basis",
    "target",
    "dry_spell",
    "stop_ahead",
}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def quiet(anna: User, organisation: Organisation) -> User:
    """A year of weekly prospecting that stopped three weeks ago: a dry spell is coming."""
    prospecting_history(anna, organisation, quiet_days=21)
    return anna


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["forecast", *args])
    out, err = capsys.readouterr()
    return code, out, err


def forecast_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "--user", "anna", "--json", *args)
    assert (code, err) == (0, "")
    payload: dict[str, Any] = json.loads(out)
    return payload


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The last line the parser prints when it refuses an option (after the usage)."""
    with pytest.raises(SystemExit) as stop:
        cli.main(["forecast", "--user", "anna", *args])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err.strip().splitlines()[-1]


# The JSON contract


def test_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str], quiet: User) -> None:
    payload = forecast_json(capsys)

    assert set(payload) == TOP
    assert (payload["user"], payload["as_of"], payload["currency"]) == ("anna", "2026-11-18", "EUR")
    assert isinstance(payload["cycle_days"], int) and payload["cycle_days"] > 0
    assert [month["month"] for month in payload["months"]] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
    ]
    for month in payload["months"]:
        assert set(month) == MONTHS
        assert month["p10"] <= month["p50"] <= month["p90"]
        assert set(month["sources"]) == SOURCES
        for band in month["sources"].values():
            assert set(band) == BAND and band["p10"] <= band["p50"] <= band["p90"]
    basis = payload["basis"]
    assert set(basis) == BASIS
    assert basis["measured"] is True and basis["won_deals"] >= 5
    assert set(basis["won_share"]) == set(basis["days_to_win"]) == {"entry", *LEVELS}
    assert set(basis["open"]) == LEVELS
    assert basis["prospects_per_week"] == 0  # none in the last three weeks
    target = payload["target"]
    assert (target["set"], target["tolerance"]) == (False, 30) and target["monthly"] > 0
    spell = payload["dry_spell"]
    assert set(spell) == DRY_SPELL_KEYS
    assert re.fullmatch(r"20\d\d-\d\d", spell["month"])
    assert DRY_SPELL in spell["text"]
    assert payload["stop_ahead"] is None


def test_json_without_a_warning_has_nulls(
    capsys: pytest.CaptureFixture[str], anna: User, organisation: Organisation
) -> None:
    prospecting_history(anna, organisation)
    payload = forecast_json(capsys)
    assert (payload["dry_spell"], payload["stop_ahead"]) == (None, None)
    assert payload["basis"]["prospects_per_week"] > 3


def test_the_target_set_in_settings_is_the_one_compared(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    quiet.profile.income_target = Decimal("12500.50")
    quiet.profile.income_tolerance = 10
    quiet.profile.save()
    target = forecast_json(capsys)["target"]
    assert target == {"monthly": 12500.5, "set": True, "tolerance": 10}


def test_months_gives_that_many_months(capsys: pytest.CaptureFixture[str], quiet: User) -> None:
    months = forecast_json(capsys, "--months", "3")["months"]
    assert [month["month"] for month in months] == ["2026-11", "2026-12", "2027-01"]


def test_months_reaches_two_years_ahead(capsys: pytest.CaptureFixture[str], quiet: User) -> None:
    months = forecast_json(capsys, "--months", "24")["months"]
    assert (len(months), months[-1]["month"]) == (24, "2028-10")


@pytest.fixture
def won_on_the_tenth(anna: User, organisation: Organisation) -> None:
    """A deal found in October and signed on 10 November."""
    moves = (
        (dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), "above"),
        (dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC), "best_few"),
        (dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC), "won"),
    )
    write_history(anna, organisation, [Life(moves, value=7000)])


def test_as_of_a_past_day_forecasts_as_known_then(
    capsys: pytest.CaptureFixture[str], won_on_the_tenth: None
) -> None:
    today = forecast_json(capsys)
    then = forecast_json(capsys, "--as-of", "2026-11-05")

    assert today["months"][0]["sources"]["won"]["p50"] == 7000
    assert then["as_of"] == "2026-11-05"
    assert then["months"][0]["month"] == "2026-11"
    assert then["months"][0]["sources"]["won"]["p50"] == 0  # not signed yet on the 5th
    assert then["basis"]["open"]["best_few"] == 1  # it was still in Best few


def test_as_of_today_is_the_same_as_leaving_it_out(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    assert forecast_json(capsys, "--as-of", "2026-11-18") == forecast_json(capsys)


def test_as_of_fifty_years_back_is_still_allowed(
    capsys: pytest.CaptureFixture[str], won_on_the_tenth: None
) -> None:
    payload = forecast_json(capsys, "--as-of", "1976-11-18")
    assert payload["as_of"] == "1976-11-18"
    assert all(month["p90"] == 0 for month in payload["months"])


# What it refuses


@pytest.mark.parametrize("months", ["0", "25", "x", "-1", "2.5"])
def test_a_number_of_months_out_of_range_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], anna: User, months: str
) -> None:
    line = refused(capsys, "--months", months)
    assert line.endswith(f"argument --months: {months!r} is not a number of months from 1 to 24")


def test_a_day_that_is_not_a_date_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], anna: User
) -> None:
    line = refused(capsys, "--as-of", "18/11/2026")
    assert line.endswith("argument --as-of: '18/11/2026' is not a date like 2026-11-30")


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-11-19", "--as-of 2026-11-19 is after today: a forecast starts from what is known"),
        ("1976-11-17", "--as-of 1976-11-17 is more than 50 years back"),
        ("0001-01-01", "--as-of 0001-01-01 is more than 50 years back"),
    ],
)
def test_a_day_in_the_future_or_too_far_back_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], anna: User, day: str, error: str
) -> None:
    assert run(capsys, "--user", "anna", "--as-of", day) == (2, "", f"funnel: {error}\n")


def test_tomorrow_in_rome_is_today_there(capsys: pytest.CaptureFixture[str], anna: User) -> None:
    """Late in the evening UTC it is already the next day in the user's time zone."""
    with time_machine.travel(dt.datetime(2026, 11, 18, 23, 30, tzinfo=dt.UTC), tick=False):
        assert forecast_json(capsys, "--as-of", "2026-11-19")["as_of"] == "2026-11-19"


def test_an_unknown_user_is_one_line(capsys: pytest.CaptureFixture[str], anna: User) -> None:
    assert run(capsys, "--user", "nobody") == (2, "", "funnel: no user named 'nobody'\n")


# The text for people


def test_text_names_the_months_the_target_and_the_warning(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    quiet.profile.income_target = Decimal(5000)
    quiet.profile.save()
    code, out, err = run(capsys, "--user", "anna", "--months", "3")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Won value forecast, as known at the end of Nov. 18, 2026 (P10 · P50 · P90):"
    assert [line.split("  ")[1].strip() for line in lines[1:4]] == [
        "November 2026",
        "December 2026",
        "January 2027",
    ]
    assert "February 2027" not in out
    assert "Target: €5,000 a month." in lines
    assert "New prospects lately: 0.0 a week." in lines
    (warning,) = [line for line in lines if line.startswith("⚠ ")]
    assert DRY_SPELL in warning


def test_text_says_the_target_is_the_average_until_one_is_set(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    _code, out, _err = run(capsys, "--user", "anna")
    (line,) = [line for line in out.splitlines() if line.startswith("Target: ")]
    assert re.fullmatch(r"Target: €[\d,]+ a month, the average of the last 12 months\.", line)


def test_text_says_when_there_are_too_few_won_deals_to_measure(
    capsys: pytest.CaptureFixture[str], anna: User, won_on_the_tenth: None
) -> None:
    _code, out, _err = run(capsys, "--user", "anna")
    assert (
        "Too few deals won with their history of levels to measure yet: the forecast uses "
        "stated defaults, placed by your normal sales cycle of 90 days."
    ) in out


def test_text_says_a_cycle_of_one_day_in_the_singular(
    capsys: pytest.CaptureFixture[str], anna: User, won_on_the_tenth: None
) -> None:
    anna.profile.sales_cycle_days = 1
    anna.profile.save(update_fields=["sales_cycle_days"])
    _code, out, _err = run(capsys, "--user", "anna")
    assert "placed by your normal sales cycle of 1 day." in out


def test_text_in_italian_names_the_months_in_italian(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    quiet.profile.language = "it"
    quiet.profile.save()
    _code, out, _err = run(capsys, "--user", "anna", "--months", "2")
    assert "novembre 2026" in out.lower() and "dicembre 2026" in out.lower()
    assert "November" not in out and "December" not in out


# The document


def json_blocks() -> list[Any]:
    text = DOC.read_text()
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def shape(value: Any) -> Any:
    """The keys all the way down; each list by its first item, values by their JSON kind."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return None
    return "bool" if isinstance(value, bool) else type(value).__name__.replace("int", "float")


def test_the_documented_example_has_the_real_outputs_fields(
    capsys: pytest.CaptureFixture[str], quiet: User
) -> None:
    example, *_ = json_blocks()
    real = forecast_json(capsys, "--months", "2")
    assert shape(example) == shape(real)
    assert list(example) == list(real)  # in the same order too


def test_the_documented_stop_ahead_has_the_real_fields(quiet: User) -> None:
    _example, documented, *_ = json_blocks()
    outlook = compute(quiet, as_of=NOW.date())
    warned = dataclasses.replace(outlook, stop_ahead=StopAhead(times=2, months_later=3))
    with translation.override("en"):
        real = outlook_payload(warned, username="anna", currency="EUR", months=1)
    assert shape(documented) == shape({"stop_ahead": real["stop_ahead"]})
