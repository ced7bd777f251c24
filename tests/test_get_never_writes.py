"""Opening a page never changes anything: every GET page of a busy user runs no INSERT, UPDATE or
DELETE (the session aside). Stop rules fire from `funnel stop-rules` and after the writes that
can make them fire; pages only propose."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.user_pages import PAGES
from funnel.cli import main
from funnel.contacts.models import Organisation, Person
from funnel.followup import actions as follow_ups
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Level, Opportunity
from tests.busy import one_of_everything
from tests.helpers import present

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
LONG_AGO = timezone.now() - dt.timedelta(days=400)


@pytest.fixture
def busy(owner: User, person: Person, make_opportunity: Callable[..., Opportunity]) -> Opportunity:
    """A user with work everywhere and automatic stop rules, one of which has fired: a deal
    with no progress for 400 days. Returns that deal."""
    owner.profile.stop_automatically = True
    owner.profile.save(update_fields=["stop_automatically"])
    one_of_everything(owner, person, make_opportunity)
    missed = follow_ups.proposed_follow_up(Opportunity.objects.get(level=Level.BEST_FEW))
    missed.due_at = timezone.now() - dt.timedelta(days=2)
    follow_ups.schedule(follow_up=missed)
    return quiet_since_long_ago("Gone quiet", owner, person)


def quiet_since_long_ago(title: str, owner: User, person: Person) -> Opportunity:
    """An opportunity above the funnel that entered 400 days ago and has not moved since."""
    opportunity = Opportunity(
        team=owner.profile.team,
        owner=owner,
        title=title,
        organisation=person.organisation,
        main_contact=person,
        currency="EUR",
        progress_at=LONG_AGO,
    )
    return create_opportunity(opportunity=opportunity, by=owner, at=LONG_AGO)


def writes_while(client: Client, address: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    sql = [query["sql"] for query in queries.captured_queries]
    return [s for s in sql if WRITE.match(s) and "django_session" not in s]


@pytest.mark.parametrize("page_name", [name for name, _address in PAGES])
def test_opening_a_page_writes_nothing(
    client: Client, owner: User, busy: Opportunity, page_name: str
) -> None:
    client.force_login(owner)
    address = dict(PAGES)[page_name](owner)
    client.get(address)  # a first look may fill caches; neither look may write
    assert writes_while(client, address) == []


def test_today_proposes_a_fired_stop_rule_and_leaves_it_open(
    client: Client, owner: User, busy: Opportunity
) -> None:
    client.force_login(owner)
    page = client.get("/today/").content.decode()
    busy.refresh_from_db()
    assert busy.level == Level.ABOVE
    assert "Gone quiet" in page


def test_the_stop_rules_command_closes_what_fired(
    owner: User, busy: Opportunity, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stop-rules"]) == 0
    busy.refresh_from_db()
    assert busy.level == Level.DEAD
    assert "anna: closed 1 opportunity" in capsys.readouterr().out
    assert main(["stop-rules", "--json"]) == 0  # run again: nothing more to close
    assert '"anna": 0' in capsys.readouterr().out


def test_the_stop_rules_command_says_when_there_is_nothing_to_do(
    owner: User, person: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = quiet_since_long_ago("Quiet", owner, person)  # a rule fired, but rules are manual
    assert main(["stop-rules"]) == 0
    assert "Nobody has automatic stop rules on" in capsys.readouterr().out
    assert main(["stop-rules", "--user", "anna"]) == 0
    assert "anna: automatic stop rules are off" in capsys.readouterr().out
    quiet.refresh_from_db()
    assert quiet.level == Level.ABOVE
    assert main(["stop-rules", "--user", "nobody"]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_lowering_the_stop_limit_in_settings_closes_at_once(
    client: Client, owner: User, person: Person
) -> None:
    owner.profile.stop_automatically = True
    owner.profile.stop_after_days = 900
    owner.profile.save(update_fields=["stop_automatically", "stop_after_days"])
    quiet = quiet_since_long_ago("Quiet", owner, person)
    client.force_login(owner)
    data = {
        "form": "follow-up",
        "follow_up-follow_up_every_days": "7",
        "follow_up-follow_up_channel": "phone",
        "follow_up-stop_after_attempts": "6",
        "follow_up-stop_after_days": "30",
        "follow_up-stop_automatically": "on",
        "follow_up-nurture_every_days": "90",
        "follow_up-respond_within_hours": "24",
        "follow_up-contacts_per_week": "2",
        "follow_up-reminder_minutes": "15",
        "follow_up-working_day_starts": "09:00:00",
        "follow_up-working_day_ends": "17:30:00",
        "follow_up-working_days": ["1", "2", "3", "4", "5"],
    }
    response = client.post("/settings/", data, follow=True)
    assert response.status_code == 200
    quiet.refresh_from_db()
    assert quiet.level == Level.DEAD
    assert "A stop rule closed 1 opportunity" in response.content.decode()


def test_opening_the_merge_pages_writes_nothing(
    client: Client, owner: User, busy: Opportunity, person: Person
) -> None:
    """Choosing a duplicate and seeing what a merge would do only proposes."""
    twin = Person.objects.create(team=person.team, name=person.name)
    organisation = present(person.organisation)
    other = Organisation.objects.create(team=person.team, name=f"{organisation.name} Srl")
    client.force_login(owner)
    for address in (
        reverse("person_merge_choose", args=[person.pk]) + "?q=Ferretti",
        reverse("person_merge", args=[person.pk, twin.pk]),
        reverse("organisation_merge_choose", args=[organisation.pk]) + "?q=Ferretti",
        reverse("organisation_merge", args=[organisation.pk, other.pk]),
    ):
        assert writes_while(client, address) == []
