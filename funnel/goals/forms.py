from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funnel.goals.models import COUNTED, TWICE, Goal
from funnel.lib.forms import OwnedModelForm
from funnel.sales.forms import DateInput


class GoalForm(OwnedModelForm):
    owner_field = "owner"

    class Meta:
        model = Goal
        fields = ["metric", "period", "target", "reward", "starts_on"]
        widgets = {"starts_on": DateInput()}
        error_messages = {
            "reward": {
                "required": _("Write the reward you will claim: it is what the goal is for.")
            },
            "target": {"required": _("Set a target: how many, how many hours, or how much.")},
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, owner=owner, **kwargs)
        target = self.fields["target"]
        target.help_text = _(
            "For value won, in %(currency)s, your main currency: deals in other currencies "
            "are shown but not counted."
        ) % {"currency": owner.profile.currency}
        self.fields["starts_on"].show_hidden_initial = False
        if not self.instance.pk:
            self.initial.setdefault("starts_on", timezone.localdate(timezone=owner.profile.zone))

    def _post_clean(self) -> None:
        """A second goal for the same metric and period is said beside the period, the field
        to change, rather than above the form."""
        super()._post_clean()  # type: ignore[misc]  # not in the stubs
        errors = self.errors.get(NON_FIELD_ERRORS)
        twice = [error for error in errors.as_data() if error.code == TWICE] if errors else []
        if errors is not None and twice:
            others = [error for error in errors.as_data() if error.code != TWICE]
            if others:
                self.errors[NON_FIELD_ERRORS] = self.error_class(others, error_class="nonfield")
            else:
                del self.errors[NON_FIELD_ERRORS]
            self.add_error("period", twice)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        target = cleaned.get("target")
        if cleaned.get("metric") in COUNTED and target is not None and target % 1:
            self.add_error("target", _("This goal counts things: use a whole number."))
        return cleaned
