from typing import Any

from django import forms
from django.db.models import Model, QuerySet

from funnel.accounts.models import Team


class OwnedModelForm(forms.ModelForm):
    """A form for a record whose parent (owner_field) comes from the view, never from the POST.

    The parent takes part in validation, so constraints over it (one name per team, one
    economic buyer per opportunity) give a field error instead of a database error.
    """

    owner_field: str

    def __init__(self, *args: Any, owner: Model, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        setattr(self.instance, self.owner_field, owner)
        quiet_blank_choices(self)

    def _get_validation_exclusions(self) -> set[str]:
        exclusions = super()._get_validation_exclusions()  # type: ignore[misc]  # not in stubs
        return exclusions - {self.owner_field}


class TeamModelForm(OwnedModelForm):
    owner_field = "team"

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, owner=team, **kwargs)


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


class PositionedFormSet(forms.BaseModelFormSet):
    """Rows the user puts in order (can_order): each row's place is saved as its `position`."""

    def save(self, commit: bool = True) -> list[Any]:
        moved = []
        for position, form in enumerate(self.ordered_forms):
            if form.instance.position != position:
                form.instance.position = position
                if form.instance.pk and not form.has_changed():
                    moved.append(form.instance)  # the formset saves only changed rows
        assert self.model is not None
        self.model._default_manager.bulk_update(moved, ["position"])
        return super().save(commit)
