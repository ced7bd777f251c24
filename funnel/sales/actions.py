"""Writes to sales records. Each is atomic and takes keyword arguments only."""

from datetime import datetime
from typing import Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.sales.facts import opportunity_facts, sales_cycle
from funnel.sales.models import (
    LEVELS_NEEDING_REASON,
    Level,
    LevelChange,
    Opportunity,
)
from funnel.sales.rules import Prerequisite, check_move


class AfterMove(Protocol):
    def __call__(self, *, opportunity: Opportunity, change: LevelChange) -> None: ...


# What follows a move besides the level and its history: the apps built on sales add theirs
# when Django is ready (funnel.followup.apps: closing ends the selling follow-ups, nurture plans
# its first touch, won creates the post-sale steps). Each runs in the move's transaction.
AFTER_MOVE: list[AfterMove] = []


def follow_every_move_with(step: AfterMove) -> None:
    if step not in AFTER_MOVE:
        AFTER_MOVE.append(step)


class GateClosed(ValidationError):
    """A move down the funnel with prerequisites unmet and no override reason."""

    def __init__(self, unmet: list[Prerequisite]) -> None:
        super().__init__([p.text for p in unmet], code="prerequisites")
        self.unmet = unmet


class AlreadyMoved(ValidationError):
    """The opportunity is no longer at the level the user saw: another click, tab or colleague
    moved it first. Nothing was written; the message says where it is now."""

    def __init__(self, opportunity: Opportunity, level: str | None) -> None:
        if level is None:
            message = _("%(title)s no longer exists.") % {"title": opportunity.title}
        else:
            message = _("%(title)s was already moved to %(level)s.") % {
                "title": opportunity.title,
                "level": Level(level).label,
            }
        super().__init__(message, code="already_moved")
        self.level = level


@transaction.atomic
def create_opportunity(
    *, opportunity: Opportunity, by: User | None, at: datetime | None = None
) -> Opportunity:
    """Save a new opportunity and record where it entered the funnel (at: for past records)."""
    opportunity.level_changed = at or timezone.now()
    opportunity.save()
    LevelChange.objects.create(
        opportunity=opportunity, at=opportunity.level_changed, by=by, to_level=opportunity.level
    )
    return opportunity


@transaction.atomic
def move_opportunity(
    *,
    opportunity: Opportunity,
    to_level: str,
    by: User | None,
    reason: str = "",
    override_reason: str = "",
    at: datetime | None = None,
    seen_level: str | None = None,
) -> LevelChange:
    """The only way an opportunity changes level: the move is recorded in its history.

    Moving down the funnel with prerequisites unmet (funnel.sales.rules.check_move) needs an
    override reason, kept in the history. Closing as lost or dead needs a reason, kept on the
    opportunity while it stays closed and in the history for good. History only moves forward:
    a move cannot predate the last one.

    One click, one effect: the level changes only if it is still the one the user saw
    (`seen_level`, else the one read with `opportunity`), by a conditional UPDATE in the same
    transaction as the history and the follow-ups. Of two identical moves at once, the second
    finds the level changed and raises AlreadyMoved, having written nothing.
    """
    seen_level = seen_level or opportunity.level
    if to_level not in Level.values:
        raise ValidationError(_("Unknown funnel level."), code="invalid_level")
    if seen_level != opportunity.level or to_level == opportunity.level:
        raise AlreadyMoved(opportunity, opportunity.level)
    reason = reason.strip()
    if to_level in LEVELS_NEEDING_REASON and not reason:
        raise ValidationError(
            _("Say why it is closed: the reason helps you learn from it."), code="reason_required"
        )
    at = at or timezone.now()
    if at < opportunity.level_changed:
        raise ValidationError(
            _("A move cannot be dated before the opportunity's previous move."), code="too_early"
        )
    override_reason = override_reason.strip()
    unmet = check_move(
        opportunity_facts(opportunity),
        to_level,
        today=timezone.localdate(at, opportunity.owner.profile.zone),
        cycle_days=sales_cycle(opportunity.owner, now=at).days,
    )
    if unmet and not override_reason:
        raise GateClosed(unmet)
    closing_reason = reason if to_level in LEVELS_NEEDING_REASON else ""
    still_there = Opportunity.objects.filter(pk=opportunity.pk, level=seen_level)
    if not still_there.update(
        level=to_level, level_changed=at, reason=closing_reason, updated=timezone.now()
    ):
        now_at = Opportunity.objects.filter(pk=opportunity.pk).values_list("level", flat=True)
        raise AlreadyMoved(opportunity, now_at.first())
    change = LevelChange.objects.create(
        opportunity=opportunity,
        at=at,
        by=by,
        from_level=seen_level,
        to_level=to_level,
        reason=closing_reason,
        override_reason=override_reason if unmet else "",
    )
    opportunity.level = to_level
    opportunity.level_changed = at
    opportunity.reason = closing_reason
    for step in AFTER_MOVE:
        step(opportunity=opportunity, change=change)
    return change
