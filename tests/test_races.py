"""One click, one effect: the same request fired several times at once (a double click, two
tabs) does its work once, and every other copy gets a clear refusal, never a duplicate or a 500.

Each request runs in its own thread with its own database connection, against a real file
(SQLite) or server (PostgreSQL), as two requests to `funnel serve` would.
"""

import datetime as dt
import threading
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funnel.contacts.models import Organisation, Person
from funnel.followup.models import FollowUp, PostSaleStep, Status
from funnel.goals.models import Goal
from funnel.prospecting.models import Block, BlockOutcome
from funnel.quotes.models import Quote
from funnel.sales.models import Activity, BuyingInfluence, Level, LevelChange, Opportunity
from tests.helpers import Response, new_client, present

pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 10


def at_once(user: User, send: Callable[[Client], Response], count: int = AT_ONCE) -> Counter[int]:
    """Fire `send` from `count` signed-in clients at the same moment; count the status codes."""
    clients = []
    for _ in range(count):
        client = new_client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(count)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            start.wait()
            statuses.append(send(client).status_code)
        except BaseException as failure:  # reported by the test below
            failures.append(failure)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return Counter(statuses)


def a_call_due(opportunity: Opportunity) -> FollowUp:
    return FollowUp.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        assigned_to=opportunity.owner,
        due_at=timezone.now() - dt.timedelta(hours=1),
        purpose="Call to qualify",
    )


def its_outcome(follow_up: FollowUp, outcome: str) -> dict[str, str]:
    """The activity form, sent to log what came of the follow-up."""
    return {
        "activity-kind": "call",
        "activity-occurred": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "activity-outcome": outcome,
        "activity-minutes": "5",
        "activity-follow_up": str(follow_up.pk),
    }


def test_ten_identical_moves_to_won_give_exactly_one_win(
    owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", level=Level.BEST_FEW, value=8000)
    move = reverse("opportunity_move", args=[deal.pk])
    data = {"to_level": "won", "from_level": "best_few", "override_reason": "Signed today"}

    statuses = at_once(owner, lambda client: client.post(move, data))

    assert statuses == Counter({302: 1, 409: AT_ONCE - 1})
    assert LevelChange.objects.filter(opportunity=deal, to_level=Level.WON).count() == 1
    steps = PostSaleStep.objects.filter(owner=owner).count()
    assert deal.follow_ups.filter(kind="post_sale").count() == steps
    deal.refresh_from_db()
    assert deal.level == Level.WON


def test_identical_moves_from_the_board_without_the_level_seen_still_win_once(
    owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Showroom", level=Level.BEST_FEW, value=8000)
    move = reverse("opportunity_move", args=[deal.pk])
    data = {"to_level": "won", "override_reason": "Signed today"}
    htmx = {"HX-Request": "true", "HX-Target": "dialog"}

    statuses = at_once(owner, lambda client: client.post(move, data, headers=htmx))

    assert statuses == Counter({200: 1, 409: AT_ONCE - 1})
    assert LevelChange.objects.filter(opportunity=deal, to_level=Level.WON).count() == 1


def test_a_stop_rule_applied_twice_at_once_closes_once(
    owner: User, make_opportunity: Callable[..., Opportunity]
) -> None:
    deal = make_opportunity("Silent prospect")
    Opportunity.objects.filter(pk=deal.pk).update(attempts_without_answer=9)
    stop = reverse("stop_rule_apply", args=[deal.pk])

    statuses = at_once(owner, lambda client: client.post(stop, {"from_level": "above"}))

    assert statuses == Counter({302: AT_ONCE})
    assert LevelChange.objects.filter(opportunity=deal).exclude(from_level="").count() == 1
    deal.refresh_from_db()
    assert deal.level == Level.DEAD


def test_the_outcome_of_a_follow_up_logged_twice_at_once_is_logged_once(
    owner: User, opportunity: Opportunity
) -> None:
    follow_up = a_call_due(opportunity)
    log = reverse("activity_add", args=[opportunity.pk])
    data = its_outcome(follow_up, "no_answer")

    statuses = at_once(owner, lambda client: client.post(log, data))

    assert statuses == Counter({302: AT_ONCE})  # each back on the page, nine saying why
    assert Activity.objects.filter(opportunity=opportunity).count() == 1
    follow_up.refresh_from_db()
    assert follow_up.status == Status.DONE
    opportunity.refresh_from_db()
    assert opportunity.attempts_without_answer == 1


def test_the_same_activity_form_sent_twice_at_once_logs_once(
    owner: User, opportunity: Opportunity
) -> None:
    log = reverse("activity_add", args=[opportunity.pk])
    data = {
        "activity-kind": "note",
        "activity-occurred": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "activity-minutes": "0",
        "activity-notes": "Heard they are hiring",
        "activity-submission": str(uuid.uuid4()),
    }
    htmx = {"HX-Request": "true"}

    statuses = at_once(owner, lambda client: client.post(log, data, headers=htmx))

    assert statuses == Counter({200: 1, 409: AT_ONCE - 1})
    assert Activity.objects.filter(opportunity=opportunity).count() == 1


def test_a_prospecting_block_marked_twice_at_once_is_marked_once(owner: User) -> None:
    now = timezone.now()
    started = (now - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    block = Block.objects.create(
        team=owner.profile.team,
        owner=owner,
        title="Prospecting",
        starts_on=started.date(),
        start_time=started.time(),
        minutes=60,
        rule="FREQ=WEEKLY;INTERVAL=1",
    )
    mark = reverse("prospecting_block_mark", args=[block.pk, int(started.timestamp())])
    prefix = f"mark-{block.pk}-{started.timestamp():.0f}"

    statuses = at_once(owner, lambda client: client.post(mark, {f"{prefix}-outcome": "honoured"}))

    assert statuses == Counter({302: 1, 422: AT_ONCE - 1})
    assert BlockOutcome.objects.filter(block=block).count() == 1


@pytest.fixture
def sent_quote(owner: User, opportunity: Opportunity) -> Quote:
    today = timezone.localdate()
    return Quote.objects.create(
        team=opportunity.team,
        opportunity=opportunity,
        number="Q-2026-001",
        amount=12000,
        currency="EUR",
        status=Quote.Status.SENT,
        sent_on=today - dt.timedelta(days=40),
        valid_until=today - dt.timedelta(days=10),
    )


def test_a_quote_accepted_twice_at_once_is_accepted_once(owner: User, sent_quote: Quote) -> None:
    Quote.objects.filter(pk=sent_quote.pk).update(valid_until=timezone.localdate())
    accept = reverse("quote_accept", args=[sent_quote.pk])

    statuses = at_once(owner, lambda client: client.post(accept))

    assert statuses == Counter({302: AT_ONCE})
    sent_quote.refresh_from_db()
    assert sent_quote.status == Quote.Status.ACCEPTED


def test_an_expired_quote_reissued_twice_at_once_is_replaced_once(
    owner: User, sent_quote: Quote
) -> None:
    reissue = reverse("quote_reissue", args=[sent_quote.pk])
    today = timezone.localdate()
    data = {
        "quote-number": "Q-2026-002",
        "quote-amount": "11500",
        "quote-currency": "EUR",
        "quote-sent_on": today.isoformat(),
        "quote-valid_until": (today + dt.timedelta(days=30)).isoformat(),
    }

    statuses = at_once(owner, lambda client: client.post(reissue, data))

    assert statuses[500] == 0
    assert Quote.objects.count() == 2
    sent_quote.refresh_from_db()
    assert sent_quote.status == Quote.Status.SUPERSEDED
    assert present(sent_quote.superseded_by).number == "Q-2026-002"


def test_two_quotes_with_one_number_at_once_give_one_quote_and_a_field_error(
    owner: User, opportunity: Opportunity
) -> None:
    new = reverse("quote_new", args=[opportunity.pk])
    today = timezone.localdate().isoformat()
    data = {"quote-number": "Q-2026-007", "quote-amount": "100", "quote-currency": "EUR"}
    data["quote-sent_on"] = today

    statuses = at_once(owner, lambda client: client.post(new, data))

    assert statuses == Counter({302: 1, 422: AT_ONCE - 1})
    assert Quote.objects.filter(number="Q-2026-007").count() == 1


def test_an_organisation_created_twice_at_once_is_created_once_with_a_field_error(
    owner: User,
) -> None:
    create = reverse("organisation_create")

    def send(client: Client) -> Response:
        response = client.post(create, {"name": "Ferretti Arredamenti"})
        if response.status_code == 422:
            assert "You already have an organisation with this name." in response.text
        return response

    statuses = at_once(owner, send)

    assert statuses == Counter({302: 1, 422: AT_ONCE - 1})
    assert Organisation.objects.filter(team=owner.profile.team).count() == 1


def test_the_same_buying_influence_added_twice_at_once_is_added_once(
    owner: User, opportunity: Opportunity, person: Person
) -> None:
    add = reverse("influence_add", args=[opportunity.pk])
    data = {"influence-person": person.pk, "influence-role": "economic"}
    data["influence-status"] = "unknown"

    statuses = at_once(owner, lambda client: client.post(add, data, headers={"HX-Request": "true"}))

    assert statuses == Counter({200: 1, 422: AT_ONCE - 1})
    assert BuyingInfluence.objects.filter(opportunity=opportunity).count() == 1


def test_the_same_goal_set_twice_at_once_is_set_once(owner: User) -> None:
    goals = reverse("goals")
    data = {"metric": "prospects", "period": "week", "target": "5", "reward": "A dinner out"}
    data["starts_on"] = timezone.localdate().isoformat()

    statuses = at_once(owner, lambda client: client.post(goals, data))

    assert statuses == Counter({302: 1, 422: AT_ONCE - 1})
    assert Goal.objects.filter(owner=owner).count() == 1


def test_the_default_steps_after_a_sale_restored_twice_at_once_are_there_once(owner: User) -> None:
    restore = reverse("post_sale_steps_restore")
    defaults = PostSaleStep.objects.filter(owner=owner).count()

    statuses = at_once(owner, lambda client: client.post(restore))

    assert statuses == Counter({302: AT_ONCE})
    assert PostSaleStep.objects.filter(owner=owner).count() == defaults


def test_a_follow_up_cancelled_while_its_outcome_is_logged_stays_done_or_cancelled(
    owner: User, opportunity: Opportunity
) -> None:
    follow_up = a_call_due(opportunity)
    cancel = reverse("follow_up_cancel", args=[opportunity.pk, follow_up.pk])
    log = reverse("activity_add", args=[opportunity.pk])
    data = its_outcome(follow_up, "reached")
    turns = iter([True, False] * AT_ONCE)
    lock = threading.Lock()

    def send(client: Client) -> Response:
        with lock:
            cancelling = next(turns)
        return client.post(cancel) if cancelling else client.post(log, data)

    statuses = at_once(owner, send)

    assert statuses[500] == 0
    follow_up.refresh_from_db()
    logged = Activity.objects.filter(opportunity=opportunity).count()
    # Whichever came first won: done with its one activity, or cancelled with none.
    assert (follow_up.status, logged) in [(Status.DONE, 1), (Status.CANCELLED, 0)]
