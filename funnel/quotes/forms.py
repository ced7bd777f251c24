from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funnel.lib.forms import TeamModelForm
from funnel.quotes import rules
from funnel.quotes.models import Quote
from funnel.sales.forms import DateInput
from funnel.sales.models import Opportunity


class QuoteForm(TeamModelForm):
    """A quote sent today by default, valid for the user's usual days; or kept as a draft."""

    prefix = "quote"

    class Meta:
        model = Quote
        fields = ["number", "amount", "currency", "sent_on", "valid_until"]
        widgets = {"sent_on": DateInput(), "valid_until": DateInput()}

    def __init__(
        self, *args: Any, opportunity: Opportunity, valid_days: int, sending: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, team=opportunity.team, **kwargs)
        self.instance.opportunity = opportunity
        self.instance.status = Quote.Status.SENT if sending else Quote.Status.DRAFT
        self.valid_days = valid_days
        self.fields["valid_until"].help_text = _("Empty: the sent date plus %(days)s days.") % {
            "days": valid_days
        }

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("An amount can't be negative."))
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sent_on, valid_until = data.get("sent_on"), data.get("valid_until")
        if self.instance.status == Quote.Status.DRAFT:
            data["sent_on"] = None  # not sent yet: the date is set when it goes out
        elif not sent_on and "sent_on" not in self.errors:
            self.add_error("sent_on", _("When was it sent? Or save it as a draft."))
        elif sent_on and not valid_until and "valid_until" not in self.errors:
            data["valid_until"] = rules.default_valid_until(sent_on, self.valid_days)
        elif sent_on and valid_until and valid_until < sent_on:
            self.add_error("valid_until", _("A quote can't expire before it is sent."))
        return data
