"""Writes for prospecting blocks: plan, stop, and mark an occurrence. Each is atomic."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from funnel.prospecting import rules
from funnel.prospecting.models import Block, BlockOutcome, Outcome


class Refused(Exception):
    """A mark the rules refuse; the message says why, for the user."""


@transaction.atomic
def stop_block(*, block: Block, zone: ZoneInfo, at: datetime) -> Block:
    """No occurrence after `at`; the ones before stay, with their outcomes."""
    block.rule = rules.ended_rule(block.plan(zone), at)
    block.save(update_fields=["rule", "updated"])
    return block


@transaction.atomic
def mark(
    *,
    block: Block,
    occurrence: rules.Occurrence,
    outcome: str,
    now: datetime,
    moved_start: datetime | None = None,
    moved_end: datetime | None = None,
) -> BlockOutcome:
    """Record how an occurrence went, or, for a moved one, how its new slot went."""
    error = rules.mark_error(
        occurrence, outcome=outcome, now=now, moved_start=moved_start, moved_end=moved_end
    )
    if error:
        raise Refused(error)
    if occurrence.moved:
        row = BlockOutcome.objects.select_for_update().get(
            block=block, original_start=occurrence.start
        )
        row.moved_outcome = outcome
        row.save(update_fields=["moved_outcome", "updated"])
    else:
        moved = outcome == Outcome.MOVED
        row = BlockOutcome.objects.create(
            block=block,
            original_start=occurrence.start,
            outcome=outcome,
            moved_start=moved_start if moved else None,
            moved_end=moved_end if moved else None,
        )
    # The calendar feed's version follows the block's.
    block.save(update_fields=["updated"])
    return row
