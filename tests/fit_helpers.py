"""What the ideal-customer tests share: the team, its criteria and how to make one."""

import pytest
from django.contrib.auth.models import User

from funnel.accounts.models import Team
from funnel.fit.models import FitCriterion

DEMOGRAPHIC, PSYCHOGRAPHIC = FitCriterion.Kind.DEMOGRAPHIC, FitCriterion.Kind.PSYCHOGRAPHIC


@pytest.fixture
def team(owner: User) -> Team:
    return owner.profile.team


def criterion(team: Team, name: str, kind: str = DEMOGRAPHIC, **fields: object) -> FitCriterion:
    position = FitCriterion.objects.filter(team=team, kind=kind).count()
    return FitCriterion.objects.create(team=team, kind=kind, name=name, position=position, **fields)


@pytest.fixture
def reputation(team: Team) -> FitCriterion:
    return FitCriterion.objects.get(team=team, name="Reputation")
