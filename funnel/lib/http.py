from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from funnel.lib import bounds


class AuthenticatedRequest(HttpRequest):
    """The request a @login_required view receives: a real user, and htmx details."""

    user: User
    htmx: HtmxDetails


def id_param(request: HttpRequest, name: str) -> int | None:
    """An id from the query string (?organisation=12): None when absent, a 404 for anything
    that can't be an id ("²" passes str.isdigit(); 23 digits overflow the database)."""
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if not bounds.ID_PATTERN.fullmatch(raw):
        raise Http404(f"{name} is not an id")
    return int(raw)


def offset_param(request: HttpRequest, name: str) -> int | None:
    """Where a "show more" starts (?offset=20): None when absent, a 404 beyond any list."""
    at = id_param(request, name)
    if at is not None and at > bounds.MAX_OFFSET:
        raise Http404(f"{name} is too far")
    return at
