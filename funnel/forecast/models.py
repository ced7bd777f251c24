from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class StoredOutlook(models.Model):
    """A user's outlook (funnel.forecast.outlook) as last computed, under the version of the
    data it was computed from: pages read it in one query while the version holds, and the
    worker computes it afresh after a change (funnel.forecast.facts)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.CharField(max_length=64)
    computed = models.DateTimeField()
    data = models.JSONField(encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"outlook of user {self.user_id} ({self.computed:%Y-%m-%d %H:%M})"
