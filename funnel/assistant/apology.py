"""The apology for a missed follow-up (docs/method.md §2.2: "a simple apology fixes it; call
anyway"), proposing the slot Today proposes when the user reschedules it."""

from datetime import datetime

from django.contrib.auth.models import User

from funnel.followup.actions import recovery_time
from funnel.followup.facts import apology_for
from funnel.followup.models import FollowUp, Kind

# A promise to get back to someone was broken; a late nurture touch or thank-you card was
# promised to nobody and needs no apology.
APOLOGISE_FOR = {Kind.FOLLOW_UP, Kind.REQUEST}


def apology(follow_up: FollowUp, *, sender: User, now: datetime) -> str:
    """The text to copy, in the person's language when Funnel speaks it; "" when none fits.

    Needs `person`, the opportunity's customer and its owner's profile loaded (select_related)
    to cost no query.
    """
    if follow_up.kind not in APOLOGISE_FOR or follow_up.due_at is None:
        return ""
    return apology_for(follow_up, sender=sender, when=recovery_time(follow_up, now=now))
