import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Profile


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and "Etc" not in z)
    return [("UTC", "UTC"), *[(zone, zone.replace("_", " ")) for zone in zones]]


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name, as people look for it: Italiano, Svenska."""
    own_names = [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]
    return [("", _("Same as my browser")), *own_names]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Funnel follows your browser unless you choose here."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Profile
        fields = ["language", "time_zone", "currency", "sales_cycle_days"]
        help_texts = {"currency": _("Used for new opportunities.")}
