"""Date and time fields whose values pages can always compute with.

Forms keep new dates in the sane range (funnel.lib.bounds). A value stored before the ranges
existed, or written around them (an import, the admin, SQL), may sit at the edge of the
calendar: 9999-12-31 23:30 UTC has no local time in Rome, and a week after it does not exist.
Read back, such a value is moved to years 1000 to 9000 (far from any real date, and far from
the edges), so the page that shows it answers and the user can correct it. Nothing is
rewritten until the row is saved.
"""

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.db import models

FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(9000, 12, 31)
FIRST_MOMENT = datetime(1000, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(9000, 12, 31, tzinfo=UTC)


# What the field accepts and what it gives back, filled in per field by django-stubs (null=True
# or not), as for Django's own fields.
Set = TypeVar("Set", contravariant=True)
Get = TypeVar("Get", covariant=True)


class DateField(models.DateField[Set, Get]):
    def from_db_value(self, value: date | None, *args: Any) -> date | None:
        if value is None:
            return None
        return min(max(value, FIRST_DAY), LAST_DAY)


class DateTimeField(models.DateTimeField[Set, Get]):
    def from_db_value(self, value: datetime | None, *args: Any) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return min(max(value, FIRST_MOMENT), LAST_MOMENT)
