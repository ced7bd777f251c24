import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.forecast.facts import outlook_for
from funnel.front.charts import allocation_chart
from funnel.front.readings import report_of
from funnel.goals.facts import goals_for_today
from funnel.lib import bounds
from funnel.lib.durations import duration
from funnel.lib.http import AuthenticatedRequest
from funnel.prospecting.allocation import Period, Span, level_times, load_split
from funnel.sales.facts import sales_cycle
from funnel.today.slowdowns import slowdowns_for


def home(request: HttpRequest) -> HttpResponse:
    return redirect("today")


@login_required
def reports(request: AuthenticatedRequest) -> HttpResponse:
    span = report_span(request)
    split = load_split(request.user, *span.bounds(timezone.get_current_timezone()))
    times = level_times(split, request.user.profile)
    nonce = _csp_nonce(request)
    outlook = outlook_for(request.user)
    currency = request.user.profile.currency
    return render(
        request,
        "front/reports.html",
        {
            "cycle": sales_cycle(request.user),
            "outlook": outlook,
            "report": report_of(outlook, currency=currency, nonce=nonce),
            "currency": currency,
            "span": span,
            "is_current": span == Span.containing(span.period, timezone.localdate()),
            "periods": [(Period.WEEK, _("Week")), (Period.MONTH, _("Month"))],
            "times": [(time, duration(time.minutes)) for time in times],
            "split": split,
            "other": duration(split.other) if split.other else "",
            "chart": allocation_chart(times, nonce=nonce) if split.total else "",
            "goals_today": goals_for_today(request.user, timezone.now()),
            "slowdowns": slowdowns_for(request.user, timezone.now()),
        },
    )


def report_span(request: AuthenticatedRequest) -> Span:
    """The week or month asked for (?period=week|month&on=YYYY-MM-DD); this week by default."""
    period = request.GET.get("period", "")
    known = [choice.value for choice in Period]
    try:
        day = bounds.clamp(dt.date.fromisoformat(request.GET.get("on", "")))
    except ValueError:
        day = timezone.localdate()
    return Span.containing(Period(period) if period in known else Period.WEEK, day)


def _csp_nonce(request: HttpRequest) -> str:
    return str(request.csp_nonce)  # type: ignore[attr-defined]  # set by django-csp's middleware
