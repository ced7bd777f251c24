from typing import Any

from django import forms
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funnel.followup.facts import colleagues, shared
from funnel.followup.models import FollowUp
from funnel.lib.forms import TeamModelForm, limit_choices, quiet_blank_choices
from funnel.sales.forms import DateInput, DateTimeInput, customer_people
from funnel.sales.models import Opportunity


class ColleagueField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
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


class PlanForm(forms.ModelForm):
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


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["delivery_on"]
        widgets = {"delivery_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery_on"].required = True


class AssignForm(forms.Form):
    owner = ColleagueField(label=_("Owner"), queryset=Opportunity.objects.none())

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleagues(opportunity)
        field.initial = opportunity.owner_id
