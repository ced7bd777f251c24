"""The ways of getting in touch: a person's preferred one, a follow-up's, an activity's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    MEETING = "meeting", _("Meeting in person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    VIDEO = "video", _("Video call")
    LETTER = "letter", _("Letter")
    MESSAGE = "message", _("Text message")
    # The low-pressure touches of nurture (docs/method.md §2.5).
    NEWSLETTER = "newsletter", _("Newsletter")
    SOCIAL = "social", _("Social media")
