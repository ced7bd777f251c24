"""The calendar feed and single-event downloads: stubs until funnel.followup.calendar lands."""

from django.http import Http404, HttpRequest, HttpResponse


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def follow_up_invite(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
