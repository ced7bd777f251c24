from datetime import datetime
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.accounts.models import Team
from funnel.lib.bounds import validate_in_range
from funnel.lib.forms import TeamModelForm
from funnel.prospecting import rules
from funnel.prospecting.models import Block, Outcome
from funnel.sales.forms import DateInput, DateTimeInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class BlockForm(TeamModelForm):
    """A recurring block from a simple form: weekdays, a start time, every N weeks, until."""

    prefix = "block"
    weekdays = forms.MultipleChoiceField(
        label=pgettext_lazy("prospecting block: the weekdays it repeats on", "On"),
        choices=[(code, DAY_NAMES[n]) for n, code in enumerate(rules.WEEKDAYS)],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekdays"}),
        label_suffix="",  # a legend, written like the labels of the other fields
    )
    interval = forms.IntegerField(label=_("Every how many weeks"), min_value=1, max_value=8)
    until = forms.DateField(
        label=_("Until"), required=False, widget=DateInput(), validators=[validate_in_range]
    )

    class Meta:
        model = Block
        fields = ["title", "starts_on", "start_time", "minutes"]
        widgets = {"starts_on": DateInput(), "start_time": TimeInput()}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, team=team, **kwargs)
        self.fields["until"].help_text = _("Empty: no end.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, until = data.get("starts_on"), data.get("until")
        if first and until and until < first:
            self.add_error("until", _("The end must not come before the first day."))
        start_time, weekdays, interval = (
            data.get(k) for k in ("start_time", "weekdays", "interval")
        )
        if first and start_time and weekdays and interval and not self.errors:
            self.instance.rule = rules.build_rule(
                weekdays=weekdays,
                interval=interval,
                until=until,
                first=datetime.combine(first, start_time),
            )
        return data


class MarkForm(forms.Form):
    """How an ended occurrence went; moving it asks for the new slot in the same week."""

    outcome = forms.ChoiceField(label=_("How did it go?"), choices=Outcome.choices)
    moved_start = forms.DateTimeField(
        label=_("New start"),
        required=False,
        widget=DateTimeInput(),
        validators=[validate_in_range],
    )
    moved_end = forms.DateTimeField(
        label=_("New end"), required=False, widget=DateTimeInput(), validators=[validate_in_range]
    )

    def __init__(self, *args: Any, occurrence: rules.Occurrence, **kwargs: Any) -> None:
        kwargs["prefix"] = f"mark-{occurrence.key}"
        super().__init__(*args, **kwargs)
        if occurrence.moved:  # its new slot: honoured, partly or missed
            outcome = self.fields["outcome"]
            assert isinstance(outcome, forms.ChoiceField)
            outcome.choices = Outcome.choices[:3]
            del self.fields["moved_start"], self.fields["moved_end"]
