"""A person's page: their contact history (activities and follow-ups, newest first) and how
often they are contacted."""

import heapq
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from operator import attrgetter

from django.contrib.auth.models import User
from django.db.models import OuterRef, QuerySet, Subquery

from funnel.contacts.models import Person
from funnel.followup.frequency import Frequency, Moment, contact_frequency
from funnel.followup.models import FollowUp, Status
from funnel.followup.rules import is_missed
from funnel.lib.channels import Channel
from funnel.sales.models import Activity

HISTORY_PER_PAGE = 20
# The newest past contacts the figures read: more than two a day for the 90 days they cover.
FREQUENCY_ROWS = 200


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a person's contact history: an activity, or a follow-up and its state."""

    at: datetime
    activity: Activity | None = None
    follow_up: FollowUp | None = None
    state: str = ""  # a follow-up's: planned, missed, done or cancelled


def history_page(user: User, person: Person, offset: int, now: datetime) -> dict[str, object]:
    """One page of activities and follow-ups with the person, newest first, and the next."""
    end = offset + HISTORY_PER_PAGE + 1
    activities = [
        HistoryEntry(activity.occurred, activity=activity)
        for activity in history_activities(user, person)[:end]
    ]
    follow_ups = [
        HistoryEntry(follow_up.due_at, follow_up=follow_up, state=state_of(follow_up, now))
        for follow_up in history_follow_ups(user, person)[:end]
        if follow_up.due_at is not None
    ]
    merged = heapq.merge(activities, follow_ups, key=attrgetter("at"), reverse=True)
    page = list(islice(merged, offset, end))
    more = offset + HISTORY_PER_PAGE if len(page) > HISTORY_PER_PAGE else None
    return {"history": page[:HISTORY_PER_PAGE], "more_history_from": more}


def history_activities(user: User, person: Person) -> QuerySet[Activity]:
    """Activities with the person, each with the purpose of the follow-up it carried out."""
    carried_out = FollowUp.objects.filter(activity=OuterRef("pk")).values("purpose")[:1]
    return (
        Activity.objects.visible_to(user)
        .filter(person=person)
        .select_related("opportunity")
        .annotate(follow_up_purpose=Subquery(carried_out))
        .order_by("-occurred", "-pk")
    )


def history_follow_ups(user: User, person: Person) -> QuerySet[FollowUp]:
    """Follow-ups with the person; one done by an activity with them shows as that activity."""
    return (
        FollowUp.objects.visible_to(user)
        .filter(person=person, due_at__isnull=False)
        .exclude(status=Status.DONE, activity__person=person)
        .select_related("opportunity")
        .order_by("-due_at", "-pk")
    )


def state_of(follow_up: FollowUp, now: datetime) -> str:
    assert follow_up.due_at is not None
    if follow_up.is_planned and is_missed(
        due_at=follow_up.due_at, minutes=follow_up.minutes, now=now
    ):
        return "missed"
    return follow_up.status


def frequency_of(user: User, person: Person, now: datetime) -> Frequency:
    """How often the person is contacted: activities with them, and follow-ups still planned."""
    done = (
        Activity.objects.visible_to(user)
        .filter(person=person, occurred__lte=now)
        .order_by("-occurred")
        .values_list("occurred", "kind")[:FREQUENCY_ROWS]
    )
    planned = (
        FollowUp.objects.visible_to(user)
        .planned()
        .filter(person=person, due_at__gte=now)
        .order_by("due_at")
        .values_list("due_at", "channel")[:FREQUENCY_ROWS]
    )
    return contact_frequency(
        past=[Moment(at, str(Activity.Kind(kind).label)) for at, kind in done],
        planned=[Moment(at, str(Channel(channel).label)) for at, channel in planned if at],
        now=now,
        limit=user.profile.contacts_per_week,
    )
