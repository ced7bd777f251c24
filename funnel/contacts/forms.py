from functools import partial
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.lib.forms import ROW_LIMITS, TeamModelForm, limit_choices
from funnel.lib.i18n import country_choices, language_choices


class OrganisationForm(TeamModelForm):
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=lambda: [("", "—"), *country_choices()]
    )

    class Meta:
        model = Organisation
        fields = ["name", "sector", "size", "country", "city", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        # "example.com" means https://example.com
        field_classes = {"website": partial(forms.URLField, assume_scheme="https")}


class PersonForm(TeamModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=lambda: [("", "—"), *language_choices()],
        help_text=_("The language they prefer; messages for them will use it."),
    )

    class Meta:
        model = Person
        fields = ["name", "job_title", "organisation", "preferred_channel", "language", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "organisation", Organisation.objects.filter(team=self.instance.team))


EmailFormSet = inlineformset_factory(
    Person, EmailAddress, fields=["kind", "address"], extra=1, can_delete=True, **ROW_LIMITS
)
PhoneFormSet = inlineformset_factory(
    Person, PhoneNumber, fields=["kind", "number"], extra=1, can_delete=True, **ROW_LIMITS
)
