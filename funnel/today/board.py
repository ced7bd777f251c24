"""The funnel board: three columns, Above, In and Best few, in the order Today works them."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from funnel.fit.templatetags.fit import fit_badge
from funnel.lib.http import AuthenticatedRequest, offset_param
from funnel.lib.money import format_money
from funnel.prospecting.allocation import LevelTime, Period, Span, level_times, load_split
from funnel.sales.facts import drift_of
from funnel.sales.models import NEXT_LEVEL, OPEN_LEVELS, Level, Opportunity
from funnel.today.agenda import CARD_FIELDS, agenda_settings, priority_slice
from funnel.today.priorities import LEVEL_GROUP, AgendaSettings

CARDS_PER_PAGE = 10
PREVIOUS_LEVEL = {Level.IN: Level.ABOVE, Level.BEST_FEW: Level.IN}


@dataclass(frozen=True)
class Card:
    """One card, its texts formatted here: the board draws thirty, and a template tag or filter
    per text would cost more than the page's queries."""

    title: str
    customer: str
    url: str
    move_url: str
    value: str
    fit_badge: str
    next_step_on: str  # empty when there is none
    overdue: bool
    warnings: list[str]
    move_up: str | None
    move_down: str
    up_label: str
    down_label: str


@dataclass(frozen=True)
class Column:
    level: Level
    count: int
    totals: list[tuple[str, Decimal]]  # (currency, value), largest first
    cards: list[Card]
    next_offset: int | None
    time: LevelTime  # this month's share of selling time, and its target

    @property
    def when_empty(self) -> str:
        return LEVEL_GROUP[self.level].when_empty

    @property
    def time_share(self) -> str:
        """This month's share against the target: "22 % of 34 %"."""
        if self.time.share is None:
            return _("— of %(target)s %%") % {"target": self.time.target}
        return _("%(share)s %% of %(target)s %%") % {
            "share": self.time.share,
            "target": self.time.target,
        }

    @property
    def time_title(self) -> str:
        return _("The share of this month's selling time spent at this level, against your target.")


def cards(
    rows: QuerySet[Opportunity], settings: AgendaSettings, offset: int
) -> tuple[list[Card], int | None]:
    page = priority_slice(rows, settings, offset=offset, limit=CARDS_PER_PAGE + 1)
    more = offset + CARDS_PER_PAGE if len(page) > CARDS_PER_PAGE else None
    return [card(o, settings) for o in page[:CARDS_PER_PAGE]], more


def card(opportunity: Opportunity, settings: AgendaSettings) -> Card:
    level = Level(opportunity.level)
    due = opportunity.next_step_at
    organisation = opportunity.organisation
    return Card(
        title=opportunity.title,
        customer=opportunity.customer_name,
        url=opportunity.get_absolute_url(),
        move_url=reverse("opportunity_move", args=[opportunity.pk]),
        value=format_money(opportunity.value, opportunity.currency),
        fit_badge=fit_badge(
            opportunity.fit_score,
            organisation.fit_known if organisation else None,
            settings.poor_fit_below,
        ),
        next_step_on=date_format(timezone.localtime(due), "SHORT_DATE_FORMAT") if due else "",
        overdue=due is not None and due < settings.now,
        warnings=drift_of(opportunity, today=settings.today, cycle_days=settings.cycle_days),
        move_up=PREVIOUS_LEVEL.get(level),
        move_down=NEXT_LEVEL[level],
        # Screen readers name each button after its card.
        up_label=_("Move %(title)s back up the funnel") % {"title": opportunity.title},
        down_label=_("Move %(title)s down the funnel") % {"title": opportunity.title},
    )


def column_rows(
    request: AuthenticatedRequest, level: str, settings: AgendaSettings
) -> QuerySet[Opportunity]:
    rows = Opportunity.objects.visible_to(request.user).filter(level=level)
    return rows.select_related("organisation", "main_contact").only(*CARD_FIELDS)


def this_months_times(request: AuthenticatedRequest) -> list[LevelTime]:
    """Each open level's share of this month's selling time so far, with its target."""
    month = Span.containing(Period.MONTH, timezone.localdate())
    start, end = month.bounds(timezone.get_current_timezone())
    split = load_split(request.user, start, end)
    return level_times(split, request.user.profile)


@login_required
def funnel_board(request: AuthenticatedRequest) -> HttpResponse:
    settings = agenda_settings(request.user, timezone.now())
    # Open levels only: counting the closed ones reads every deal ever won or lost.
    counts: dict[str, int] = defaultdict(int)
    totals: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for level, currency, count, total in (
        Opportunity.objects.visible_to(request.user).open().count_and_total_per_level()
    ):
        counts[level] += count
        totals[level].append((currency, total))
    times = this_months_times(request)
    columns = []
    for level, time in zip(OPEN_LEVELS, times, strict=True):
        page, more = cards(column_rows(request, level, settings), settings, 0)
        columns.append(Column(level, counts[level], totals[level], page, more, time))
    closed = [level for level in Level if level not in OPEN_LEVELS]
    context = {"columns": columns, "closed": closed}
    return render(request, "sales/board.html", context)


@login_required
def board_column(request: AuthenticatedRequest, level: str) -> HttpResponse:
    """More cards for one column (the 'show more' button)."""
    if level not in OPEN_LEVELS:
        raise Http404
    offset = offset_param(request, "offset") or 0
    settings = agenda_settings(request.user, timezone.now())
    page, more = cards(column_rows(request, level, settings), settings, offset)
    context = {"level": level, "cards": page, "next_offset": more}
    return render(request, "sales/board.html#more-cards", context)
