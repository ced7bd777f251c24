"""The goals page: progress this period, rewards, history; add, change or remove a goal."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel.goals.facts import goal_cards
from funnel.goals.forms import GoalForm
from funnel.goals.models import Goal
from funnel.lib.forms import save_unless_taken
from funnel.lib.http import AuthenticatedRequest

PAGE = "goals/goal_list.html"


def get_goal(request: AuthenticatedRequest, pk: int) -> Goal:
    """The user's goal, or 404: nobody sees or changes another's goals."""
    return get_object_or_404(Goal.objects.of(request.user), pk=pk)


def page_context(request: AuthenticatedRequest, form: GoalForm) -> dict[str, Any]:
    today = timezone.localdate(timezone=request.user.profile.zone)
    goals = sorted(Goal.objects.of(request.user), key=Goal.sort_key)
    return {
        "cards": goal_cards(request.user, goals, today, with_history=True),
        "currency": request.user.profile.currency,
        "form": form,
    }


@login_required
def goal_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        form = GoalForm(owner=request.user)
        return render(request, PAGE, page_context(request, form))
    form = GoalForm(request.POST, owner=request.user)
    if not form.is_valid() or save_unless_taken(form, form.save) is None:
        return render(request, PAGE, page_context(request, form), status=422)
    messages.success(request, _("Goal set. Claim the reward when you reach it!"))
    return redirect("goals")


@login_required
def goal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    goal = get_goal(request, pk)
    form = GoalForm(request.POST or None, instance=goal, owner=request.user)
    if request.method == "POST":
        if form.is_valid() and save_unless_taken(form, form.save) is not None:
            messages.success(request, _("Goal saved."))
            return redirect("goals")
        return render(request, "goals/goal_form.html", {"form": form, "goal": goal}, status=422)
    return render(request, "goals/goal_form.html", {"form": form, "goal": goal})


@login_required
@require_POST
def goal_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    goal = get_goal(request, pk)
    goal.delete()
    messages.success(request, _("Goal removed."))
    return redirect("goals")
