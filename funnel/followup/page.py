"""The follow-up card of an opportunity's page: its plan, what is planned, and its forms.

Its folded forms (plan a follow-up, change the plan, delegate) are drawn when opened (the
views in funnel.front.follow_ups), unless they must show at once: sent back with errors,
asked for in the address (a page without script), nothing planned yet, or a low-potential
opportunity to hand over. A form left out of the context (None) is folded.
"""

from django.forms import BaseForm

from funnel.followup.actions import proposed_follow_up, stop_proposal_for
from funnel.followup.facts import (
    is_low_potential,
    is_missed_now,
    plan_of,
    planned_follow_ups,
    shared,
)
from funnel.followup.forms import AssignForm, DeliveryForm, FollowUpForm
from funnel.lib.forms import menus_read
from funnel.sales.models import Level, Opportunity


def follow_up_context(
    opportunity: Opportunity, *, cycle_days: int | None = None, **forms: BaseForm
) -> dict[str, object]:
    """What the opportunity page's follow-up card shows."""
    planned = planned_follow_ups(opportunity)
    for follow_up in planned:
        follow_up.missed = is_missed_now(follow_up)  # type: ignore[attr-defined]
    delegating = shared(opportunity)
    low_potential = delegating and is_low_potential(opportunity)
    planning = plans_follow_ups(opportunity)
    follow_up_form = forms.get("follow_up_form")
    if follow_up_form is None and planning and not planned:
        follow_up_form = new_follow_up_form(opportunity)  # one is needed now
    assign_form = forms.get("assign_form")
    if assign_form is None and low_potential:  # the card proposes to hand it over
        assign_form = AssignForm(opportunity=opportunity)
    won = opportunity.level == Level.WON
    return {
        "plan": plan_of(opportunity),
        "planned": planned,
        "plans_follow_ups": planning,
        "follow_up_form": menus_read(follow_up_form) if follow_up_form else None,
        "plan_form": forms.get("plan_form"),
        "stop": stop_proposal_for(opportunity, cycle_days=cycle_days),
        "delegating": delegating,
        "low_potential": low_potential,
        "assign_form": menus_read(assign_form) if assign_form and delegating else None,
        "delivery_form": (forms.get("delivery_form") or DeliveryForm(instance=opportunity))
        if won
        else None,
    }


def plans_follow_ups(opportunity: Opportunity) -> bool:
    """Whether the card offers to plan follow-ups and change the plan: open or nurtured."""
    return opportunity.is_open or opportunity.level == Level.NURTURE


def new_follow_up_form(opportunity: Opportunity) -> FollowUpForm:
    """The form to plan a follow-up, proposing the next one as the plan would have it."""
    return FollowUpForm(instance=proposed_follow_up(opportunity), opportunity=opportunity)
