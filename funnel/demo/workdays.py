"""Working days and hours of a consultant based in Italy."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
WORK_HOURS = (9, 10, 11, 12, 14, 15, 16, 17)  # lunch is sacred


def is_weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def is_holiday(day: dt.date) -> bool:
    """Ferragosto and Christmas: nobody in Italy answers the phone."""
    return (day.month == 8 and 10 <= day.day <= 20) or (
        (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1)
    )


def weekday_on_or_before(day: dt.date) -> dt.date:
    while not is_weekday(day):
        day -= dt.timedelta(days=1)
    return day


def weekday_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_weekday(day):
        day += dt.timedelta(days=1)
    return day


def working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_weekday(day) or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days strictly between two dates."""
    days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days))
    return [day for day in days if is_weekday(day) and not is_holiday(day)]


def moment(rng: random.Random, day: dt.date) -> dt.datetime:
    """A time during working hours on `day`, in the consultant's time zone."""
    return dt.datetime.combine(
        day, dt.time(rng.choice(WORK_HOURS), rng.randrange(0, 60, 5)), tzinfo=ROME
    )


def shift(day: dt.date, days: float) -> dt.date:
    return day + dt.timedelta(days=round(days))
