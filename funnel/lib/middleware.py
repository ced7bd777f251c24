"""Requests no page can answer, turned away before any view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class RefuseNulBytes:
    """A NUL byte in the address or the query string is a 400.

    No one types one; PostgreSQL can't take one in a query (a 500 on every list's ?q=, and on
    the calendar address for anyone, signed in or not). Forms refuse them field by field, with
    a message, so posted forms are left to them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(_("This address holds a character it can't have."))
        return self.get_response(request)
