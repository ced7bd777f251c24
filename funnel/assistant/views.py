"""The page "What Funnel sent", and the unsubscribe link every email carries."""

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from funnel.accounts.models import Profile
from funnel.assistant.letters import read_unsubscribe_token
from funnel.assistant.models import EMAIL_KINDS, Job, Kind, Status
from funnel.assistant.planning import forget_planned
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.listing import Listing

SENT_PAGE_SIZE = 50


@dataclass(frozen=True)
class SentLine:
    """One row of "What Funnel sent": the job, when it happened, and its outcome in words."""

    job: Job
    when: datetime
    outcome: str
    tone: str  # a class of app.css: green when sent, red when given up, amber while retrying


@login_required
def sent_emails(request: AuthenticatedRequest) -> HttpResponse:
    # Planned emails not tried yet are not history: they may never go (settings change).
    jobs = (
        Job.objects.filter(user=request.user, kind__in=EMAIL_KINDS)
        .exclude(status=Status.WAITING, attempts=0)
        .order_by("-due_at", "-pk")
    )
    page = Paginator(jobs, SENT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistant/sent.html",
        {
            "listing": Listing(page=page, query="", sort=""),
            "lines": [_sent_line(job) for job in page.object_list],
            "digest_at": formats.time_format(time(request.user.profile.email_hour)),
        },
    )


def _sent_line(job: Job) -> SentLine:
    when = job.finished_at or job.claimed_at or job.due_at
    if job.status == Status.DONE:
        return SentLine(job, when, _("Sent"), "ok")
    reason = job.last_error or _("no reason was recorded")
    if job.status == Status.FAILED:
        return SentLine(job, when, _("Failed: %(reason)s") % {"reason": reason}, "outcome-failed")
    if job.status == Status.SKIPPED:
        return SentLine(job, when, _("Not sent: %(reason)s") % {"reason": reason}, "muted")
    if job.status == Status.RUNNING:
        return SentLine(job, when, _("Sending now"), "muted")
    # A waiting row on this page has failed at least once and is due again at due_at.
    retry = _("Retrying: %(reason)s (next try at %(when)s, attempt %(attempt)d)") % {
        "reason": reason,
        "when": _local(job.due_at),
        "attempt": job.attempts + 1,
    }
    return SentLine(job, job.claimed_at or job.due_at, retry, "warning")


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# Unsubscribing


@dataclass(frozen=True)
class Stop:
    """What one unsubscribe link stops, in the words its page uses."""

    question: Promise  # "Stop the daily digest for %(username)s?"
    done: Promise
    already_off: Promise
    off: dict[str, Any]  # the profile's fields, as they are when the email is off


DIGEST_OFF = {"email_digest": False}
WEEKLY_OFF = {"email_weekly": False}
NUDGES_OFF = {"email_nudges": False}
REMINDERS_OFF = {"email_reminder_minutes": None}

STOPS = {
    Kind.DIGEST.value: Stop(
        gettext_lazy("Stop the daily digest for %(username)s?"),
        gettext_lazy("Funnel no longer sends the daily digest to %(username)s."),
        gettext_lazy("The daily digest is already off for %(username)s."),
        DIGEST_OFF,
    ),
    Kind.WEEKLY.value: Stop(
        gettext_lazy("Stop the weekly review for %(username)s?"),
        gettext_lazy("Funnel no longer sends the weekly review to %(username)s."),
        gettext_lazy("The weekly review is already off for %(username)s."),
        WEEKLY_OFF,
    ),
    Kind.REMINDER.value: Stop(
        gettext_lazy("Stop the email reminders before follow-ups for %(username)s?"),
        gettext_lazy("Funnel no longer emails %(username)s before follow-ups."),
        gettext_lazy("Email reminders before follow-ups are already off for %(username)s."),
        REMINDERS_OFF,
    ),
    Kind.NUDGE.value: Stop(
        gettext_lazy("Stop the missed-step emails for %(username)s?"),
        gettext_lazy("Funnel no longer emails %(username)s about missed steps."),
        gettext_lazy("Missed-step emails are already off for %(username)s."),
        NUDGES_OFF,
    ),
    "all": Stop(
        gettext_lazy("Stop all emails from Funnel for %(username)s?"),
        gettext_lazy("Funnel no longer sends any email to %(username)s."),
        gettext_lazy("All emails from Funnel are already off for %(username)s."),
        {**DIGEST_OFF, **WEEKLY_OFF, **NUDGES_OFF, **REMINDERS_OFF},
    ),
}


# Mail clients unsubscribe with one POST and no cookie (RFC 8058): the signed token is the
# only authority needed, and it names one user and what to stop.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = read_unsubscribe_token(token)
    if found is None or found[1] not in STOPS:
        return _unsubscribe_page(request, {"problem": "invalid"}, status=400)
    user_id, kind = found
    user = User.objects.filter(pk=user_id, profile__isnull=False).select_related("profile").first()
    if user is None:
        return _unsubscribe_page(request, {"problem": "no_user"}, status=404)
    stop = STOPS[kind]
    was_off = _is_off(user.profile, stop)
    # Link checkers in mail servers open links: only a POST, which they don't send, writes.
    if request.method == "POST" and not was_off:
        _turn_off(user, stop)
    if request.method == "POST":
        said = _said(stop.already_off if was_off else stop.done, user)
        return _unsubscribe_page(request, {"done": said})
    if was_off:
        return _unsubscribe_page(request, {"done": _said(stop.already_off, user)})
    return _unsubscribe_page(
        request, {"question": _said(stop.question, user), "just_one": kind != "all"}
    )


def _said(sentence: Promise, user: User) -> str:
    return str(sentence) % {"username": user.username}


def _is_off(profile: Profile, stop: Stop) -> bool:
    return all(getattr(profile, field) == value for field, value in stop.off.items())


def _turn_off(user: User, stop: Stop) -> None:
    with transaction.atomic():
        Profile.objects.filter(user=user).update(**stop.off)
        forget_planned(user)


def _unsubscribe_page(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "assistant/unsubscribe.html", context, status=status)
