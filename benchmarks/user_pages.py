"""Every page a user opens, as addresses for that user: the hostile-input tests send each the
extremes, and benchmarks.extremes times them on data at the edges of the sane ranges.

Import after Django is set up.
"""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.urls import reverse

from funnel.contacts.models import Organisation, Person
from funnel.followup.models import FollowUp
from funnel.goals.models import Goal
from funnel.quotes.models import Quote
from funnel.sales.models import Opportunity


class Missing(Exception):
    """The user has no such row (any more)."""


M = TypeVar("M", bound=Model)


def first(rows: QuerySet[M]) -> M:
    found = rows.order_by("pk").first()
    if found is None:
        raise Missing(rows.model.__name__)
    return found


def opportunity_at(user: User, level: str) -> Opportunity:
    return first(Opportunity.objects.filter(owner=user, level=level))


def planned_follow_up(user: User) -> FollowUp:
    return first(FollowUp.objects.filter(assigned_to=user, status="planned", due_at__isnull=False))


# Every page a user opens, as (name, address of the page for this user), including the forms
# htmx draws on demand (the activity and influence forms, rescheduling, planning).
PAGES: list[tuple[str, Callable[[User], str]]] = [
    ("today", lambda user: reverse("today")),
    ("what Funnel sent", lambda user: reverse("sent_emails")),
    ("board", lambda user: reverse("funnel_board")),
    ("board column", lambda user: reverse("board_column", args=["above"]) + "?offset=0"),
    ("opportunities", lambda user: reverse("opportunity_list") + "?level=all"),
    ("new opportunity", lambda user: reverse("opportunity_create")),
    ("opportunity", lambda user: opportunity_at(user, "in").get_absolute_url()),
    ("won opportunity", lambda user: opportunity_at(user, "won").get_absolute_url()),
    ("nurtured opportunity", lambda user: opportunity_at(user, "nurture").get_absolute_url()),
    ("logging", lambda user: opportunity_at(user, "in").get_absolute_url() + "?log=1"),
    ("influence", lambda user: opportunity_at(user, "in").get_absolute_url() + "?add=influence"),
    ("older activities", lambda user: opportunity_at(user, "in").get_absolute_url() + "?older=0"),
    (
        "edit opportunity",
        lambda user: reverse("opportunity_edit", args=[opportunity_at(user, "in").pk]),
    ),
    (
        "plan a follow-up",
        lambda user: reverse("opportunity_next_step", args=[opportunity_at(user, "above").pk]),
    ),
    (
        "reschedule",
        lambda user: reverse(
            "follow_up_edit",
            args=[planned_follow_up(user).opportunity_id, planned_follow_up(user).pk],
        ),
    ),
    ("invitation", lambda user: reverse("follow_up_invite", args=[planned_follow_up(user).pk])),
    ("new quote", lambda user: reverse("quote_new", args=[opportunity_at(user, "best_few").pk])),
    ("quotes", lambda user: reverse("quote_list") + "?status=all"),
    (
        "reissue",
        lambda user: reverse(
            "quote_reissue", args=[first(Quote.objects.filter(opportunity__owner=user)).pk]
        ),
    ),
    ("organisations", lambda user: reverse("organisation_list")),
    ("new organisation", lambda user: reverse("organisation_create")),
    (
        "organisation",
        lambda user: first(Organisation.objects.filter(team=user.profile.team)).get_absolute_url(),
    ),
    ("people", lambda user: reverse("person_list")),
    ("new person", lambda user: reverse("person_create")),
    (
        "person",
        lambda user: first(Person.objects.filter(team=user.profile.team)).get_absolute_url(),
    ),
    ("reports", lambda user: reverse("reports")),
    ("monthly report", lambda user: reverse("reports") + "?period=month"),
    ("settings", lambda user: reverse("settings")),
    ("after the sale", lambda user: reverse("post_sale_steps")),
    ("ideal customer", lambda user: reverse("ideal_customer")),
    ("nurture", lambda user: reverse("nurture_list")),
    ("goals", lambda user: reverse("goals")),
    (
        "edit goal",
        lambda user: reverse("goal_edit", args=[first(Goal.objects.filter(owner=user)).pk]),
    ),
    ("prospecting", lambda user: reverse("prospecting_blocks")),
    ("your data", lambda user: reverse("export")),
    ("import", lambda user: reverse("import_start")),
    (
        "merge a person",
        lambda user: reverse(
            "person_merge_choose", args=[first(Person.objects.filter(team=user.profile.team)).pk]
        ),
    ),
    (
        "merge an organisation",
        lambda user: reverse(
            "organisation_merge_choose",
            args=[first(Organisation.objects.filter(team=user.profile.team)).pk],
        ),
    ),
    ("calendar", lambda user: reverse("calendar_feed", args=[user.profile.calendar_token])),
]


def pages_of(user: User) -> list[str]:
    """The addresses of PAGES for this user; a page about a row the user no longer has (moved
    or deleted by a save) is left out."""
    found = []
    for _name, address in PAGES:
        try:
            found.append(address(user))
        except Missing:
            continue
    return found
