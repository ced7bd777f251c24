"""Loads what the follow-up rules (funnel.followup.rules) decide on."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language

from funnel.accounts.models import Profile
from funnel.followup import rules
from funnel.followup.models import FollowUp
from funnel.sales.models import OPEN_LEVELS, OWN_STOP_RULE, Activity, Opportunity


def plan_of(opportunity: Opportunity) -> rules.Plan:
    profile = opportunity.owner.profile
    return rules.plan_for(
        every_days=opportunity.follow_up_every_days,
        channel=opportunity.follow_up_channel,
        agreed=opportunity.follow_up_agreed,
        default_days=profile.follow_up_every_days,
        default_channel=profile.follow_up_channel,
    )


def working_hours_of(profile: Profile) -> rules.WorkingHours:
    """The hours and days the user works, in which Funnel plans their follow-ups."""
    return rules.working_hours(
        starts=profile.working_day_starts, ends=profile.working_day_ends, days=profile.working_days
    )


def pest_warnings_for(follow_up: FollowUp, *, also: list[datetime] | None = None) -> list[str]:
    """The pest guard on a follow-up about to be saved; `also`: contacts not saved yet."""
    opportunity, person, when = follow_up.opportunity, follow_up.person, follow_up.due_at
    if when is None:
        return []
    also = also or []
    earlier = (
        opportunity.activities.filter(occurred__lt=when)
        .order_by("-occurred")
        .values_list("occurred", flat=True)
        .first()
    )
    last = max([t for t in [earlier, *also] if t is not None and t < when], default=None)
    contacts = list(also)
    if person is not None:
        near = (when - rules.PEST_WINDOW, when + rules.PEST_WINDOW)
        contacts += Activity.objects.filter(person=person, occurred__range=near).values_list(
            "occurred", flat=True
        )
        others = FollowUp.objects.planned().filter(person=person, due_at__range=near)
        if follow_up.pk:
            others = others.exclude(pk=follow_up.pk)
        contacts += [at for at in others.values_list("due_at", flat=True) if at is not None]
    return rules.pest_warnings(
        when=when,
        plan=plan_of(opportunity),
        last_contact=last,
        person=str(person) if person else None,
        contacts=[t for t in contacts if t is not None],
        limit=opportunity.owner.profile.contacts_per_week,
    )


def is_low_potential(opportunity: Opportunity) -> bool:
    """In the bottom quarter of the owner's open opportunities by value times fit (two queries)."""
    if opportunity.level not in OPEN_LEVELS:
        return False
    rows = Opportunity.objects.filter(owner=opportunity.owner_id, level__in=OPEN_LEVELS)
    count = rows.count()
    if count < 4:
        return False
    cutoff = rows.order_by("weight", "pk").values_list("weight", flat=True)[count // 4 - 1]
    return opportunity.weight <= cutoff


def shared(opportunity: Opportunity) -> bool:
    """Whether its team has more than one member, so its work can be handed over.

    Kept on the instance: the page and its forms ask several times (one query).
    """
    known: bool | None = getattr(opportunity, "_funnel_shared", None)
    if known is None:
        known = colleagues(opportunity)[1:2].exists()
        opportunity._funnel_shared = known  # type: ignore[attr-defined]  # memo on the instance
    return known


def colleagues(opportunity: Opportunity) -> QuerySet[User]:
    """Who may take over its follow-ups: the members of its team."""
    return User.objects.filter(memberships__team=opportunity.team_id, is_active=True).order_by(
        "first_name", "username"
    )


def planned_follow_ups(opportunity: Opportunity) -> list[FollowUp]:
    return list(
        opportunity.follow_ups.planned()
        .select_related("person", "assigned_to")
        .order_by("due_at", "pk")
    )


def is_missed_now(follow_up: FollowUp) -> bool:
    due = follow_up.due_at
    return (
        follow_up.is_planned
        and due is not None
        and rules.is_missed(due_at=due, minutes=follow_up.minutes, now=timezone.now())
    )


def apology_for(follow_up: FollowUp, *, sender: User, when: datetime | None = None) -> str:
    """The apology for a missed follow-up, in the customer's language when Funnel speaks it,
    proposing `when` (by default the follow-up's own time, which the page has moved already)."""
    person = follow_up.person
    known = {code for code, _name in settings.LANGUAGES}
    language = person.language if person and person.language in known else get_language()
    when = when or follow_up.due_at
    with translation.override(language):
        return rules.apology(
            name=person.name.split()[0] if person else follow_up.opportunity.customer_name,
            sender=sender.get_full_name() or sender.get_username(),
            when=date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else "",
        )


def stop_rule_suspects(
    opportunities: QuerySet[Opportunity],
    *,
    attempts: int,
    idle_since: datetime,
    limit: int | None,
) -> list[Opportunity]:
    """Open opportunities a stop rule may fire on, from the user's limits; rules.stop_proposal
    decides. Three small queries an index answers each (too many attempts, idle too long,
    limits of their own), rather than one that reads every open opportunity."""
    rows = opportunities.filter(level__in=OPEN_LEVELS)
    tried = rows.filter(stop_after_attempts__isnull=True, attempts_without_answer__gte=attempts)
    idle = rows.filter(stop_after_days__isnull=True, progress_at__lte=idle_since).order_by(
        "progress_at", "pk"
    )
    # Filtered by level here, not in SQL: the partial index on the owner alone is the quick way.
    own = [o for o in opportunities.filter(OWN_STOP_RULE).order_by() if o.level in OPEN_LEVELS]
    return [*tried[:limit], *idle[:limit], *own]
