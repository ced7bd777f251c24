from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FitConfig(AppConfig):
    name = "funnel.fit"
    verbose_name = _("Ideal customer")

    def ready(self) -> None:
        from funnel.accounts.actions import set_up_new_users_with
        from funnel.fit.actions import set_up_new_user

        set_up_new_users_with(set_up_new_user)
