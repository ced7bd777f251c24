"""Follow-ups as iCalendar (RFC 5545): a user's subscription feed, and one-event invitations.

icalendar writes each calendar's frame and its time zone (VTIMEZONE); the events are written
here, a few lines each. Through icalendar an event took about a millisecond on this project's
build machine, seconds for a feed of 5,000 follow-ups; written here it takes about 15 µs
(benchmarks/README.md). The tests read every output with icalendar and with vobject.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.http import quote_etag
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from funnel.accounts.models import Profile
from funnel.followup.models import FollowUp, Status
from funnel.lib.bounds import YEARS_AHEAD
from funnel.lib.channels import Channel
from funnel.prospecting import facts as prospecting

WINDOW = timedelta(days=60)  # how far back the feed reaches
# How far ahead: as far as a plan may reach (funnel.lib.bounds); a follow-up stored beyond it
# before the ranges existed would make the feed's time zone span thousands of years.
PLANS_AHEAD = timedelta(days=366 * YEARS_AHEAD)
BLOCKS_AHEAD = timedelta(days=182)  # how far ahead prospecting blocks are expanded
PRODID = "-//Funnel//Follow-ups//EN"
UTC_ZONES = {"UTC", "Etc/UTC"}  # written as UTC times (…Z), which need no VTIMEZONE
END = b"END:VCALENDAR\r\n"
DASH = " \N{EN DASH} "  # between a follow-up's purpose and its customer
FEED_FIELDS = [
    "pk",
    "opportunity_id",
    "due_at",
    "minutes",
    "channel",
    "purpose",
    "value_to_bring",
    "status",
    "sequence",
    "updated",
    "person__name",
    "opportunity__organisation__name",
    "opportunity__main_contact__name",
]


@dataclass(frozen=True)
class Address:
    name: str
    email: str


@dataclass(frozen=True)
class Event:
    """One follow-up as a calendar shows it."""

    uid: str
    start: datetime  # aware, in the zone the calendar shows it in
    minutes: int
    changed: datetime
    sequence: int
    summary: str
    description: str
    cancelled: bool = False
    url: str = ""
    alarm_minutes: int = 0  # 0: no reminder
    organizer: Address | None = None
    attendee: Address | None = None


def installation() -> str:
    """Names this installation in UIDs, so two Funnels never clash in one calendar app.

    Derived from SECRET_KEY without revealing it; a new key gives every event a new UID.
    """
    return salted_hmac("funnel.followup.calendar", "installation").hexdigest()[:16]


def follow_ups_in_feed(user: User, *, now: datetime) -> QuerySet[FollowUp]:
    """The user's follow-ups from 60 days ago on; cancelled ones stay a while, so that
    subscribed calendars learn of the cancellation and drop them."""
    since, until = now - WINDOW, now + PLANS_AHEAD
    return (
        FollowUp.objects.visible_to(user)
        .filter(assigned_to=user, due_at__isnull=False, due_at__lt=until)
        .filter(
            Q(status__in=[Status.PLANNED, Status.DONE], due_at__gte=since)
            | Q(status=Status.CANCELLED, updated__gte=since)
        )
    )


def feed_version(profile: Profile, follow_ups: QuerySet[FollowUp], *, now: datetime) -> str:
    """The feed's ETag: it changes with anything the feed shows.

    The count catches follow-ups leaving the window or deleted, the newest change and the
    versions (each write bumps one) any edit. Customer names live on other rows: the day is
    part of it, so a renamed customer shows by the next day.
    """
    seen = blocks_of(profile, now=now, follow_ups=follow_ups).also
    user = profile.user
    parts = [
        seen["count"],
        seen["newest"],
        seen["versions"],
        now.date(),
        translation.get_language(),
        profile.time_zone,
        profile.reminder_minutes,
        name_of(user),
        blocks_of(profile, now=now).rows,
    ]
    return quote_etag(hashlib.sha256(repr(parts).encode()).hexdigest()[:32])


def feed(profile: Profile, follow_ups: QuerySet[FollowUp], *, base_url: str) -> bytes:
    """The calendar a user subscribes to, in the active language."""
    user, zone = profile.user, profile.zone
    rows = follow_ups.order_by("due_at", "pk").values(*FEED_FIELDS)
    build = feed_event_builder(zone, base_url, profile.reminder_minutes)
    events = [build(row) for row in rows]
    events += block_events(profile, base_url, now=timezone.now())
    frame = calendar_frame(
        name=_("Funnel – %(name)s") % {"name": name_of(user)},  # noqa: RUF001 (an en dash)
        uid=f"calendar-{user.pk}@{installation()}",
        method="PUBLISH",
        zone=zone,
        events=events,
    )
    frame.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    frame.add("x-published-ttl", timedelta(hours=1))  # the same hint, as Outlook reads it
    return serialise(frame, events)


def feed_event_builder(
    zone: ZoneInfo, base_url: str, reminder_minutes: int
) -> Callable[[dict[str, Any]], Event]:
    """Turns a row of FEED_FIELDS into an Event; what is the same for every row is done once."""
    origin, where = installation(), opportunity_link(base_url)
    channels = {value: str(label) for value, label in Channel.choices}
    labels = (_("Channel: %(channel)s"), _("With: %(person)s"), _("Value to bring: %(value)s"))

    def build(row: dict[str, Any]) -> Event:
        start, url = row["due_at"].astimezone(zone), where(row["opportunity_id"])
        customer = row["opportunity__organisation__name"] or row["opportunity__main_contact__name"]
        summary = f"{row['purpose']}{DASH}{customer}"
        lines = [labels[0] % {"channel": channels.get(row["channel"], row["channel"])}]
        if row["person__name"]:
            lines.append(labels[1] % {"person": row["person__name"]})
        if row["value_to_bring"]:
            lines.append(labels[2] % {"value": row["value_to_bring"]})
        return Event(
            uid=f"followup-{row['pk']}@{origin}",
            start=start,
            minutes=row["minutes"],
            changed=row["updated"],
            sequence=row["sequence"],
            summary=f"✓ {summary}" if row["status"] == Status.DONE else summary,
            description="\n".join([*lines, url]),
            cancelled=row["status"] == Status.CANCELLED,
            url=url,
            # Only what is still to do needs a reminder; a done one is past.
            alarm_minutes=reminder_minutes if row["status"] == Status.PLANNED else 0,
        )

    return build


def blocks_of(
    profile: Profile, *, now: datetime, follow_ups: QuerySet[FollowUp] | None = None
) -> prospecting.Loaded:
    """The user's prospecting blocks, with the follow-ups' count, newest change and versions:
    one query for the feed's version, kept on the profile for the feed's body."""
    loaded: prospecting.Loaded | None = getattr(profile, "_funnel_blocks", None)
    if loaded is None:
        zone, also = profile.zone, {}
        if follow_ups is not None:
            also = version_subqueries(follow_ups)
        loaded = prospecting.load(profile.user, since=now - WINDOW, zone=zone, also=also)
        profile._funnel_blocks = loaded  # type: ignore[attr-defined]  # memo on the instance
    return loaded


def version_subqueries(follow_ups: QuerySet[FollowUp]) -> dict[str, Any]:
    """The follow-ups' aggregates as scalar subqueries (they are all one user's: one group)."""
    group = follow_ups.order_by().values("assigned_to")
    return {
        "count": Subquery(group.annotate(n=Count("pk")).values("n")),
        "newest": Subquery(group.annotate(n=Max("updated")).values("n")),
        "versions": Subquery(group.annotate(n=Sum("sequence")).values("n")),
    }


def block_events(profile: Profile, base_url: str, *, now: datetime) -> list[Event]:
    """Each prospecting block occurrence from 60 days ago to half a year ahead, a moved one at
    its new time; its UID names the block and the planned start, so a move updates it."""
    loaded, origin = blocks_of(profile, now=now), installation()
    url = base_url.rstrip("/") + reverse("prospecting_blocks")
    note = _("Prospecting time: keep it sacred.")
    events = []
    for occurrence in loaded.between(now - WINDOW, now + BLOCKS_AHEAD):
        begins, ends = occurrence.slot
        pk, honoured = occurrence.block.pk, occurrence.outcome in ("honoured", "partly")
        marked = loaded.changed.get((pk, occurrence.start))
        events.append(
            Event(
                uid=f"block-{pk}-{utc(occurrence.start)}@{origin}",
                start=begins.astimezone(loaded.zone),
                minutes=int((ends - begins).total_seconds() // 60),
                changed=max(filter(None, [loaded.changed[pk], marked])),
                sequence=1 if occurrence.moved else 0,
                summary=f"✓ {occurrence.block.title}" if honoured else occurrence.block.title,
                description=f"{note}\n{url}",
                url=url,
                alarm_minutes=profile.reminder_minutes if begins > now else 0,
            )
        )
    return events


def opportunity_link(base_url: str) -> Callable[[int], str]:
    """Absolute links to opportunity pages, from one reverse() rather than one per event."""
    marker = "8675309"
    path = reverse("opportunity_detail", args=[marker])
    before, after = path.split(marker, 1)
    root = base_url.rstrip("/")
    return lambda pk: f"{root}{before}{pk}{after}"


def invitation_language(follow_up: FollowUp, fallback: str) -> str:
    """The person's language when Funnel speaks it ("it-CH" counts as "it"), else the user's."""
    spoken = follow_up.person.language if follow_up.person else ""
    try:
        return translation.get_supported_language_variant(spoken) if spoken else fallback
    except LookupError:
        return fallback


def invitation_method(follow_up: FollowUp) -> str:
    """REQUEST invites, CANCEL withdraws; without the user's email there is no organizer, which
    a REQUEST must have, so it is published for the prospect's calendar to add."""
    if not follow_up.assigned_to.email:
        return "PUBLISH"
    return "CANCEL" if follow_up.status == Status.CANCELLED else "REQUEST"


# What the customer reads as the invitation's title, by channel; the purpose is the user's.
INVITATION_TITLES: dict[str, str] = {
    Channel.MEETING: gettext_noop("Meeting with %(name)s"),
    Channel.PHONE: gettext_noop("Call with %(name)s"),
    Channel.VIDEO: gettext_noop("Video call with %(name)s"),
}
OTHER_INVITATION_TITLE = gettext_noop("Appointment with %(name)s")


def invitation_title(channel: str, user_name: str) -> str:
    """The title written for the customer, "Call with Anna Rossi", in the active language."""
    return _(INVITATION_TITLES.get(channel, OTHER_INVITATION_TITLE)) % {"name": user_name}


def invitation(follow_up: FollowUp, *, fallback_language: str) -> bytes:
    """One follow-up for the prospect: a title written for them, and nothing of the user's own
    (the purpose, notes, link to the opportunity or reminder)."""
    assert follow_up.due_at is not None, "only a scheduled follow-up can be sent"
    user, person = follow_up.assigned_to, follow_up.person
    zone = user.profile.zone
    start = follow_up.due_at.astimezone(zone)
    email = person.emails.first() if person else None
    with translation.override(invitation_language(follow_up, fallback_language)):
        when = formats.date_format(start, "DATETIME_FORMAT")
        event = Event(
            uid=f"followup-{follow_up.pk}@{installation()}",
            start=start,
            minutes=follow_up.minutes,
            changed=follow_up.updated,
            sequence=follow_up.sequence,
            summary=invitation_title(follow_up.channel, name_of(user)),
            description="\n".join(
                [
                    _("When: %(when)s (%(zone)s)") % {"when": when, "zone": zone.key},
                    _("Channel: %(channel)s") % {"channel": follow_up.get_channel_display()},
                ]
            ),
            cancelled=follow_up.status == Status.CANCELLED,
            organizer=Address(name_of(user), user.email) if user.email else None,
            attendee=Address(person.name, email.address) if person and email else None,
        )
        frame = calendar_frame(
            uid=f"invitation-{follow_up.pk}@{installation()}",
            method=invitation_method(follow_up),
            zone=zone,
            events=[event],
        )
    return serialise(frame, [event])


def invitation_filename(follow_up: FollowUp) -> str:
    """`call-with-anna-rossi-2026-02-10.ics`: the customer sees the file's name too, so it is
    the invitation's title in their language, never the purpose; the day as the user sees it."""
    user, due = follow_up.assigned_to, follow_up.due_at
    day = due.astimezone(user.profile.zone).date().isoformat() if due else ""
    with translation.override(invitation_language(follow_up, translation.get_language())):
        title = slugify(invitation_title(follow_up.channel, name_of(user)))[:60]
    return f"{title or 'follow-up'}-{day}.ics"


def name_of(user: User) -> str:
    return user.get_full_name() or user.username


def calendar_frame(
    *, uid: str, method: str, zone: ZoneInfo, events: list[Event], name: str | None = None
) -> icalendar.Calendar:
    """VCALENDAR, its name if it is one to subscribe to, and the user's zone for the dates the
    events cover."""
    frame = icalendar.Calendar.new(prodid=PRODID, method=method, name=name, uid=uid)
    frame.add("x-wr-timezone", zone.key)
    if zone.key not in UTC_ZONES and events:
        first, last = span(events)
        frame.add_component(
            icalendar.Timezone.from_tzid(zone.key, first_date=first, last_date=last)
        )
    return frame


def span(events: Iterable[Event]) -> tuple[date, date]:
    """Whole years around the events: a zone cut to a few days may hold only its summer time,
    and parsers then get it wrong (vobject reads such a CEST as +01:00)."""
    years = [event.start.year for event in events]
    return date(min(years), 1, 1), date(min(max(years) + 2, MAXYEAR), 1, 1)


def serialise(frame: icalendar.Calendar, events: Iterable[Event]) -> bytes:
    head: bytes = frame.to_ical()
    body = "".join(event_text(event) for event in events).encode()
    return head[: -len(END)] + body + END


def event_text(event: Event) -> str:
    """One VEVENT, lines ending in CRLF. Only lines that carry text or addresses can be
    longer than 75 octets, so only they go through fold()."""
    changed, summary = utc(event.changed), text(event.summary)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{changed}",
        f"LAST-MODIFIED:{changed}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART{moment(event.start)}",
        f"DTEND{moment(event.start + timedelta(minutes=event.minutes))}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        fold(f"SUMMARY:{summary}"),
        fold(f"DESCRIPTION:{text(event.description)}"),
    ]
    if event.url:
        lines.append(fold(f"URL:{event.url}"))
    if event.organizer:
        lines.append(
            fold(f"ORGANIZER;CN={param(event.organizer.name)}:mailto:{event.organizer.email}")
        )
    if event.attendee:
        lines.append(
            fold(
                f"ATTENDEE;CN={param(event.attendee.name)};ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{event.attendee.email}"
            )
        )
    if event.alarm_minutes:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            fold(f"DESCRIPTION:{summary}"),
            f"TRIGGER:-PT{event.alarm_minutes}M",
            "END:VALARM",
        ]
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def moment(at: datetime) -> str:
    """`;TZID=Europe/Rome:20260210T100000`, or `:20260210T090000Z` for UTC."""
    zone = getattr(at.tzinfo, "key", "UTC")
    if zone in UTC_ZONES:
        return f":{utc(at)}"
    return f";TZID={zone}:{basic(at)}"


def utc(at: datetime) -> str:
    return f"{basic(at.astimezone(UTC))}Z"


def basic(at: datetime) -> str:
    """The wall time in iCalendar's basic format, 20260210T100000 (isoformat is the fastest
    way to it: strftime takes several times longer, thousands of times a feed)."""
    return at.isoformat(timespec="seconds")[:19].replace("-", "").replace(":", "")


def text(value: str) -> str:
    """RFC 5545 §3.3.11: backslash, semicolon and comma escaped, line breaks as \\n."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "")


def param(value: str) -> str:
    """A quoted parameter value: it may hold , ; : but no double quote or line break."""
    return '"' + "".join(" " if c in '"\r\n' else c for c in value) + '"'


def fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued after CRLF and a space, never
    splitting a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, width = [], 0, 75
    while len(data) - start > width:
        end = start + width
        while data[end] & 0xC0 == 0x80:  # a continuation byte: step back to the character
            end -= 1
        parts.append(data[start:end])
        start, width = end, 74  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()
