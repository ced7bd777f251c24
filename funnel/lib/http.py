from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedRequest(HttpRequest):
    """The request a @login_required view receives: a real user, and htmx details."""

    user: User
    htmx: HtmxDetails
