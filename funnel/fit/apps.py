from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FitConfig(AppConfig):
    name = "funnel.fit"
    verbose_name = _("Ideal customer")
