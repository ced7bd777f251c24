"""Editing the ideal customer profile, and rating an organisation against it."""

from typing import Any, cast

from babel import Locale
from django import forms
from django.forms import modelformset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Team
from funnel.fit.models import FitCriterion
from funnel.fit.rules import LIST_ATTRIBUTES
from funnel.lib.forms import ROW_LIMITS, PositionedFormSet, TeamModelForm, limit_choices
from funnel.lib.i18n import country_name, current_locale

WEIGHTS = [
    (1, _("1 · nice to have")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 · essential")),
]
ENGLISH = Locale.parse("en")
RATINGS = [(value, str(value)) for value in range(1, 6)]


class CriterionForm(TeamModelForm):
    """One criterion of one kind; the kind comes from the section of the page it is in."""

    kind: str
    weight = forms.TypedChoiceField(label=_("Weight"), choices=WEIGHTS, coerce=int, initial=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = self.kind


class PsychographicForm(CriterionForm):
    kind = FitCriterion.Kind.PSYCHOGRAPHIC

    class Meta:
        model = FitCriterion
        fields = ["name", "weight"]


class DemographicForm(CriterionForm):
    kind = FitCriterion.Kind.DEMOGRAPHIC

    class Meta:
        model = FitCriterion
        fields = ["name", "weight", "attribute", "accepted", "minimum", "maximum"]
        help_texts = {"accepted": ""}  # the page explains the columns once, above the rows

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].required = True
        self.fields["attribute"].error_messages["required"] = _(
            "Choose what this criterion matches."
        )
        if not self.is_bound:
            self.show_as_typed()

    def show_as_typed(self) -> None:
        """Countries by name rather than code, and 10 rather than 10.00."""
        criterion = self.instance
        if criterion.attribute == FitCriterion.Attribute.COUNTRY:
            names = [country_name(code) for code in criterion.accepted_values]
            self.initial["accepted"] = ", ".join(names)
        for name in ["minimum", "maximum"]:
            value = getattr(criterion, name)
            if value is not None and value == value.to_integral_value():
                self.initial[name] = int(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        attribute = cleaned.get("attribute")
        if attribute in LIST_ATTRIBUTES:
            # A list criterion ignores a range, and the other way round.
            cleaned["minimum"] = cleaned["maximum"] = None
            self.clean_list(attribute, cleaned.get("accepted", ""))
        elif attribute:
            cleaned["accepted"] = ""
            self.clean_range(cleaned.get("minimum"), cleaned.get("maximum"))
        return cleaned

    def clean_list(self, attribute: str, accepted: str) -> None:
        values = [value.strip() for value in accepted.split(",") if value.strip()]
        if not values:
            self.add_error("accepted", _("List the values that match, separated by commas."))
        elif attribute == FitCriterion.Attribute.COUNTRY:
            codes = [country_code(value) for value in values]
            unknown = [value for value, code in zip(values, codes, strict=True) if not code]
            if unknown:
                message = _("Unknown country: %(names)s. Use a name, such as Italy, or a code, IT.")
                self.add_error("accepted", message % {"names": ", ".join(unknown)})
            else:
                # Codes match whatever language the score is computed in.
                known = [code for code in codes if code]
                self.cleaned_data["accepted"] = ", ".join(dict.fromkeys(known))

    def clean_range(self, low: Any, high: Any) -> None:
        if low is None and high is None:
            self.add_error("minimum", _("Give a range: a lowest value, a highest value or both."))
        elif low is not None and high is not None and low > high:
            self.add_error("maximum", _("The range must start below where it ends."))


def country_code(value: str) -> str | None:
    """IT, it, Italy or Italia (in the reader's language or English) -> IT; None if unknown."""
    wanted = value.strip().casefold()
    for locale in [current_locale(), ENGLISH]:
        for code, name in locale.territories.items():
            if len(code) == 2 and wanted in {code.casefold(), name.casefold()}:
                return str(code)
    return None


class CriterionFormSet(PositionedFormSet):
    """The team's criteria of one kind, saved in the order the user gives."""

    form: type[CriterionForm]

    def __init__(self, data: QueryDict | None = None, *, team: Team) -> None:
        self.team = team
        kind = self.form.kind
        criteria = FitCriterion.objects.filter(team=team, kind=kind).order_by("position", "pk")
        super().__init__(data, queryset=criteria, prefix=kind)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"team": self.team}


def criterion_formset(form: type[CriterionForm]) -> type[CriterionFormSet]:
    formset = modelformset_factory(
        FitCriterion,
        form=form,
        formset=CriterionFormSet,
        extra=1,
        can_delete=True,
        can_delete_extra=False,
        can_order=True,
        **ROW_LIMITS,
    )
    return cast(type[CriterionFormSet], formset)


DemographicFormSet = criterion_formset(DemographicForm)
PsychographicFormSet = criterion_formset(PsychographicForm)


class ThresholdForm(forms.ModelForm[Team]):
    class Meta:
        model = Team
        fields = ["poor_fit_below"]
        widgets = {
            "poor_fit_below": forms.NumberInput(
                attrs={"min": 0, "max": 100, "class": "fit-threshold"}
            )
        }


class RatingForm(forms.Form):
    """A 1-5 rating of one psychographic criterion; an empty value clears it."""

    criterion = forms.ModelChoiceField(queryset=FitCriterion.objects.none())
    value = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—"), *RATINGS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = FitCriterion.objects.filter(team=team, kind=FitCriterion.Kind.PSYCHOGRAPHIC)
        limit_choices(self, "criterion", criteria)
