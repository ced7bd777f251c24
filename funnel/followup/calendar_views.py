"""The calendar feed a user subscribes to, and one follow-up as an invitation (calendar.py)."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from funnel.accounts.models import Profile
from funnel.followup import calendar
from funnel.followup.models import FollowUp
from funnel.lib.http import AuthenticatedRequest

CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_KEPT_SECONDS = 24 * 3600  # the version changes with the day anyway


@require_safe
@gzip_page  # a feed of thousands of events is megabytes; calendar apps accept gzip
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: calendar apps can't sign in, so the secret token in the address is the key.

    Apps ask again every hour or so; an unchanged feed answers 304 from one aggregate query.
    """
    profile = get_object_or_404(Profile.objects.select_related("user"), calendar_token=token)
    now = timezone.now()
    # Without a language of their own, the user gets their calendar app's.
    with translation.override(profile.language or translation.get_language()):
        follow_ups = calendar.follow_ups_in_feed(profile.user, now=now)
        etag = calendar.feed_version(profile, follow_ups, now=now)
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = HttpResponse(
                feed_body(request, profile, follow_ups, etag), content_type=CONTENT_TYPE
            )
    response["ETag"] = etag
    # The address is a secret: no shared cache keeps a copy.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def feed_body(
    request: HttpRequest, profile: Profile, follow_ups: QuerySet[FollowUp], etag: str
) -> bytes:
    """The feed, built once per version: most calendar apps ask again without an ETag."""
    key = f"calendar-feed:{profile.pk}:{request.get_host()}:{etag}"
    body: bytes | None = cache.get(key)
    if body is None:
        body = calendar.feed(profile, follow_ups, base_url=request.build_absolute_uri("/"))
        cache.set(key, body, timeout=FEED_KEPT_SECONDS)
    return body


@login_required
@require_safe
def follow_up_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A .ics file the user sends the prospect, in the prospect's language when known."""
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(request.user)
        .filter(due_at__isnull=False)
        .select_related(
            "assigned_to__profile",
            "person",
            "opportunity__organisation",
            "opportunity__main_contact",
        ),
        pk=pk,
    )
    body = calendar.invitation(follow_up, fallback_language=translation.get_language())
    method = calendar.invitation_method(follow_up)
    response = HttpResponse(body, content_type=f"{CONTENT_TYPE}; method={method}")
    filename = calendar.invitation_filename(follow_up)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
