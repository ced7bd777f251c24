"""Writes that touch several account models, each one atomic."""

from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation

from funnel.accounts.models import Membership, Profile, Team


class NewUserSetup(Protocol):
    def __call__(self, *, user: User) -> None: ...


# What a new user starts with besides their team and profile: the apps built on accounts add
# theirs when Django is ready (funnel.fit.apps: a starting ideal customer; funnel.followup.apps:
# the default steps after a sale). Each runs in create_user's transaction, in the user's language.
NEW_USER_SETUP: list[NewUserSetup] = []


def set_up_new_users_with(setup: NewUserSetup) -> None:
    if setup not in NEW_USER_SETUP:
        NEW_USER_SETUP.append(setup)


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
    """A user with their personal team and profile, and what each app starts them with.

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
    Profile.objects.create(
        user=user,
        team=team,
        time_zone=time_zone or settings.TIME_ZONE,
        language=language,
        currency=currency or settings.DEFAULT_CURRENCY,
    )
    with translation.override(language or translation.get_language()):
        for setup in NEW_USER_SETUP:
            setup(user=user)
    return user
