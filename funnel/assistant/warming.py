"""Keeping the cached figures fresh for the people using Funnel today: the normal sales cycle
and the prospecting slowdowns (Today's card, Reports) are kept in the cache under a version of
the data they read, so the first page after a change pays for computing them again. The worker
in `funnel serve` computes them ahead instead; where nothing changed, the version check is all
it costs.

Only a worker in the web server's own process helps: Funnel's cache lives in that process.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from funnel.sales.facts import sales_cycle
from funnel.today.slowdowns import slowdowns_for

ACTIVE_WITHIN = timedelta(days=1)  # users who logged in this recently
EVERY = timedelta(minutes=5)


def warm_active_users(now: datetime) -> int:
    """Compute the cached figures of each user active lately; how many users."""
    users = (
        User.objects.filter(is_active=True, last_login__gte=now - ACTIVE_WITHIN)
        .filter(profile__isnull=False)
        .select_related("profile")
        .order_by("pk")
    )
    warmed = 0
    for user in users.iterator(chunk_size=200):
        with timezone.override(user.profile.zone):
            sales_cycle(user, now=now)
            slowdowns_for(user, now)
        warmed += 1
    return warmed
