"""The funnel board: three columns, Above, In and Best few, in the order Today works them."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.lib.http import AuthenticatedRequest
from funnel.sales.agenda import CARD_FIELDS, agenda_settings, priority_slice
from funnel.sales.facts import drift_of
from funnel.sales.models import NEXT_LEVEL, OPEN_LEVELS, Level, Opportunity
from funnel.sales.priorities import LEVEL_GROUP, AgendaSettings

CARDS_PER_PAGE = 10
PREVIOUS_LEVEL = {Level.IN: Level.ABOVE, Level.BEST_FEW: Level.IN}


@dataclass(frozen=True)
class Card:
    opportunity: Opportunity
    warnings: list[str]
    move_up: str | None
    move_down: str

    # The buttons' names for screen readers, in Python: cheaper than a blocktranslate per card.
    @property
    def up_label(self) -> str:
        return _("Move %(title)s back up the funnel") % {"title": self.opportunity.title}

    @property
    def down_label(self) -> str:
        return _("Move %(title)s down the funnel") % {"title": self.opportunity.title}


@dataclass(frozen=True)
class Column:
    level: Level
    count: int
    totals: list[tuple[str, Decimal]]  # (currency, value), largest first
    cards: list[Card]
    next_offset: int | None

    @property
    def when_empty(self) -> str:
        return LEVEL_GROUP[self.level].when_empty


def cards(
    rows: QuerySet[Opportunity], settings: AgendaSettings, offset: int
) -> tuple[list[Card], int | None]:
    page = priority_slice(rows, settings, offset=offset, limit=CARDS_PER_PAGE + 1)
    more = offset + CARDS_PER_PAGE if len(page) > CARDS_PER_PAGE else None
    return [card(o, settings) for o in page[:CARDS_PER_PAGE]], more


def card(opportunity: Opportunity, settings: AgendaSettings) -> Card:
    warnings = drift_of(opportunity, today=settings.today, cycle_days=settings.cycle_days)
    level = Level(opportunity.level)
    return Card(opportunity, warnings, PREVIOUS_LEVEL.get(level), NEXT_LEVEL[level])


def column_rows(
    request: AuthenticatedRequest, level: str, settings: AgendaSettings
) -> QuerySet[Opportunity]:
    rows = Opportunity.objects.visible_to(request.user).filter(level=level)
    return rows.select_related("organisation", "main_contact").only(*CARD_FIELDS)


@login_required
def funnel_board(request: AuthenticatedRequest) -> HttpResponse:
    settings = agenda_settings(request.user, timezone.now())
    visible = Opportunity.objects.visible_to(request.user)
    counts: dict[str, int] = defaultdict(int)
    totals: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for level, currency, count, total in (
        visible.values_list("level", "currency")
        .annotate(count=Count("pk"), total=Sum("value"))
        .order_by("-total")
    ):
        counts[level] += count
        if level in OPEN_LEVELS:
            totals[level].append((currency, total))
    columns = []
    for level in OPEN_LEVELS:
        page, more = cards(column_rows(request, level, settings), settings, 0)
        columns.append(Column(level, counts.get(level, 0), totals[level], page, more))
    closed = [(level, counts.get(level, 0)) for level in Level if level not in OPEN_LEVELS]
    context = {"columns": columns, "closed": closed, **card_context(settings)}
    return render(request, "sales/board.html", context)


def card_context(settings: AgendaSettings) -> dict[str, object]:
    return {"now": settings.now, "poor_fit_below": settings.poor_fit_below}


@login_required
def board_column(request: AuthenticatedRequest, level: str) -> HttpResponse:
    """More cards for one column (the 'show more' button)."""
    if level not in OPEN_LEVELS:
        raise Http404
    offset = request.GET.get("offset", "0")
    if not offset.isdigit():
        raise Http404
    settings = agenda_settings(request.user, timezone.now())
    page, more = cards(column_rows(request, level, settings), settings, int(offset))
    context = {"level": level, "cards": page, "next_offset": more, **card_context(settings)}
    return render(request, "sales/board.html#more-cards", context)
