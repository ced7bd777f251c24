from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funnel.contacts.models import Organisation, Person
from funnel.followup.models import FollowUp
from funnel.lib.channels import Channel
from funnel.lib.forms import OwnedModelForm, TeamModelForm, limit_choices
from funnel.sales.models import (
    NEXT_LEVEL,
    OPEN_LEVELS,
    Activity,
    BuyingInfluence,
    Level,
    Opportunity,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OpportunityForm(TeamModelForm):
    """All of an opportunity but its level, which moves only through move_opportunity."""

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "organisation",
            "main_contact",
            "value",
            "currency",
            "first_contact_on",
            "expected_close_on",
            "source",
        ]
        widgets = {"first_contact_on": DateInput(), "expected_close_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.instance.team
        limit_choices(self, "organisation", Organisation.objects.filter(team=team))
        people = Person.objects.filter(team=team).select_related("organisation")
        limit_choices(self, "main_contact", people)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        first, close = cleaned.get("first_contact_on"), cleaned.get("expected_close_on")
        if first and close and close < first:
            self.add_error(
                "expected_close_on", _("The expected close cannot be before the first contact.")
            )
        contact, organisation = cleaned.get("main_contact"), cleaned.get("organisation")
        if not contact and not organisation:
            self.add_error("organisation", _("Choose an organisation or a main contact."))
        return cleaned


class NewOpportunityForm(OpportunityForm):
    level = forms.ChoiceField(
        label=_("Funnel level"),
        choices=[(level.value, level.label) for level in OPEN_LEVELS],
        initial=Level.ABOVE,
        help_text=_("Most new opportunities start above the funnel."),
    )

    class Meta(OpportunityForm.Meta):
        fields = [*OpportunityForm.Meta.fields[:5], "level", *OpportunityForm.Meta.fields[5:]]


class MoveForm(forms.Form):
    to_level = forms.ChoiceField(label=_("Move to"), choices=Level.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when closing as lost or dead."),
    )
    override_reason = forms.CharField(
        label=_("Move anyway, because…"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when something is still missing. Your reason is kept in the history."),
    )

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_level = self.fields["to_level"]
        assert isinstance(to_level, forms.ChoiceField)
        to_level.choices = [choice for choice in Level.choices if choice[0] != opportunity.level]
        # Offer the next step down the funnel; moving back or closing is a deliberate choice.
        to_level.initial = NEXT_LEVEL.get(Level(opportunity.level))


class InfluenceForm(OwnedModelForm):
    prefix = "influence"  # shares the opportunity page with the activity form
    owner_field = "opportunity"

    class Meta:
        model = BuyingInfluence
        fields = ["person", "role", "status", "fit_confirmed", "notes"]
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, owner=opportunity, **kwargs)
        limit_choices(self, "person", customer_people(opportunity).order_by(Lower("name")))


def customer_people(opportunity: Opportunity) -> QuerySet[Person]:
    """The customer's people: its organisation's, its main contact, and who already has a role.

    Not the whole address book: a team with 10,000 people would get a 10,000-line menu.
    """
    involved = Q(pk=opportunity.main_contact_id) | Q(
        pk__in=BuyingInfluence.objects.filter(opportunity=opportunity).values("person")
    )
    if opportunity.organisation_id:
        involved |= Q(organisation_id=opportunity.organisation_id)
    return Person.objects.filter(involved, team=opportunity.team_id).select_related("organisation")


class ActivityForm(TeamModelForm):
    """What happened; carrying out a planned follow-up, and planning the next in the same step."""

    prefix = "activity"
    follow_up = forms.ModelChoiceField(
        queryset=FollowUp.objects.none(), required=False, widget=forms.HiddenInput
    )
    schedule_next = forms.BooleanField(label=_("Plan the next follow-up"), required=False)

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
        limit_choices(self, "follow_up", opportunity.follow_ups.planned())
        self.fields["person"].initial = opportunity.main_contact_id
        self.fields["schedule_next"].initial = opportunity.level in [*OPEN_LEVELS, Level.NURTURE]
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
