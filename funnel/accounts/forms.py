import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Profile


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and "Etc" not in z)
    return [("UTC", "UTC"), *[(zone, zone.replace("_", " ")) for zone in zones]]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Profile
        fields = ["language", "time_zone", "currency"]
        help_texts = {"currency": _("Used for new opportunities.")}
