"""The follow-up card of an opportunity's page: its plan, what is planned, and its forms."""

from django.forms import BaseForm

from funnel.followup.actions import proposed_follow_up, stop_proposal_for
from funnel.followup.facts import (
    is_low_potential,
    is_missed_now,
    plan_of,
    planned_follow_ups,
    shared,
)
from funnel.followup.forms import AssignForm, DeliveryForm, FollowUpForm, PlanForm
from funnel.sales.models import Level, Opportunity


def follow_up_context(
    opportunity: Opportunity, *, cycle_days: int | None = None, **forms: BaseForm
) -> dict[str, object]:
    """What the opportunity page's follow-up card shows."""
    planned = planned_follow_ups(opportunity)
    for follow_up in planned:
        follow_up.missed = is_missed_now(follow_up)  # type: ignore[attr-defined]
    delegating = shared(opportunity)
    won = opportunity.level == Level.WON
    return {
        "plan": plan_of(opportunity),
        "planned": planned,
        "follow_up_form": forms.get("follow_up_form")
        or FollowUpForm(instance=proposed_follow_up(opportunity), opportunity=opportunity),
        "plan_form": forms.get("plan_form") or PlanForm(instance=opportunity),
        "stop": stop_proposal_for(opportunity, cycle_days=cycle_days),
        "low_potential": delegating and is_low_potential(opportunity),
        "assign_form": (forms.get("assign_form") or AssignForm(opportunity=opportunity))
        if delegating
        else None,
        "delivery_form": (forms.get("delivery_form") or DeliveryForm(instance=opportunity))
        if won
        else None,
    }
