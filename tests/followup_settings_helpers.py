"""What the follow-up settings tests share: the settings page's address, the profile as saved."""

from django.contrib.auth.models import User

from funnel.accounts.models import Profile

SETTINGS = "/settings/"


def profile_of(user: User) -> Profile:
    return Profile.objects.get(user=user)
