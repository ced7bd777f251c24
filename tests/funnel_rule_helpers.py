"""What the funnel rule tests share: a fixed day, the default cycle, and won deals."""

from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import User

from funnel.contacts.models import Organisation
from funnel.sales.actions import create_opportunity
from funnel.sales.models import Level, Opportunity

TODAY = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
CYCLE = 90  # the default setting; half of it is 45 days


def win(user: User, organisation: Organisation, *, days: int, won_at: datetime) -> Opportunity:
    """A deal the user won at won_at, days after the first contact."""
    return create_opportunity(
        opportunity=Opportunity(
            team=user.profile.team,
            owner=user,
            title=f"Won in {days} days",
            organisation=organisation,
            currency="EUR",
            level=Level.WON,
            first_contact_on=won_at.date() - timedelta(days=days),
        ),
        by=user,
        at=won_at,
    )
