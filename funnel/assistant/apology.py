"""The apology for a missed follow-up (docs/method.md §2.2: "a simple apology fixes it; call
anyway"), proposing the slot Today proposes when the user reschedules it."""

import copy
from datetime import datetime

from django.contrib.auth.models import User

from funnel.followup import rules
from funnel.followup.facts import apology_for, working_hours_of
from funnel.followup.models import FollowUp, Kind

# A promise to get back to someone was broken; a late nurture touch or thank-you card was
# promised to nobody and needs no apology.
APOLOGISE_FOR = {Kind.FOLLOW_UP, Kind.REQUEST}


def proposed_slot(follow_up: FollowUp, *, sender: User, now: datetime) -> datetime:
    """The next working day at the follow-up's usual time (followup.actions.recovery_time, but
    from `now`: an email is built for a moment that may not be the clock's)."""
    assert follow_up.due_at is not None
    profile = sender.profile
    usual = follow_up.due_at.astimezone(profile.zone).time()
    return rules.recovery_slot(
        now, usual, working_hours_of(profile), profile.zone, follow_up.minutes
    )


def apology(follow_up: FollowUp, *, sender: User, now: datetime) -> str:
    """The text to copy, in the person's language when Funnel speaks it; "" when none fits.

    Needs `person` and the opportunity's customer loaded (select_related) to cost no query.
    """
    if follow_up.kind not in APOLOGISE_FOR or follow_up.due_at is None:
        return ""
    # apology_for names the follow-up's own time: hand it a copy moved to the proposed slot.
    moved = copy.copy(follow_up)
    moved.due_at = proposed_slot(follow_up, sender=sender, now=now)
    return apology_for(moved, sender=sender)
