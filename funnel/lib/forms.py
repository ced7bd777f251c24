import copy
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _


class OwnedModelForm(forms.ModelForm[Any]):
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
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]  # not in stubs
        return exclusions - {self.owner_field}


class TeamModelForm(OwnedModelForm):
    owner_field = "team"

    def __init__(self, *args: Any, team: Model, **kwargs: Any) -> None:
        super().__init__(*args, owner=team, **kwargs)


ModelT = TypeVar("ModelT", bound=Model)


def own_copy(instance: ModelT) -> ModelT:
    """The instance for a form to edit, apart from the one the page shows.

    A ModelForm copies the typed values onto its instance before the model's validators run, so
    an invalid form leaves them there (an interval of 10^23 days); the rest of the page, drawn
    from the original, must show what is saved.
    """
    return copy.copy(instance)


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only these rows in a model choice field: what this user may pick."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


FormT = TypeVar("FormT", bound=forms.BaseForm)


def menus_read(form: FormT) -> FormT:
    """The form with its menus of records read now, in the view: drawing it runs no query.

    A model choice field reads its rows when the template draws it; this reads each menu
    once (one query each) and keeps the options. What a POST may choose is still checked
    against the field's queryset.
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not field.widget.is_hidden:
            options: Any = field.choices  # the rows, read as they are iterated
            field.choices = list(options)
    return form


def limit_numbers(form: forms.ModelForm[Any]) -> None:
    """Let the browser know a number field's range, from the model field's validators."""
    model = form._meta.model
    for name, field in form.fields.items():
        if not isinstance(field, forms.IntegerField):
            continue
        for validator in model._meta.get_field(name).validators:
            if isinstance(validator, MinValueValidator):
                field.widget.attrs["min"] = validator.limit_value
            elif isinstance(validator, MaxValueValidator):
                field.widget.attrs["max"] = validator.limit_value


BLANK = "—"
# The most rows a list typed into a form can have (emails, steps, criteria): more than anyone
# keeps, and few enough that a forged row count (TOTAL_FORMS=10^23) costs nothing to refuse.
MAX_ROWS = 50


class RowLimits(TypedDict):
    max_num: int
    absolute_max: int
    validate_max: bool


ROW_LIMITS: RowLimits = {"max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}


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


class OrderInput(forms.NumberInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "fit-order", "min": 1, **(attrs or {})})


class PositionedFormSet(forms.BaseModelFormSet[Any, Any]):
    """Rows the user puts in order (can_order): each row's place is saved as its `position`."""

    ordering_widget = OrderInput

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


Saved = TypeVar("Saved")


def save_unless_taken(form: forms.ModelForm[Any], save: Callable[[], Saved]) -> Saved | None:
    """Run `save` (which writes the form's instance); None, with errors on the form, when the
    database refuses it for a constraint the form had checked.

    Two requests at once (a double click, two tabs) can both pass the form's check of a unique
    name before either writes; the second write then fails. Checked again now that the first is
    saved, the constraint becomes the field error the user would have had, not a 500.
    """
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        exclude = form._get_validation_exclusions()  # type: ignore[attr-defined]  # not in stubs
        try:
            form.instance.validate_constraints(exclude=exclude)
            form.instance.validate_unique(exclude=exclude)
        except ValidationError as taken:
            form._update_errors(taken)  # type: ignore[attr-defined]  # not in stubs
        else:
            form.add_error(
                None, _("Someone saved a change here at the same moment: nothing was saved.")
            )
        return None
