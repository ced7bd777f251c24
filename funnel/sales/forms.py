from collections.abc import Iterator
from html import escape
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funnel.contacts.models import Organisation, Person
from funnel.lib import bounds
from funnel.lib.forms import OwnedModelForm, TeamModelForm, limit_choices
from funnel.sales.models import (
    NEXT_LEVEL,
    OPEN_LEVELS,
    BuyingInfluence,
    Level,
    Opportunity,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ContactChoices(ModelChoiceIterator[Person]):
    """The main contact's menu: the organisation's people first, in a group of their own, then
    the others; each named with their organisation, which a closed menu shows without its
    group. One query of plain values, whatever the number of people."""

    field: "MainContactField"

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        at, ours, others, ours_at = self.field.organisation_id, [], [], ""
        named = gettext("%(person)s (%(organisation)s)")
        rows = self.queryset.values_list("pk", "name", "organisation_id", "organisation__name")
        for pk, name, organisation_id, there in rows.iterator():
            label = named % {"person": name, "organisation": there} if there else name
            if at is not None and organisation_id == at:
                ours.append((pk, label))
                ours_at = there
            else:
                others.append((pk, label))
        if not ours:
            yield from others
            return
        yield (gettext("People at %(organisation)s") % {"organisation": ours_at}, ours)
        if others:
            yield (gettext("Other people"), others)


class LongSelect(forms.Select):
    """A menu of thousands of options (a team's people) written in Python: through Django's
    templates, 5,000 options take a second. The HTML is the same."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        html = [f'<select name="{escape(name)}"{attributes(final)}>']
        for value_or_group, label in self.choices:
            if isinstance(label, list | tuple):
                html.append(f'<optgroup label="{escape(str(value_or_group))}">')
                html.extend(option(pk, text, chosen) for pk, text in label)
                html.append("</optgroup>")
            else:
                html.append(option(value_or_group, label, chosen))
        html.append("</select>")
        return mark_safe("".join(html))  # every value and label is escaped


def attributes(attrs: dict[str, Any]) -> str:
    """As Django's widgets write them: in order, True alone, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def option(value: Any, label: Any, chosen: set[str]) -> str:
    value = "" if value is None else str(value)
    selected = " selected" if value in chosen else ""
    return f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>'


class MainContactField(forms.ModelChoiceField[Person]):
    iterator = ContactChoices
    widget = LongSelect
    organisation_id: int | None = None  # whose people come first


def chosen_id(value: object) -> int | None:
    """The id a form value names, if it can be one ("²" and 30 digits can't)."""
    text = str(value) if value is not None else ""
    return int(text) if bounds.ID_PATTERN.fullmatch(text) else None


class OpportunityForm(TeamModelForm):
    """All of an opportunity but its level, which moves only through move_opportunity.

    The main contact works at the organisation; without an organisation, the contact's own
    is the customer (or they are a private customer, who has none).
    """

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
            "notes",
        ]
        widgets = {
            "organisation": LongSelect,
            "first_contact_on": DateInput(),
            "expected_close_on": DateInput(),
        }
        field_classes = {"main_contact": MainContactField}
        help_texts = {"main_contact": _("Someone at the organisation: its people come first.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.instance.team
        limit_choices(self, "organisation", Organisation.objects.filter(team=team).only("name"))
        # Only what the menu shows: a team's people may number thousands, with long notes.
        people = Person.objects.filter(team=team).select_related("organisation")
        limit_choices(self, "main_contact", people.only("name", "organisation__name"))
        contact = self.fields["main_contact"]
        assert isinstance(contact, MainContactField)
        contact.organisation_id = chosen_id(self["organisation"].value())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        first, close = cleaned.get("first_contact_on"), cleaned.get("expected_close_on")
        if first and close and close < first:
            self.add_error(
                "expected_close_on", _("The expected close cannot be before the first contact.")
            )
        contact, organisation = cleaned.get("main_contact"), cleaned.get("organisation")
        refused = {"organisation", "main_contact"} & self.errors.keys()
        if not contact and not organisation and not refused:
            self.add_error("organisation", _("Choose an organisation or a main contact."))
        elif contact and organisation and contact.organisation_id != organisation.pk:
            self.add_error("main_contact", works_elsewhere(contact, organisation.name))
        elif contact and not organisation and contact.organisation_id:
            cleaned["organisation"] = contact.organisation  # selling to them is selling there
        return cleaned

    def contact_warning(self) -> str:
        """Before saving, why the contact chosen can't be the organisation's: the organisation
        just changed in the form, or the opportunity was saved before the rule."""
        contact = self.fields["main_contact"]
        assert isinstance(contact, MainContactField)
        person_id = chosen_id(self["main_contact"].value())
        organisation_id = contact.organisation_id
        if person_id is None or organisation_id is None:
            return ""
        team = self.instance.team
        people = Person.objects.filter(team=team).select_related("organisation")
        person = people.filter(pk=person_id).first()
        if person is None or person.organisation_id == organisation_id:
            return ""
        organisation = Organisation.objects.filter(team=team, pk=organisation_id).first()
        return works_elsewhere(person, organisation.name) if organisation else ""


def works_elsewhere(contact: Person, organisation: str) -> str:
    """Why someone can't be an organisation's main contact, naming both organisations."""
    names = {"person": contact.name, "organisation": organisation}
    if contact.organisation_id:
        message = gettext(
            "%(person)s works at %(theirs)s, not at %(organisation)s. Choose someone at "
            "%(organisation)s, or change the organisation to %(theirs)s."
        )
        return message % {**names, "theirs": str(contact.organisation)}
    message = gettext(
        "%(person)s has no organisation on their page, so cannot be the main contact for "
        "%(organisation)s. Choose someone at %(organisation)s, or add %(person)s to it first."
    )
    return message % names


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
    """A move to another level: one reason box, which is the closing reason for lost or dead,
    and the override reason once the method's prerequisites have been shown (`confirming`)."""

    to_level = forms.ChoiceField(label=_("Move to"), choices=Level.choices)
    # The level the page showed: a move from a stale page or a second click is refused.
    from_level = forms.ChoiceField(choices=Level.choices, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when closing as lost or dead."),
    )
    override_reason = forms.CharField(
        label=_("Move anyway, because…"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your reason is kept in the history."),
    )
    confirming = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_level = self.fields["to_level"]
        assert isinstance(to_level, forms.ChoiceField)
        # Every level is accepted, so a move to where the opportunity already is, from a stale
        # page, gets move_opportunity's message; the menu offers only the others.
        to_level.widget.choices = [c for c in Level.choices if c[0] != opportunity.level]
        # Offer the next step down the funnel; moving back or closing is a deliberate choice.
        to_level.initial = NEXT_LEVEL.get(Level(opportunity.level))
        self.fields["from_level"].initial = opportunity.level


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

    @property
    def offers_nobody(self) -> bool:
        """No one to choose: the customer has no people yet (the menu holds its blank line)."""
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        options: Any = field.choices  # the rows, or the menus_read list of them
        return not any(value for value, _label in options)


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
