"""The weekly review, on Monday morning about the week before (Monday to Sunday in the user's
time zone): time per level against the targets (docs/method.md §1), the sacred prospecting
blocks and the goals, the slowdown that shows if any (§4), and the Best few that drift.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from funnel.assistant.letters import Letter, absolute
from funnel.assistant.models import Kind
from funnel.assistant.render import footer, opportunity_url, render_letter
from funnel.forecast.facts import outlook_for
from funnel.goals.facts import GoalCard, goal_cards
from funnel.goals.models import Goal
from funnel.lib.durations import duration
from funnel.prospecting import rules as blocks
from funnel.prospecting.allocation import LevelTime, Period, Span, level_times, load_split
from funnel.prospecting.facts import load
from funnel.sales.facts import sales_cycle
from funnel.sales.models import Level, Opportunity
from funnel.sales.rules import drift_warnings
from funnel.today.health import Slowdown
from funnel.today.slowdowns import slowdowns_for

# Best few is a handful by definition; past this many drifting, the board has the rest.
DRIFTING_SHOWN = 10
OUTCOMES = {
    "honoured": gettext_lazy("Honoured"),
    "partly": gettext_lazy("Partly honoured"),
    "missed": gettext_lazy("Missed"),
}


@dataclass(frozen=True)
class Time:
    level: LevelTime
    spent: str

    @property
    def gap(self) -> str:
        """ "+12 points" above the target, "-8 points" below, "" on target or without time."""
        gap = self.level.gap
        if not gap:
            return ""
        return _("%(gap)+d points") % {"gap": gap}


@dataclass(frozen=True)
class BlockLine:
    occurrence: blocks.Occurrence
    outcome: str  # honoured, partly, missed; "" while unmarked
    said: str


@dataclass(frozen=True)
class Drifting:
    opportunity: Opportunity
    warnings: list[str]
    url: str


@dataclass(frozen=True)
class Cure:
    slowdown: Slowdown
    url: str


def build_weekly_review(user: User, *, now: datetime) -> Letter | None:
    """Last week's review; None for someone with no opportunity, block or goal at all."""
    profile = user.profile
    with timezone.override(profile.zone):
        week = Span.containing(Period.WEEK, timezone.localdate(now)).previous()
        start, end = week.bounds(profile.zone)
        loaded = load(user, since=start, zone=profile.zone)
        goals = sorted(Goal.objects.of(user).filter(starts_on__lte=week.last), key=Goal.sort_key)
        if not (loaded.plans or goals or Opportunity.objects.filter(owner=user).exists()):
            return None
        split = load_split(user, start, end)
        occurrences = loaded.planned_in(start, end)
        rate = blocks.honoured_rate(occurrences, now)
        drifting = drifting_best_few(user, now)
        cards = goal_cards(user, goals, week.last, with_history=False)
        first, last = week_day(week.first), week_day(week.last)
        context = {
            "first": first,
            "last": last,
            "times": [Time(t, duration(t.minutes)) for t in level_times(split, profile)],
            "other": duration(split.other) if split.other else "",
            "report_url": absolute(
                reverse("reports") + f"?period=week&on={week.first.isoformat()}"
            ),
            "blocks": [block_line(o) for o in occurrences],
            "rate": rate,
            "blocks_url": absolute(reverse("prospecting_blocks")),
            "goals": cards,
            "currency": profile.currency,
            "goals_url": absolute(reverse("goals")),
            "cures": [cure(s) for s in slowdowns_for(user, now)],
            "ahead": coming_dips(user, now),
            "drifting": drifting,
            "board_url": absolute(reverse("funnel_board")),
            **footer(user.pk, Kind.WEEKLY, _("Stop the weekly review; other emails still come.")),
        }
        text, html = render_letter("weekly", context)
        return Letter(subject(first, last, cards, len(drifting)), text, html)


@dataclass(frozen=True)
class Ahead:
    text: str
    url: str
    action: str


def coming_dips(user: User, now: datetime) -> list[Ahead]:
    """The dip the forecast sees coming and the stop the history warns of, with where to act."""
    outlook = outlook_for(user, now=now)
    ahead = []
    if outlook.dry_spell is not None:
        forecast_url = absolute(reverse("reports") + "#forecast")
        ahead.append(Ahead(outlook.dry_spell.text, forecast_url, _("See the forecast")))
    if outlook.stop_ahead is not None:
        blocks_url = absolute(reverse("prospecting_blocks"))
        ahead.append(Ahead(outlook.stop_ahead.text, blocks_url, _("Your prospecting blocks")))
    return ahead


def subject(first: str, last: str, goals: list[GoalCard], drifting: int) -> str:
    title = _("Your week, %(first)s – %(last)s") % {"first": first, "last": last}  # noqa: RUF001 (an en dash)
    met = sum(1 for card in goals if card.current.progress.met)
    if drifting:
        found = ngettext(
            "%(count)d Best few deal drifting", "%(count)d Best few deals drifting", drifting
        ) % {"count": drifting}
    elif met:
        found = ngettext(
            "%(met)d of %(count)d goal met", "%(met)d of %(count)d goals met", len(goals)
        ) % {"met": met, "count": len(goals)}
    else:
        return title
    return _("%(title)s: %(found)s") % {"title": title, "found": found}


def week_day(day: date) -> str:
    return date_format(day, pgettext("a day and month in an email, PHP date format", "j F"))


def block_line(occurrence: blocks.Occurrence) -> BlockLine:
    outcome = occurrence.outcome
    said = str(OUTCOMES[outcome]) if outcome in OUTCOMES else _("Not marked: counted as missed")
    if occurrence.moved:
        moved_to = date_format(timezone.localtime(occurrence.slot[0]), "SHORT_DATETIME_FORMAT")
        said = _("Moved to %(when)s: %(outcome)s") % {"when": moved_to, "outcome": said}
    return BlockLine(occurrence, outcome, said)


def cure(slowdown: Slowdown) -> Cure:
    return Cure(slowdown, absolute(reverse(slowdown.action)))


def drifting_best_few(user: User, now: datetime) -> list[Drifting]:
    """Best few objectives past their expected close or there for over half the normal cycle
    (sales.rules.drift_warnings), longest there first; SQL keeps only those that may drift."""
    today = timezone.localdate(now)
    cycle_days = sales_cycle(user, now=now).days
    # A day's slack: drift_warnings counts local days, the query compares moments.
    since = now - timedelta(days=cycle_days / 2 - 1)
    rows = (
        Opportunity.objects.filter(owner=user, level=Level.BEST_FEW)
        .filter(Q(expected_close_on__lt=today) | Q(level_changed__lt=since))
        .select_related("organisation", "main_contact")
        .order_by("level_changed", "pk")[:DRIFTING_SHOWN]
    )
    found = []
    for row in rows:
        warnings = drift_warnings(
            row.level,
            since=timezone.localdate(row.level_changed),
            expected_close_on=row.expected_close_on,
            today=today,
            cycle_days=cycle_days,
        )
        if warnings:
            found.append(Drifting(row, warnings, opportunity_url(row.pk)))
    return found
