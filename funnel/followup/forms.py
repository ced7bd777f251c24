import uuid
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models.functions import Lower
from django.forms import modelformset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funnel.followup.facts import colleagues, shared
from funnel.followup.models import Anchor, FollowUp, PostSaleStep
from funnel.lib.channels import Channel
from funnel.lib.forms import (
    ROW_LIMITS,
    PositionedFormSet,
    TeamModelForm,
    limit_choices,
    limit_numbers,
    quiet_blank_choices,
)
from funnel.sales.forms import DateInput, DateTimeInput, customer_people
from funnel.sales.models import OPEN_LEVELS, Activity, Level, Opportunity


class ColleagueField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class FollowUpForm(TeamModelForm):
    """A follow-up, scheduled like an appointment; the pest guard may ask to confirm it."""

    prefix = "next"
    # Set by the "Schedule anyway" button once the pest guard's warnings have been read.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = FollowUp
        fields = [
            "due_at",
            "minutes",
            "channel",
            "person",
            "purpose",
            "value_to_bring",
            "assigned_to",
        ]
        widgets = {"due_at": DateTimeInput()}
        field_classes = {"assigned_to": ColleagueField}

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, team=opportunity.team, **kwargs)
        self.instance.opportunity = opportunity
        self.fields["due_at"].required = True
        if "person" in self.fields:
            limit_choices(self, "person", customer_people(opportunity).order_by(Lower("name")))
        if "assigned_to" not in self.fields:
            return
        if shared(opportunity):
            limit_choices(self, "assigned_to", colleagues(opportunity))
            self.fields["assigned_to"].label = _("Who does it")
        else:
            del self.fields["assigned_to"]
            if self.instance.assigned_to_id is None:
                self.instance.assigned_to = opportunity.owner


def confirming(form: FollowUpForm) -> FollowUpForm:
    """The same form, set to go through next time: the pest guard's warnings have been shown."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data[form.add_prefix("confirm")] = "on"
    return type(form)(data, instance=form.instance, opportunity=form.instance.opportunity)


class QuickFollowUpForm(FollowUpForm):
    """When, how and why: the rest comes from the plan (Today's in-place form)."""

    class Meta(FollowUpForm.Meta):
        fields = ["due_at", "channel", "purpose"]


class PlanForm(forms.ModelForm[Opportunity]):
    prefix = "plan"

    class Meta:
        model = Opportunity
        fields = [
            "follow_up_every_days",
            "follow_up_channel",
            "follow_up_agreed",
            "stop_after_attempts",
            "stop_after_days",
        ]
        help_texts = {
            "follow_up_every_days": _("Empty: your default."),
            "follow_up_channel": _("Empty: your default."),
            "stop_after_attempts": _("Empty: your default."),
            "stop_after_days": _("Empty: your default."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quiet_blank_choices(self)


class DeliveryForm(forms.ModelForm[Opportunity]):
    class Meta:
        model = Opportunity
        fields = ["delivery_on"]
        widgets = {"delivery_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery_on"].required = True


class AssignForm(forms.Form):
    owner = ColleagueField(label=_("Owner"), queryset=User.objects.none())

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleagues(opportunity)
        field.initial = opportunity.owner_id


class PostSaleStepForm(forms.ModelForm[PostSaleStep]):
    """One step of the user's after-the-sale sequence; the owner comes from the view."""

    class Meta:
        model = PostSaleStep
        fields = ["purpose", "channel", "anchor", "days_after"]
        error_messages = {
            "purpose": {"required": _("Say what to do, such as “Send a thank-you card”.")},
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.owner = owner
        # A new step starts from the sale; an untouched blank row is still left out.
        anchor = self.fields["anchor"]
        assert isinstance(anchor, forms.ChoiceField)
        anchor.choices = Anchor.choices
        self.initial["anchor"] = self.initial.get("anchor") or Anchor.WON
        limit_numbers(self)


class StepFormSet(PositionedFormSet):
    """The user's own steps, saved in the order they give; anyone else's are ignored."""

    def __init__(self, data: QueryDict | None = None, *, owner: User) -> None:
        self.owner = owner
        steps = PostSaleStep.objects.filter(owner=owner).order_by("position", "pk")
        super().__init__(data, queryset=steps, prefix="steps")

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"owner": self.owner}


PostSaleStepFormSet = cast(
    type[StepFormSet],
    modelformset_factory(
        PostSaleStep,
        form=PostSaleStepForm,
        formset=StepFormSet,
        extra=1,
        can_delete=True,
        can_delete_extra=False,
        can_order=True,
        **ROW_LIMITS,
    ),
)


class ActivityForm(TeamModelForm):
    """What happened; carrying out a planned follow-up, and planning the next in the same step."""

    prefix = "activity"
    follow_up = forms.ModelChoiceField(
        queryset=FollowUp.objects.none(), required=False, widget=forms.HiddenInput
    )
    schedule_next = forms.BooleanField(label=_("Plan the next follow-up"), required=False)
    # Drawn fresh with each form: the same form sent twice (a double click) logs once.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Activity
        fields = ["kind", "occurred", "person", "channel", "outcome", "minutes", "notes"]
        widgets = {"occurred": DateTimeInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self, *args: Any, opportunity: Opportunity, follow_up: FollowUp | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, team=opportunity.team, **kwargs)
        self.instance.opportunity = opportunity
        self.fields["occurred"].initial = timezone.localtime().replace(second=0, microsecond=0)
        limit_choices(self, "person", customer_people(opportunity).order_by(Lower("name")))
        # Any of its follow-ups: one done meanwhile gets log_activity's clear refusal.
        limit_choices(self, "follow_up", opportunity.follow_ups.all())
        self.fields["person"].initial = opportunity.main_contact_id
        self.fields["schedule_next"].initial = opportunity.level in [*OPEN_LEVELS, Level.NURTURE]
        self.fields["submission"].initial = uuid.uuid4()
        if follow_up is not None:
            self.fields["follow_up"].initial = follow_up.pk
            self.fields["person"].initial = follow_up.person_id or opportunity.main_contact_id
            self.fields["channel"].initial = follow_up.channel
            self.fields["kind"].initial = KIND_OF_CHANNEL.get(follow_up.channel, Activity.Kind.NOTE)


# What a follow-up by this channel is logged as.
KIND_OF_CHANNEL: dict[str, str] = {
    Channel.PHONE: Activity.Kind.CALL,
    Channel.EMAIL: Activity.Kind.EMAIL,
    Channel.NEWSLETTER: Activity.Kind.EMAIL,
    Channel.MEETING: Activity.Kind.MEETING,
    Channel.VIDEO: Activity.Kind.VIDEO,
    Channel.LETTER: Activity.Kind.LETTER,
}
