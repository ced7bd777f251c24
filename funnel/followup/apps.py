from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    name = "funnel.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from funnel.accounts.actions import set_up_new_users_with
        from funnel.followup.actions import after_move, set_up_new_user
        from funnel.sales.actions import follow_every_move_with

        set_up_new_users_with(set_up_new_user)
        follow_every_move_with(after_move)
