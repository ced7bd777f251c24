"""Writes for prospecting blocks: plan, stop, and mark an occurrence. Each is atomic."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.lib.refusals import Refused
from funnel.prospecting import rules
from funnel.prospecting.models import Block, BlockOutcome, Outcome


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
    marked_twice = Refused(_("This block was marked already: nothing was changed."))
    if occurrence.moved:
        # Its new slot is marked once: a second click finds the outcome there already.
        row = BlockOutcome.objects.get(block=block, original_start=occurrence.start)
        unmarked = BlockOutcome.objects.filter(pk=row.pk, moved_outcome="")
        if not unmarked.update(moved_outcome=outcome, updated=timezone.now()):
            raise marked_twice
        row.moved_outcome = outcome
    else:
        moved = outcome == Outcome.MOVED
        try:
            with transaction.atomic():  # a savepoint: the same occurrence marked at once
                row = BlockOutcome.objects.create(
                    block=block,
                    original_start=occurrence.start,
                    outcome=outcome,
                    moved_start=moved_start if moved else None,
                    moved_end=moved_end if moved else None,
                )
        except IntegrityError as clash:  # block_outcome_once_per_occurrence
            raise marked_twice from clash
    # The calendar feed's version follows the block's.
    block.save(update_fields=["updated"])
    return row
