"""Writes that touch several account models, each one atomic."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation

from funnel.accounts.models import Membership, Profile, Team
from funnel.fit.actions import create_default_criteria
from funnel.followup.actions import create_default_post_sale_steps


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    time_zone: str | None = None,
    language: str = "",
    currency: str | None = None,
    superuser: bool = False,
) -> User:
    """A user with their personal team, profile and a starting ideal customer profile.

    Time zone and currency default to the server's (FUNNEL_TIME_ZONE, FUNNEL_CURRENCY).
    """
    User = get_user_model()
    make = User.objects.create_superuser if superuser else User.objects.create_user
    user = make(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    team = Team.objects.create(name=user.get_full_name() or username)
    Membership.objects.create(team=team, user=user, role=Membership.Role.OWNER)
    create_default_criteria(team=team)
    Profile.objects.create(
        user=user,
        team=team,
        time_zone=time_zone or settings.TIME_ZONE,
        language=language,
        currency=currency or settings.DEFAULT_CURRENCY,
    )
    with translation.override(language or translation.get_language()):
        create_default_post_sale_steps(owner=user)
    return user
