"""Minutes as people read them: "45 min", "2 h 05 min" (Reports, the weekly review)."""

from django.utils.translation import gettext as _


def duration(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
