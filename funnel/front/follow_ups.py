"""Follow-up pages and actions: plan, reschedule, cancel, stop, deliver, delegate, nurture."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Min, Q, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel.followup import actions
from funnel.followup.facts import apology_for, is_missed_now, pest_warnings_for
from funnel.followup.forms import (
    AssignForm,
    DeliveryForm,
    FollowUpForm,
    PlanForm,
    QuickFollowUpForm,
    confirming,
)
from funnel.followup.models import FollowUp, Kind
from funnel.followup.page import new_follow_up_form
from funnel.front.opportunities import DETAIL, detail_context, get_opportunity
from funnel.lib.forms import menus_read, own_copy
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.listing import list_page
from funnel.lib.refusals import Refused
from funnel.sales.actions import AlreadyMoved
from funnel.sales.models import Level, Opportunity

INLINE = "followup/follow_up_inline.html"
# Nurture opportunities without a touch planned come after those with one, in every database.
UNPLANNED_LAST = Case(When(next_touch__isnull=True, then=Value(1)), default=Value(0))


def back(request: AuthenticatedRequest, opportunity: Opportunity) -> HttpResponse:
    """Where the action came from (Today, the nurture list), else the opportunity's page."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(f"{opportunity.get_absolute_url()}#follow-up")


def get_follow_up(opportunity: Opportunity, pk: int) -> FollowUp:
    return get_object_or_404(opportunity.follow_ups.planned().select_related("person"), pk=pk)


@login_required
def follow_up_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Plan a follow-up: on the opportunity's page, or in place from Today (GET draws it)."""
    opportunity = get_opportunity(request, pk)
    if request.method != "POST":
        form = QuickFollowUpForm(
            instance=actions.proposed_follow_up(opportunity), opportunity=opportunity
        )
        return render(request, INLINE, {"opportunity": opportunity, "form": form})
    return save(request, opportunity, actions.proposed_follow_up(opportunity))


# The follow-up card's folded forms, drawn when opened (htmx); a page without script asks for
# the whole page with one of them drawn (?add=follow-up, ?edit=plan, ?edit=owner).


@login_required
def follow_up_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    context = {
        "opportunity": opportunity,
        "follow_up_form": menus_read(new_follow_up_form(opportunity)),
    }
    return render(request, f"{DETAIL}#follow-up-form", context)


@login_required
def plan_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    context = {"opportunity": opportunity, "plan_form": PlanForm(instance=opportunity)}
    return render(request, f"{DETAIL}#plan-form", context)


@login_required
def assign_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = menus_read(AssignForm(opportunity=opportunity))
    return render(
        request, f"{DETAIL}#assign-form", {"opportunity": opportunity, "assign_form": form}
    )


@login_required
def follow_up_edit(request: AuthenticatedRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    """Reschedule a follow-up; a missed one comes with an apology ready to copy."""
    opportunity = get_opportunity(request, pk)
    follow_up = get_follow_up(opportunity, follow_up_pk)
    if request.method == "POST":
        return save(request, opportunity, follow_up)
    missed = is_missed_now(follow_up)
    if missed:
        follow_up.due_at = actions.recovery_time(follow_up)
    context = {
        "opportunity": opportunity,
        "form": QuickFollowUpForm(instance=follow_up, opportunity=opportunity),
        "follow_up": follow_up,
        "apology": apology_for(follow_up, sender=request.user) if missed else "",
    }
    return render(request, INLINE, context)


def save(
    request: AuthenticatedRequest, opportunity: Opportunity, follow_up: FollowUp
) -> HttpResponse:
    """Validate, let the pest guard warn (never block), schedule, and go back."""
    form_class = QuickFollowUpForm if request.POST.get("quick") else FollowUpForm
    form = form_class(request.POST, instance=follow_up, opportunity=opportunity)
    warnings: list[str] = []
    if form.is_valid():
        warnings = pest_warnings_for(form.instance)
        if not warnings or form.cleaned_data["confirm"]:
            try:
                actions.schedule(follow_up=form.save(commit=False))
            except Refused as refused:  # done or cancelled in another tab meanwhile
                messages.warning(request, refused.message)
                return back(request, opportunity)
            messages.success(
                request,
                _("Follow-up planned for %(title)s.") % {"title": opportunity.title},
            )
            return back(request, opportunity)
    if warnings:
        form = confirming(form)
    context = detail_context(opportunity, follow_up_form=form)
    context.update(pest_warnings=warnings, editing=follow_up if follow_up.pk else None)
    return render(request, DETAIL, context, status=422)


@login_required
@require_POST
def follow_up_cancel(request: AuthenticatedRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    follow_up = get_follow_up(opportunity, follow_up_pk)
    try:
        actions.cancel(follow_up=follow_up)
    except Refused as refused:
        messages.warning(request, refused.message)
    else:
        messages.success(request, _("Follow-up cancelled: %(purpose)s.") % {"purpose": follow_up})
    return back(request, opportunity)


@login_required
@require_POST
def plan_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = PlanForm(request.POST, instance=own_copy(opportunity))
    if not form.is_valid():
        return render(request, DETAIL, detail_context(opportunity, plan_form=form), status=422)
    fields = list(PlanForm.Meta.fields)
    actions.save_plan(opportunity=form.save(commit=False), fields=fields, by=request.user)
    messages.success(request, _("The follow-up plan is saved."))
    return back(request, opportunity)


@login_required
@require_POST
def stop_rule_apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The one click that confirms a stop rule's proposal (Today, the opportunity's page)."""
    opportunity = get_opportunity(request, pk)
    seen = request.POST.get("from_level", "")
    try:
        change = actions.apply_stop_rule(
            opportunity=opportunity,
            by=request.user,
            seen_level=seen if seen in Level.values else None,
        )
    except AlreadyMoved as moved:
        messages.warning(request, moved.message)
        return back(request, opportunity)
    if change is None:
        messages.info(request, _("No stop rule applies to %(title)s now.") % {"title": opportunity})
    else:
        messages.success(
            request,
            _("%(title)s moved to %(level)s. Moving it back reopens it.")
            % {"title": opportunity.title, "level": opportunity.get_level_display()},
        )
    return back(request, opportunity)


@login_required
@require_POST
def opportunity_delivery(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = DeliveryForm(request.POST, instance=own_copy(opportunity))
    if not form.is_valid():
        return render(request, DETAIL, detail_context(opportunity, delivery_form=form), status=422)
    actions.set_delivery_date(opportunity=opportunity, delivery_on=form.cleaned_data["delivery_on"])
    messages.success(request, _("Delivery date saved: the steps after the sale are planned."))
    return back(request, opportunity)


@login_required
@require_POST
def opportunity_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Delegate an opportunity to a colleague: it moves to their Today with its follow-ups."""
    opportunity = get_opportunity(request, pk)
    form = AssignForm(request.POST, opportunity=opportunity)
    if not form.is_valid():
        return render(request, DETAIL, detail_context(opportunity, assign_form=form), status=422)
    owner = form.cleaned_data["owner"]
    actions.assign(opportunity=opportunity, to=owner)
    messages.success(
        request,
        _("%(title)s is now %(name)s's.")
        % {"title": opportunity.title, "name": owner.get_full_name() or owner.username},
    )
    return back(request, opportunity)


@login_required
def nurture_list(request: AuthenticatedRequest) -> HttpResponse:
    """The qualified prospects who are not ready yet, the ones due a touch first."""
    today_ends = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today_ends += timedelta(days=1)
    rows = (
        Opportunity.objects.visible_to(request.user)
        .filter(level=Level.NURTURE)
        .select_related("organisation", "main_contact")
        .annotate(
            next_touch=Min(
                "follow_ups__due_at",
                filter=Q(follow_ups__status="planned", follow_ups__kind=Kind.NURTURE),
            )
        )
    )
    listing = list_page(
        request,
        rows,
        search_fields=["title", "organisation__name", "main_contact__name"],
        sorts={"touch": [UNPLANNED_LAST, "next_touch"], "title": Lower("title"), "value": "value"},
        default_sort="touch",
    )
    return render(
        request, "followup/nurture_list.html", {"listing": listing, "today_ends": today_ends}
    )
