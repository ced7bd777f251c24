"""The daily digest: Today by email, in the method's order (docs/method.md §1 "Priorities"),
missed follow-ups first with the apology to send (§2.2), for someone who opens their inbox
before Funnel. The same agenda, blocks, goals and quotes as the Today page, so the two agree.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.assistant.apology import APOLOGISE_FOR, apology
from funnel.assistant.letters import Letter, absolute
from funnel.assistant.models import Kind
from funnel.assistant.render import (
    day_name,
    footer,
    log_outcome_url,
    opportunity_url,
    render_letter,
)
from funnel.followup.models import FollowUp
from funnel.goals.facts import goals_for_today
from funnel.prospecting.facts import blocks_for_today
from funnel.quotes.facts import quotes_for_today
from funnel.today.agenda import agenda_for
from funnel.today.priorities import Group, GroupSummary, Item, Urgency


@dataclass(frozen=True)
class Line:
    """An agenda item as the email shows it, with the page where it is acted on."""

    item: Item
    url: str
    action: str  # the button's words; "" when the title's link is enough
    apology: str = ""

    @property
    def reschedule_url(self) -> str:
        return opportunity_url(self.item.opportunity.id, "#follow-up")


@dataclass(frozen=True)
class Section:
    summary: GroupSummary
    lines: list[Line]


def build_digest(user: User, *, now: datetime, when_empty: bool) -> Letter | None:
    """Today's digest, or None on a day with nothing to do unless the user wants it anyway."""
    with timezone.override(user.profile.zone):
        day = timezone.localdate(now)
        agenda = agenda_for(user, now=now)
        blocks = blocks_for_today(user, now)
        quotes = quotes_for_today(user, day)
        if not (agenda.items or blocks or quotes.lines):
            return empty_day(user, day) if when_empty else None
        missed = [item for item in agenda.items if item.overdue]
        apologies = apologies_for(user, missed, now)
        sections = [
            Section(summary, [line(item) for item in summary.items if not item.overdue])
            for summary in agenda.groups
        ]
        to_do = sum(len(s.lines) for s in sections) + len(quotes.lines) + len(blocks.today)
        context = {
            "day_label": day_name(day),
            "missed": [line(item, apologies) for item in missed],
            "sections": [s for s in sections if s.lines or s.summary.more],
            "board_url": absolute(reverse("funnel_board")),
            "blocks": blocks,
            "blocks_url": absolute(reverse("prospecting_blocks")),
            "goals": goals_for_today(user, now),
            "goals_url": absolute(reverse("goals")),
            "quotes": quotes,
            "quote_lines": [
                (q, opportunity_url(q.quote.opportunity_id, "#quotes")) for q in quotes.lines
            ],
            "quotes_url": absolute(reverse("quote_list") + "?status=open"),
            **footer(user.pk, Kind.DIGEST, _("Stop the daily digest; other emails still come.")),
        }
        text, html = render_letter("digest", context)
        return Letter(subject(day, missed, to_do), text, html)


def subject(day: date, missed: list[Item], to_do: int) -> str:
    """The day and what presses most: "Monday 7 December: 2 missed follow-ups, 5 things to do"."""
    late = sum(1 for item in missed if item.kind == "request")
    parts = []
    if len(missed) - late:
        count = len(missed) - late
        parts.append(
            ngettext("%(count)d missed follow-up", "%(count)d missed follow-ups", count)
            % {"count": count}
        )
    if late:
        parts.append(
            ngettext("%(count)d late answer", "%(count)d late answers", late) % {"count": late}
        )
    if to_do or not parts:
        parts.append(
            ngettext("%(count)d thing to do", "%(count)d things to do", to_do) % {"count": to_do}
        )
    return _("%(day)s: %(summary)s") % {"day": day_name(day), "summary": ", ".join(parts)}


def line(item: Item, apologies: dict[int, str] | None = None) -> Line:
    """Each item links where Today's button for it leads: the outcome form for a follow-up due
    or missed, the follow-up card for a stop rule or a delivery date, else the opportunity."""
    opportunity, follow_up = item.opportunity, item.opportunity.follow_up
    if item.kind in ("stop_rule", "delivery_date"):
        action = _("Decide") if item.kind == "stop_rule" else _("Set the delivery date")
        return Line(item, opportunity_url(opportunity.id, "#follow-up"), action)
    if follow_up is not None and (
        item.urgency < Urgency.PROPOSED or item.group == Group.KEEP_IN_TOUCH
    ):
        url = log_outcome_url(opportunity.id, follow_up.id)
        return Line(item, url, _("Log the outcome"), (apologies or {}).get(follow_up.id, ""))
    return Line(item, opportunity_url(opportunity.id), "")


def apologies_for(user: User, missed: list[Item], now: datetime) -> dict[int, str]:
    """The apology for each missed follow-up, by its id: one query for all of them."""
    ids = [
        item.opportunity.follow_up.id
        for item in missed
        if item.opportunity.follow_up and item.opportunity.follow_up.kind in APOLOGISE_FOR
    ]
    if not ids:
        return {}
    rows = FollowUp.objects.filter(pk__in=ids).select_related(
        "person",
        "opportunity__organisation",
        "opportunity__main_contact",
        "opportunity__owner__profile",
    )
    return {row.pk: apology(row, sender=user, now=now) for row in rows}


def empty_day(user: User, day: date) -> Letter:
    """Nothing due and nothing planned: the day to prospect (docs/method.md §4)."""
    context = {
        "day_label": day_name(day),
        "new_url": absolute(reverse("opportunity_create")),
        "blocks_url": absolute(reverse("prospecting_blocks")),
        **footer(user.pk, Kind.DIGEST, _("Stop the daily digest; other emails still come.")),
    }
    text, html = render_letter("digest_empty", context)
    summary = _("nothing planned, time to prospect")
    return Letter(
        _("%(day)s: %(summary)s") % {"day": day_name(day), "summary": summary}, text, html
    )
