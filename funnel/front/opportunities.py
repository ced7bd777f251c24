from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from funnel.fit.actions import delete_opportunity, save_opportunity
from funnel.fit.facts import fit_of
from funnel.followup.actions import log_activity, proposed_follow_up
from funnel.followup.facts import pest_warnings_for
from funnel.followup.forms import ActivityForm, AssignForm, FollowUpForm, PlanForm, confirming
from funnel.followup.page import follow_up_context, new_follow_up_form, plans_follow_ups
from funnel.lib.forms import menus_read, own_copy, save_unless_taken
from funnel.lib.http import AuthenticatedRequest, id_param, offset_param
from funnel.lib.listing import UnknownLast, list_page
from funnel.lib.refusals import Refused
from funnel.quotes.page import new_quote_form, quotes_context
from funnel.sales.actions import (
    AlreadyMoved,
    GateClosed,
    move_opportunity,
)
from funnel.sales.facts import drift_of, opportunity_facts, sales_cycle
from funnel.sales.forms import (
    InfluenceForm,
    MoveForm,
    NewOpportunityForm,
    OpportunityForm,
)
from funnel.sales.models import (
    LEVEL_ORDER,
    NEXT_LEVEL,
    OPEN_LEVELS,
    BuyingInfluence,
    Level,
    Opportunity,
)
from funnel.sales.rules import Prerequisite, check_move

DETAIL = "sales/opportunity_detail.html"
ACTIVITIES_PER_PAGE = 10


def get_opportunity(request: AuthenticatedRequest, pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related(
            "organisation", "main_contact", "owner__profile", "team"
        ),
        pk=pk,
    )


@login_required
def opportunity_list(request: AuthenticatedRequest) -> HttpResponse:
    level = request.GET.get("level", "open")
    opportunities = Opportunity.objects.visible_to(request.user).select_related(
        "organisation", "main_contact"
    )
    if level == "open":
        opportunities = opportunities.open()
    elif level in Level.values:
        opportunities = opportunities.filter(level=level)
    else:
        level = "all"
    listing = list_page(
        request,
        opportunities,
        search_fields=["title", "organisation__name", "main_contact__name", "source"],
        sorts={
            "title": Lower("title"),
            "organisation": Lower("organisation__name"),
            "value": "value",
            "level": LEVEL_ORDER,
            "close": UnknownLast("expected_close_on"),
            "updated": "updated",
        },
        default_sort="-updated",
    )
    counts = Opportunity.objects.visible_to(request.user).count_per_level()
    filters = [
        ("open", pgettext("opportunities", "Open"), sum(counts.get(lv, 0) for lv in OPEN_LEVELS))
    ]
    filters += [(lv.value, str(lv.label), counts.get(lv.value, 0)) for lv in Level]
    filters.append(("all", pgettext("opportunities", "All"), sum(counts.values())))
    return render(
        request,
        "sales/opportunity_list.html",
        {
            "listing": listing,
            "level": level,
            "filters": filters,
            "has_any": bool(counts),
            "cycle_days": sales_cycle(request.user).days,
        },
    )


def detail_context(
    opportunity: Opportunity, unmet: list[Prerequisite] | None = None, **forms: BaseForm
) -> dict[str, object]:
    today = timezone.localdate()
    cycle = sales_cycle(opportunity.owner)
    influences = list(opportunity.influences.select_related("person", "person__organisation"))
    forms = {name: menus_read(form) for name, form in forms.items()}  # no query while drawing
    return {
        "opportunity": opportunity,
        "now": timezone.now(),
        "cycle": cycle,
        **move_context(opportunity, today, influences=influences, cycle_days=cycle.days),
        "unmet": unmet,
        "fit": fit_of(opportunity.organisation) if opportunity.organisation else None,
        "poor_fit_below": opportunity.team.poor_fit_below,
        "warnings": drift_of(opportunity, today=today, cycle_days=cycle.days),
        "influences": influences,
        **activity_page(opportunity, 0),
        "level_changes": list(
            opportunity.level_changes.select_related("by").order_by("-at", "-pk")
        ),
        # Forms folded away are drawn when opened (influence_form, activity_form views and the
        # follow-up and quote cards'), or here when they must show at once; None while folded.
        "influence_form": forms.get("influence_form"),
        "activity_form": forms.get("activity_form"),
        **({"move_form": forms["move_form"]} if "move_form" in forms else {}),
        "next_follow_up_form": forms.get("next_follow_up_form"),
        **follow_up_context(opportunity, cycle_days=cycle.days, **forms),
        **quotes_context(opportunity, fold=True),
        # Labels translated once for every row's select, not once per option per row.
        "status_choices": [(value, str(label)) for value, label in BuyingInfluence.Status.choices],
    }


def move_context(
    opportunity: Opportunity,
    today: date,
    *,
    influences: list[BuyingInfluence] | None = None,
    cycle_days: int | None = None,
) -> dict[str, object]:
    """The Move card: the next level down the funnel and what it still needs."""
    next_level = NEXT_LEVEL.get(Level(opportunity.level))
    readiness = []
    if next_level:
        facts = opportunity_facts(opportunity, influences)
        cycle_days = cycle_days or sales_cycle(opportunity.owner).days
        readiness = check_move(facts, next_level, today=today, cycle_days=cycle_days)
    return {
        "opportunity": opportunity,
        "next_level": next_level and Level(next_level),
        "readiness": readiness,
        "move_form": MoveForm(opportunity=opportunity),
    }


def activity_page(opportunity: Opportunity, offset: int) -> dict[str, object]:
    """One page of the activity log, newest first, and where the next page starts."""
    rows = opportunity.activities.select_related("person")
    page = list(rows[offset : offset + ACTIVITIES_PER_PAGE + 1])
    more = offset + ACTIVITIES_PER_PAGE if len(page) > ACTIVITIES_PER_PAGE else None
    return {"activities": page[:ACTIVITIES_PER_PAGE], "more_activities_from": more}


@login_required
def opportunity_activities(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Older activities (the log's 'show more'); without htmx, the page they belong to."""
    opportunity = get_opportunity(request, pk)
    offset = offset_param(request, "offset")
    if offset is None:
        raise Http404("Which activities?")
    if not request.htmx:
        return redirect(f"{opportunity.get_absolute_url()}?older={offset}#activities")
    context = {"opportunity": opportunity, **activity_page(opportunity, offset)}
    return render(request, f"{DETAIL}#more-activities", context)


@login_required
def opportunity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    context = detail_context(opportunity)
    older = offset_param(request, "older")  # the activity log's "show more" without htmx
    if older is not None:
        context.update(activity_page(opportunity, older))
    # Asked for by the Today page's "Log an activity", a page without script, or a first visit.
    if request.GET.get("log"):
        context.update(activity_forms(opportunity, id_param(request, "follow_up")))
    add, edit = request.GET.get("add"), request.GET.get("edit")
    if add == "influence" or not context["influences"]:
        context["influence_form"] = menus_read(InfluenceForm(opportunity=opportunity))
    # The folded forms of the follow-up and quote cards, for a page without script.
    if add == "follow-up" and not context["follow_up_form"] and plans_follow_ups(opportunity):
        context["follow_up_form"] = menus_read(new_follow_up_form(opportunity))
    if edit == "plan" and plans_follow_ups(opportunity):
        context["plan_form"] = PlanForm(instance=opportunity)
    if edit == "owner" and context["delegating"] and not context["assign_form"]:
        context["assign_form"] = menus_read(AssignForm(opportunity=opportunity))
    if add == "quote" and not context["quote_form"]:
        context["quote_form"] = new_quote_form(opportunity)
    return render(request, DETAIL, context)


@login_required
def influence_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = menus_read(InfluenceForm(opportunity=opportunity))
    context = {"opportunity": opportunity, "influence_form": form}
    return render(request, f"{DETAIL}#influence-form", context)


@login_required
def activity_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    context = {"opportunity": opportunity, **activity_forms(opportunity, None)}
    return render(request, f"{DETAIL}#activity-form", context)


def activity_forms(opportunity: Opportunity, follow_up_id: int | None) -> dict[str, BaseForm]:
    """The activity form, for the follow-up it carries out if any, with the next one planned."""
    planned = opportunity.follow_ups.planned()
    follow_up = planned.filter(pk=follow_up_id).first() if follow_up_id is not None else None
    return {
        "activity_form": menus_read(ActivityForm(opportunity=opportunity, follow_up=follow_up)),
        "next_follow_up_form": menus_read(new_follow_up_form(opportunity)),
    }


@login_required
def opportunity_create(request: AuthenticatedRequest) -> HttpResponse:
    profile = request.user.profile
    opportunity = Opportunity(owner=request.user, currency=profile.currency)
    # Links from an organisation's or a person's page pre-fill the customer.
    form = NewOpportunityForm(
        request.POST or None,
        instance=opportunity,
        team=profile.team,
        initial=_customer_asked_for(request),
    )
    if request.method == "POST" and form.is_valid():
        opportunity = save_opportunity(opportunity=form.save(commit=False), by=request.user)
        messages.success(request, _("%(title)s is saved.") % {"title": opportunity.title})
        return redirect(opportunity)
    return _opportunity_form_page(request, form)


@login_required
def opportunity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = OpportunityForm(
        request.POST or None,
        instance=own_copy(opportunity),
        team=opportunity.team,
        initial=_customer_asked_for(request),
    )
    if request.method == "POST" and form.is_valid():
        saved = save_opportunity(opportunity=form.save(commit=False), by=request.user)
        messages.success(request, _("%(title)s is saved.") % {"title": saved.title})
        return redirect(saved)
    return _opportunity_form_page(request, form, opportunity)


def _customer_asked_for(request: AuthenticatedRequest) -> dict[str, int]:
    """The organisation and main contact in the address: a link from their page, or the form
    asking for its contact picker again. Only the user's own show: the menus hold no other."""
    asked = {name: id_param(request, name) for name in ("organisation", "main_contact")}
    return {name: pk for name, pk in asked.items() if pk is not None}


def _opportunity_form_page(
    request: AuthenticatedRequest, form: BaseForm, opportunity: Opportunity | None = None
) -> HttpResponse:
    """The form; when its organisation changes, only the main contact picker (htmx), with
    the organisation's people first."""
    template = "sales/opportunity_form.html"
    if request.htmx.target == "main-contact" and request.method == "GET":
        template += "#main-contact"
    status = 422 if request.method == "POST" else 200  # sent, and refused: errors shown
    return render(request, template, {"form": form, "opportunity": opportunity}, status=status)


@login_required
def opportunity_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move from the opportunity page (in place with htmx), or from the board and Today, where
    a move that needs confirming opens a dialog.

    A move with unmet prerequisites comes back listing them once, with one box for the reason
    to move anyway. A GET (a bookmarked or reloaded address) shows the opportunity.
    """
    opportunity = get_opportunity(request, pk)
    if request.method != "POST":
        return redirect(f"{opportunity.get_absolute_url()}#move")
    form = MoveForm(request.POST, opportunity=opportunity)
    unmet: list[Prerequisite] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            move_opportunity(
                opportunity=opportunity,
                to_level=data["to_level"],
                reason=data["reason"],
                override_reason=data["override_reason"],
                seen_level=data["from_level"] or None,
                by=request.user,
            )
        except AlreadyMoved as moved:
            return _already_moved(request, pk, moved)
        except GateClosed as closed:
            unmet = closed.unmet
            if data["confirming"]:
                form.add_error("override_reason", _("Say why you move it anyway."))
            else:
                form = MoveForm(initial={**data, "confirming": True}, opportunity=opportunity)
        except ValidationError as refused:
            form.add_error("reason" if refused.code == "reason_required" else None, refused)
        else:
            messages.success(
                request,
                _("%(title)s moved to %(level)s.")
                % {"title": opportunity.title, "level": opportunity.get_level_display()},
            )
            if request.htmx:
                return HttpResponse(headers={"HX-Refresh": "true"})
            return redirect(opportunity)
    return _move_refused(request, opportunity, form, unmet)


def _move_refused(
    request: AuthenticatedRequest,
    opportunity: Opportunity,
    form: MoveForm,
    unmet: list[Prerequisite],
) -> HttpResponse:
    """The move form again, where the user is: the page's Move card, or the dialog."""
    if request.htmx and request.htmx.target == "move":
        context = {**move_context(opportunity, timezone.localdate()), "move_form": form}
        return render(request, f"{DETAIL}#move", {**context, "unmet": unmet}, status=422)
    if request.htmx:
        to_level = dict(Level.choices).get(request.POST.get("to_level", ""), "")
        context = {"opportunity": opportunity, "form": form, "unmet": unmet, "to_level": to_level}
        return render(request, "sales/move_dialog.html", context, status=422)
    return render(request, DETAIL, detail_context(opportunity, unmet, move_form=form), status=422)


def _already_moved(request: AuthenticatedRequest, pk: int, moved: AlreadyMoved) -> HttpResponse:
    """A second click, another tab or a colleague moved it first: say so, and show where it is
    now (409: nothing was done)."""
    messages.warning(request, moved.message)
    if request.htmx:
        return HttpResponse(status=409, headers={"HX-Refresh": "true"})
    return render(request, DETAIL, detail_context(get_opportunity(request, pk)), status=409)


@login_required
def opportunity_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    if request.method == "POST":
        delete_opportunity(opportunity=opportunity)
        messages.success(request, _("%(title)s has been deleted.") % {"title": opportunity.title})
        return redirect("opportunity_list")
    return render(
        request,
        "sales/opportunity_delete.html",
        {"opportunity": opportunity, "activity_count": opportunity.activities.count()},
    )


def section(
    request: AuthenticatedRequest,
    opportunity: Opportunity,
    name: str,
    pest_warnings: list[str] | None = None,
    **forms: BaseForm,
) -> HttpResponse:
    """After an in-place change: the htmx fragment, or the whole page without htmx."""
    if not request.htmx and not forms:
        return redirect(opportunity)
    context = detail_context(opportunity, None, **forms)
    context["pest_warnings"] = pest_warnings or []
    template = f"{DETAIL}#{name}" if request.htmx else DETAIL
    return render(request, template, context, status=422 if forms else 200)


@login_required
@require_POST
def influence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    form = InfluenceForm(request.POST, opportunity=opportunity)
    if not form.is_valid() or save_unless_taken(form, form.save) is None:
        return section(request, opportunity, "influences", influence_form=form)
    return section(request, opportunity, "influences")


@login_required
@require_POST
def influence_edit(request: AuthenticatedRequest, pk: int, influence_pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    influence = get_object_or_404(opportunity.influences, pk=influence_pk)
    status = request.POST.get("status", influence.status)
    if status in BuyingInfluence.Status.values:
        influence.status = status
    influence.fit_confirmed = request.POST.get("fit_confirmed") == "on"
    influence.save(update_fields=["status", "fit_confirmed"])
    return section(request, opportunity, "influences")


@login_required
@require_POST
def influence_delete(request: AuthenticatedRequest, pk: int, influence_pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    get_object_or_404(opportunity.influences, pk=influence_pk).delete()
    return section(request, opportunity, "influences")


@login_required
@require_POST
def activity_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Log what happened and, in the same step, plan the next follow-up."""
    opportunity = get_opportunity(request, pk)
    form = ActivityForm(request.POST, opportunity=opportunity)
    planning = request.POST.get("activity-schedule_next") == "on"
    next_form = FollowUpForm(
        request.POST, instance=proposed_follow_up(opportunity), opportunity=opportunity
    )
    if not form.is_valid() or (planning and not next_form.is_valid()):
        return section(
            request, opportunity, "activities", activity_form=form, next_follow_up_form=next_form
        )
    activity = form.save(commit=False)
    following = next_form.save(commit=False) if planning else None
    if following is not None:
        warnings = pest_warnings_for(following, also=[activity.occurred])
        if warnings and not next_form.cleaned_data["confirm"]:
            return section(
                request,
                opportunity,
                "activities",
                activity_form=form,
                next_follow_up_form=confirming(next_form),
                pest_warnings=warnings,
            )
    activity.submission = form.cleaned_data["submission"]
    try:
        log_activity(
            activity=activity,
            by=request.user,
            follow_up=form.cleaned_data["follow_up"],
            next_follow_up=following,
        )
    except Refused as refused:  # a second click, or the outcome logged in another tab
        return _logged(request, opportunity, refused.message, status=409)
    return _logged(request, opportunity, _("Logged on %(title)s.") % {"title": opportunity.title})


def _logged(
    request: AuthenticatedRequest, opportunity: Opportunity, message: str, status: int = 200
) -> HttpResponse:
    """After logging: in place, the log and the follow-up card beside it, which changed too;
    without htmx, the page at the log. The message says what happened (or why nothing did)."""
    if request.htmx:
        context = {**detail_context(opportunity), "swap_out_of_band": True}
        if status != 200:
            context["activity_notice"] = message
        parts = [f"{DETAIL}#activities", f"{DETAIL}#follow-up"]
        body = "".join(render_to_string(part, context, request) for part in parts)
        return HttpResponse(body, status=status)
    if status == 200:
        messages.success(request, message)
    else:
        messages.warning(request, message)
    return redirect(f"{opportunity.get_absolute_url()}#activities")
