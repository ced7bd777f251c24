"""Two emails about one follow-up: the reminder shortly before it, with the invitation to send
(docs/method.md §2.1: a planned appointment with a reminder), and the nudge the next working
morning when it was left without an outcome (§2.2: a simple apology fixes it; call anyway)."""

from datetime import datetime

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.assistant.apology import apology
from funnel.assistant.letters import Attachment, Letter
from funnel.assistant.models import Kind
from funnel.assistant.render import footer, log_outcome_url, opportunity_url, render_letter
from funnel.followup.calendar import invitation, invitation_filename
from funnel.followup.models import FollowUp


def loaded(follow_up: FollowUp) -> FollowUp:
    """The follow-up with all both emails show, in three queries: the row and what it points
    to, then the person's emails and phones."""
    return (
        FollowUp.objects.select_related(
            "person",
            "assigned_to__profile",
            "opportunity__organisation",
            "opportunity__main_contact",
            "opportunity__owner__profile",
        )
        .prefetch_related("person__emails", "person__phones")
        .get(pk=follow_up.pk)
    )


def build_reminder(follow_up: FollowUp, *, now: datetime) -> Letter:
    """ "In 15 minutes: call Maria Bianchi (Acme) about the proposal", with the invitation."""
    follow_up = loaded(follow_up)
    assert follow_up.due_at is not None, "only a scheduled follow-up has a reminder"
    user = follow_up.assigned_to
    with timezone.override(user.profile.zone):
        context = {
            **facts(follow_up),
            "invitation_for": follow_up.person.name if follow_up.person else "",
            **footer(
                user.pk,
                Kind.REMINDER,
                _("Stop the reminders before follow-ups; other emails still come."),
            ),
        }
        text, html = render_letter("reminder", context)
        subject = _("%(when)s: %(what)s") % {
            "when": how_soon(follow_up.due_at, now),
            "what": what(follow_up),
        }
        calendar = Attachment(
            invitation_filename(follow_up),
            invitation(follow_up, fallback_language=translation.get_language() or "en"),
            "text/calendar",
        )
        return Letter(subject, text, html, [calendar])


def build_nudge(follow_up: FollowUp, *, now: datetime) -> Letter:
    """The next working morning, for a follow-up whose time passed without an outcome."""
    follow_up = loaded(follow_up)
    assert follow_up.due_at is not None, "only a scheduled follow-up can be missed"
    user = follow_up.assigned_to
    with timezone.override(user.profile.zone):
        context = {
            **facts(follow_up),
            "apology": apology(follow_up, sender=user, now=now),
            "reschedule_url": opportunity_url(follow_up.opportunity_id, "#follow-up"),
            **footer(
                user.pk,
                Kind.NUDGE,
                _("Stop the emails about missed follow-ups; other emails still come."),
            ),
        }
        text, html = render_letter("nudge", context)
        subject = _("No outcome yet: %(what)s (%(when)s)") % {
            "what": what(follow_up),
            "when": date_format(timezone.localtime(follow_up.due_at), "SHORT_DATETIME_FORMAT"),
        }
        return Letter(subject, text, html)


def facts(follow_up: FollowUp) -> dict[str, object]:
    """What both emails show about the follow-up; times in the active (the user's) zone."""
    assert follow_up.due_at is not None
    person = follow_up.person
    return {
        "follow_up": follow_up,
        "opportunity": follow_up.opportunity,
        "person": person,
        "what": what(follow_up),
        "when": date_format(timezone.localtime(follow_up.due_at), "DATETIME_FORMAT"),
        "emails": [e.address for e in person.emails.all()] if person else [],
        "phones": [p.number for p in person.phones.all()] if person else [],
        "opportunity_url": opportunity_url(follow_up.opportunity_id),
        "log_url": log_outcome_url(follow_up.opportunity_id, follow_up.pk),
    }


def what(follow_up: FollowUp) -> str:
    """ "Send the revised proposal · Maria Bianchi (Acme)": the purpose as the user wrote it
    (most begin with their own verb), then who."""
    person, customer = follow_up.person, follow_up.opportunity.customer_name
    if person is None:
        name = customer
    elif customer and customer != person.name:
        name = _("%(person)s (%(customer)s)") % {"person": person.name, "customer": customer}
    else:
        name = person.name
    return f"{follow_up.purpose} · {name}" if name else follow_up.purpose


def how_soon(due: datetime, now: datetime) -> str:
    """ "In 15 minutes" within the hour; beyond it the local time, and the day when not today."""
    minutes = round((due - now).total_seconds() / 60)
    if minutes <= 0:
        return _("Now")
    if minutes < 60:
        return ngettext("In %(count)d minute", "In %(count)d minutes", minutes) % {"count": minutes}
    local = timezone.localtime(due)
    if local.date() == timezone.localtime(now).date():
        return _("At %(time)s") % {"time": date_format(local, "TIME_FORMAT")}
    return _("On %(when)s") % {"when": date_format(local, "SHORT_DATETIME_FORMAT")}
