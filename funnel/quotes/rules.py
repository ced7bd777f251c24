"""Quotes that expire (docs/method.md §4) as pure functions: plain data in, plain data out.

A sent quote is valid up to and including its valid-until date; the day after, it is expired.
"Expired" is derived here from today's date, never stored, so no job has to say so.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

EXPIRED = "expired"
# A sent quote this close to its end asks for a follow-up before it lapses.
EXPIRING_DAYS = 7
NUMBER = re.compile(r"^Q-(\d{4})-(\d+)$")

# What the user may do with a quote, by its effective status.
ACTIONS = {
    "draft": ["send"],
    "sent": ["accept", "decline", "reissue"],
    EXPIRED: ["decline", "reissue"],  # a late yes is a re-issue: accepting it is refused
    "accepted": [],
    "declined": [],
    "superseded": [],
}


@dataclass(frozen=True)
class Standing:
    """Where a quote stands today: its status with "expired" derived, and the days it has left."""

    status: str
    days_left: int | None = None  # for a sent quote still valid: 0 on its last day

    @property
    def is_expired(self) -> bool:
        return self.status == EXPIRED

    @property
    def expiring_soon(self) -> bool:
        return self.days_left is not None and self.days_left <= EXPIRING_DAYS

    @property
    def actions(self) -> list[str]:
        return ACTIONS[self.status]


def standing(*, status: str, valid_until: date | None, today: date) -> Standing:
    if status != "sent" or valid_until is None:
        return Standing(status)
    days_left = (valid_until - today).days
    if days_left < 0:
        return Standing(EXPIRED)
    return Standing(status, days_left)


def effective_status(*, status: str, valid_until: date | None, today: date) -> str:
    return standing(status=status, valid_until=valid_until, today=today).status


def is_expiring_soon(*, status: str, valid_until: date | None, today: date) -> bool:
    return standing(status=status, valid_until=valid_until, today=today).expiring_soon


def needs_attention_by(today: date) -> date:
    """Sent quotes valid until this day or earlier belong on Today (expiring soon or expired)."""
    return today + timedelta(days=EXPIRING_DAYS)


def default_valid_until(sent_on: date, valid_days: int) -> date:
    return sent_on + timedelta(days=valid_days)


def next_number(year: int, numbers: Iterable[str]) -> str:
    """The team's next quote number in the year, "Q-2026-014"; other numbering is ignored."""
    used = [int(m[2]) for m in map(NUMBER.match, numbers) if m and int(m[1]) == year]
    return f"Q-{year}-{max(used, default=0) + 1:03}"


def refusal(*, action: str, current: Standing) -> str | None:
    """Why an action may not be done to a quote that stands so, or None when it may."""
    if action == "accept" and current.is_expired:
        return _(
            "This quote has expired, so it can't be accepted as it is. Re-issue it: the new "
            "quote replaces it, and the customer comes back into your timeline."
        )
    if action in current.actions:
        return None
    if action == "send":
        return _("This quote has already been sent.")
    if current.status == "draft":
        return _("This quote hasn't been sent yet: send it first.")
    return _("Only a sent quote can be accepted, declined or re-issued.")
