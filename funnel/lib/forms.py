from typing import Any

from django import forms
from django.db.models import QuerySet

from funnel.accounts.models import Team


class TeamModelForm(forms.ModelForm):
    """A form for a team-owned record: the team comes from the user, never from the POST.

    The team takes part in validation, so team-wide unique constraints give a field error
    instead of a database error.
    """

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.team = team
        quiet_blank_choices(self)

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() - {"team"}  # type: ignore[misc]  # no stub


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only these rows in a model choice field: what this user may pick."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


BLANK = "—"


def quiet_blank_choices(form: forms.BaseForm) -> None:
    """Show an empty choice as a dash rather than Django's '---------'."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = BLANK
        elif isinstance(field, forms.ChoiceField):
            choices: Any = field.choices  # a list of pairs once the field is built
            field.choices = [
                (value, BLANK if value == "" and label == "---------" else label)
                for value, label in choices
            ]
