"""`funnel agenda`: Today on the command line, as text or as the JSON of docs/agenda-json.md."""

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from funnel import cli
from funnel.sales.models import Level, Opportunity

ROME = zoneinfo.ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=ROME)
ITEM_KEYS: dict[str, type | tuple[type, ...]] = {
    "priority": int,
    "group": str,
    "kind": str,
    "title": str,
    "customer": str,
    "opportunity_id": int,
    "due": (str, type(None)),
    "overdue": bool,
    "reason": str,
    "warnings": list,
    "follow_up_id": (int, type(None)),
}
GROUP_KEYS = {"priority", "group", "total", "shown", "more", "left_out"}
KINDS = {
    "next_step",
    "close",
    "qualify",
    "identify_influence",
    "satisfy_influence",
    "schedule_close",
    "move",
    "request",
    "stop_rule",
    "nurture",
    "post_sale",
    "delivery_date",
}


@pytest.fixture(autouse=True)
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the command in this process, on the test database, at NOW."""
    monkeypatch.setattr(cli, "migrate", lambda: None)
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def funnel(anna: User, make_opportunity: Callable[..., Opportunity]) -> dict[str, Opportunity]:
    """One objective at each open level, and one closed."""
    return {
        "showroom": make_opportunity(
            "Showroom lighting",
            level=Level.BEST_FEW,
            value=Decimal(8000),
            next_step="Send the signed offer",
            next_step_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=ROME),
            expected_close_on=dt.date(2026, 12, 10),
        ),
        "website": make_opportunity(
            "Website",
            next_step="Call Giulia",
            next_step_at=dt.datetime(2026, 11, 29, 15, 0, tzinfo=ROME),
        ),
        "audit": make_opportunity("Audit", level=Level.IN),
        "won": make_opportunity("Old deal", level=Level.WON),
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["agenda", *args])
    out, err = capsys.readouterr()
    return code, out, err


def agenda_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "--json", *args)
    assert (code, err) == (0, "")
    payload: dict[str, Any] = json.loads(out)
    return payload


# The JSON contract


def test_json_has_the_documented_fields_and_types(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    payload = agenda_json(capsys, "--user", "anna")
    assert set(payload) == {"date", "user", "items", "groups"}
    assert (payload["date"], payload["user"]) == ("2026-11-30", "anna")
    assert payload["items"]
    for item in payload["items"]:
        assert set(item) == set(ITEM_KEYS)
        for key, kind in ITEM_KEYS.items():
            assert isinstance(item[key], kind), (key, item[key])
        assert item["kind"] in KINDS
        assert all(isinstance(warning, str) for warning in item["warnings"])
    for group in payload["groups"]:
        assert set(group) == GROUP_KEYS
        assert all(isinstance(group[key], int) for key in GROUP_KEYS - {"group"})


def test_json_lists_the_work_in_the_methods_order(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    payload = agenda_json(capsys, "--user", "anna")
    priorities = [item["priority"] for item in payload["items"]]
    assert priorities == sorted(priorities)
    assert [(item["priority"], item["group"], item["title"]) for item in payload["items"]] == [
        (1, "best_few", "Showroom lighting"),
        (2, "prospecting", "Website"),
        (3, "in_funnel", "Audit"),
    ]
    assert [
        (g["priority"], g["group"], g["total"], g["shown"], g["more"]) for g in payload["groups"]
    ] == [
        (1, "best_few", 1, 1, 0),
        (2, "prospecting", 1, 1, 0),
        (3, "in_funnel", 1, 1, 0),
        (4, "keep_in_touch", 0, 0, 0),
    ]


def test_json_gives_due_times_in_the_users_time_zone_with_the_offset(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    items = {item["title"]: item for item in agenda_json(capsys, "--user", "anna")["items"]}
    showroom, website, audit = items["Showroom lighting"], items["Website"], items["Audit"]
    assert showroom["due"] == "2026-11-30T09:00:00+01:00"
    assert dt.datetime.fromisoformat(showroom["due"]) == funnel["showroom"].next_step_at
    assert (showroom["overdue"], showroom["kind"]) == (True, "next_step")  # it is 10:00
    assert website["due"] == "2026-11-29T15:00:00+01:00"
    assert website["reason"].startswith("Call Giulia (missed: it was due ")
    assert (audit["due"], audit["overdue"]) == (None, False)
    assert (audit["opportunity_id"], audit["customer"]) == (
        funnel["audit"].pk,
        "Ferretti Arredamenti",
    )


def test_json_says_what_is_missing_in_the_funnel(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    items = {item["title"]: item for item in agenda_json(capsys, "--user", "anna")["items"]}
    assert items["Audit"]["kind"] == "identify_influence"
    assert items["Audit"]["reason"] == "Identify the economic buyer, who gives the final approval."
    assert items["Audit"]["warnings"] == ["No follow-up planned."]


def test_each_group_stops_at_five_unless_all_are_asked_for(
    capsys: pytest.CaptureFixture[str], anna: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    for i in range(7):
        make_opportunity(f"Prospect {i:02}")
    (prospecting,) = [
        g for g in agenda_json(capsys, "--user", "anna")["groups"] if g["priority"] == 2
    ]
    assert (prospecting["total"], prospecting["shown"], prospecting["more"]) == (7, 5, 2)
    every = agenda_json(capsys, "--user", "anna", "--all")
    assert len(every["items"]) == 7
    assert every["groups"][1]["more"] == 0


# --date


def test_another_day_is_planned_from_its_start(
    capsys: pytest.CaptureFixture[str],
    funnel: dict[str, Opportunity],
    make_opportunity: Callable[..., Opportunity],
) -> None:
    make_opportunity(
        "Tomorrow's call",
        next_step="Call",
        next_step_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=ROME),
    )
    payload = agenda_json(capsys, "--user", "anna", "--date", "2026-12-01")
    assert payload["date"] == "2026-12-01"
    items = {item["title"]: item for item in payload["items"]}
    call = items["Tomorrow's call"]
    assert (call["kind"], call["overdue"]) == ("next_step", False)
    assert call["reason"] == "Call (due today at 11:30 p.m.)"
    assert items["Showroom lighting"]["overdue"] is True  # it was due on the 30th


def test_today_as_a_date_keeps_the_time_of_day(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    payload = agenda_json(capsys, "--user", "anna", "--date", "2026-11-30")
    (showroom,) = [item for item in payload["items"] if item["title"] == "Showroom lighting"]
    assert showroom["overdue"] is True  # 9:00 has passed at 10:00


def test_an_earlier_day_sees_todays_steps_as_not_yet_due(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    payload = agenda_json(capsys, "--user", "anna", "--date", "2026-11-29")
    items = {item["title"]: item for item in payload["items"]}
    assert items["Website"]["overdue"] is False
    assert items["Website"]["reason"] == "Call Giulia (due today at 3 p.m.)"
    assert items["Showroom lighting"]["kind"] == "close"


def test_a_date_that_is_not_a_date_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], anna: User
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["agenda", "--user", "anna", "--date", "30/11/2026"])
    assert stop.value.code == 2
    assert "'30/11/2026' is not a date like 2026-11-30" in capsys.readouterr().err


# Choosing the user


def test_an_unknown_user_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], anna: User
) -> None:
    code, out, err = run(capsys, "--user", "nobody")
    assert (code, out) == (2, "")
    assert err == "funnel: no user named 'nobody'\n"


def test_with_several_users_the_command_asks_which(
    capsys: pytest.CaptureFixture[str], anna: User, outsider: User
) -> None:
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err == "funnel: several users: choose one with --user\n"


def test_with_no_users_the_command_says_so(capsys: pytest.CaptureFixture[str], db: None) -> None:
    code, _out, err = run(capsys)
    assert (code, err) == (2, "funnel: no users yet: choose one with --user\n")


def test_the_only_user_needs_no_user_option(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    assert agenda_json(capsys)["user"] == "anna"


def test_another_users_opportunities_are_not_on_the_agenda(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity], outsider: User
) -> None:
    payload = agenda_json(capsys, "--user", "mallory")
    assert payload["items"] == []
    assert [g["total"] for g in payload["groups"]] == [0, 0, 0, 0]


def test_a_user_without_a_profile_gets_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], db: None
) -> None:
    User.objects.create_superuser("admin", password="a-long-passphrase-42")
    code, _out, err = run(capsys, "--user", "admin")
    assert code == 2
    assert len(err.strip().splitlines()) == 1


# Text


def test_text_lists_the_groups_in_order_with_items_reasons_and_warnings(
    capsys: pytest.CaptureFixture[str], funnel: dict[str, Opportunity]
) -> None:
    code, out, err = run(capsys, "--user", "anna")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "What to do on 2026-11-30, in order:"
    headings = [line for line in lines if line[:2] in {"1.", "2.", "3."}]
    assert headings == [
        "1. Close the Best few (1)",
        "2. Prospect above the funnel (1)",
        "3. Work the funnel (1)",
    ]
    showroom = funnel["showroom"]
    assert f"  ! Showroom lighting · Ferretti Arredamenti  [#{showroom.pk}]" in lines
    assert f"    Audit · Ferretti Arredamenti  [#{funnel['audit'].pk}]" in lines
    assert "      Identify the economic buyer, who gives the final approval." in lines
    assert "      ⚠ No follow-up planned." in lines
    assert "Old deal" not in out


def test_text_points_to_all_for_the_rest(
    capsys: pytest.CaptureFixture[str], anna: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    for i in range(6):
        make_opportunity(f"Prospect {i:02}")
    _code, out, _err = run(capsys, "--user", "anna")
    assert "    … and 1 more (--all)" in out.splitlines()
    assert "2. Prospect above the funnel (6)" in out


def test_text_of_an_empty_funnel_still_lists_the_four_groups(
    capsys: pytest.CaptureFixture[str], anna: User
) -> None:
    _code, out, _err = run(capsys, "--user", "anna")
    assert out.splitlines()[1:] == [
        "",
        "1. Close the Best few (0)",
        "",
        "2. Prospect above the funnel (0)",
        "",
        "3. Work the funnel (0)",
        "",
        "4. Keep in touch (0)",
    ]
