import functools
from datetime import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.translation import get_language_info, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from funnel.accounts.models import Profile, known_time_zones
from funnel.lib.forms import limit_numbers

Text = str | Promise


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in known_time_zones() if "/" in z and "Etc" not in z)
    return [("UTC", "UTC"), *[(zone, zone.replace("_", " ")) for zone in zones]]


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name, as people look for it: Italiano, Svenska."""
    own_names = [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]
    return [("", _("Same as my browser")), *own_names]


class ProfileForm(forms.ModelForm[Profile]):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_numbers(self)


QUARTER_HOURS = [time(hour, minute) for hour in range(24) for minute in (0, 15, 30, 45)]


def quarter_hour_choices() -> list[tuple[str, str]]:
    """Every quarter hour of the day, as the user's language writes times: 9 a.m., 09:15."""
    return [(str(moment), formats.time_format(moment)) for moment in QUARTER_HOURS]


class WeekdaysField(forms.MultipleChoiceField):
    """Days of the week as checkboxes, stored as ISO weekday digits: "12345" is Monday to
    Friday."""

    widget = forms.CheckboxSelectMultiple(attrs={"class": "weekdays"})

    def __init__(self, **kwargs: Any) -> None:
        days = [(str(number + 1), WEEKDAYS[number]) for number in range(7)]
        super().__init__(choices=days, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return list(value) if isinstance(value, str) else value

    def clean(self, value: Any) -> str:
        return "".join(sorted(super().clean(value)))


class FollowUpDefaultsForm(forms.ModelForm[Profile]):
    """The follow-up defaults every opportunity starts from (docs/method.md §2), in groups."""

    prefix = "follow_up"
    working_days = WeekdaysField(
        label=_("Working days"),
        label_suffix="",  # a legend, written like the labels of the other fields
        required=False,  # said in words by clean_working_days, rather than a star on each day
    )
    # (legend, introduction, rows of fields) of each group on the page: a tuple is one row
    groups: list[tuple[Text, Text, list[str | tuple[str, ...]]]] = [
        (
            _("Your working hours"),
            _(
                "Funnel proposes each new follow-up at the first quarter hour inside them: a call "
                "you log in the evening is followed up on a working morning."
            ),
            [("working_day_starts", "working_day_ends"), "working_days"],
        ),
        (
            _("How often you follow up"),
            _(
                "Funnel plans the next follow-up of an opportunity with these, until you agree "
                "another rhythm with the customer."
            ),
            ["follow_up_every_days", "follow_up_channel"],
        ),
        (
            _("When to stop trying"),
            _(
                "Silence is not a no, but it cannot last for ever. When a limit is reached, Funnel "
                "proposes on Today to stop: a qualified opportunity goes to nurture, any other is "
                "closed as dead. Each opportunity can have its own limits."
            ),
            ["stop_after_attempts", "stop_after_days", "stop_automatically"],
        ),
        (
            pgettext_lazy("settings: keeping in touch with those not ready to buy", "Nurture"),
            "",
            ["nurture_every_days"],
        ),
        (_("Requests"), "", ["respond_within_hours"]),
        (_("Not too often"), "", ["contacts_per_week"]),
        (_("Calendar reminder"), "", ["reminder_minutes"]),
    ]

    class Meta:
        model = Profile
        fields = [
            "working_day_starts",
            "working_day_ends",
            "working_days",
            "follow_up_every_days",
            "follow_up_channel",
            "stop_after_attempts",
            "stop_after_days",
            "stop_automatically",
            "nurture_every_days",
            "respond_within_hours",
            "contacts_per_week",
            "reminder_minutes",
        ]
        labels = {
            "working_day_starts": _("Your day starts at"),
            "working_day_ends": _("and ends at"),
            "follow_up_every_days": _("Follow up every (days)"),
            "follow_up_channel": _("Usually by"),
            "stop_after_attempts": _("Attempts in a row without an answer"),
            "stop_after_days": _("Days without progress"),
            "stop_automatically": _("Stop automatically"),
            "nurture_every_days": _("Keep in touch every (days)"),
            "respond_within_hours": _("Answer requests within (hours)"),
            "contacts_per_week": _("Contacts with one person in 7 days, at most"),
            "reminder_minutes": _("Remind me before each follow-up (minutes)"),
        }
        help_texts = {
            "follow_up_every_days": _("Each opportunity can have its own."),
            "follow_up_channel": _("Each follow-up can use another way."),
            "stop_after_attempts": _(
                "Calls, emails and messages that got no answer, one after another."
            ),
            "stop_automatically": _(
                "Stop as soon as a limit is reached instead of asking you on Today. You can "
                "always reopen the opportunity."
            ),
            "nurture_every_days": _(
                "Customers you keep in touch with get a low-pressure touch this often: news, an "
                "article, an invitation. 90 days is once a quarter."
            ),
            "respond_within_hours": _(
                "When a customer asks for something, Funnel gives your answer this deadline."
            ),
            "contacts_per_week": _(
                "Funnel warns you before you plan more contacts than this with one person."
            ),
            "reminder_minutes": _(
                "Your calendar app alerts you this long before each follow-up. 0 for no reminder."
            ),
        }

    def __init__(self, *args: Any, cycle_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("working_day_starts", "working_day_ends"):
            self.fields[name].widget = forms.Select(choices=quarter_hour_choices())
        self.fields["working_day_ends"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": self.instance.time_zone.replace("_", " ")
        }
        self.fields["stop_after_days"].help_text = ngettext(
            "Days since the last sign of progress: a new level, a reply, a meeting booked. "
            "Leave empty for twice your normal sales cycle: %(days)d day now.",
            "Days since the last sign of progress: a new level, a reply, a meeting booked. "
            "Leave empty for twice your normal sales cycle: %(days)d days now.",
            2 * cycle_days,
        ) % {"days": 2 * cycle_days}
        limit_numbers(self)

    def clean_working_day_starts(self) -> time:
        return on_a_quarter_hour(self.cleaned_data["working_day_starts"])

    def clean_working_day_ends(self) -> time:
        """Checked here rather than by the model's constraint, to say it beside the field."""
        ends = on_a_quarter_hour(self.cleaned_data["working_day_ends"])
        starts = self.cleaned_data.get("working_day_starts")
        if starts is not None and ends <= starts:
            raise forms.ValidationError(
                _("Your day starts at %(starts)s: choose an end after that."),
                code="ends_before_it_starts",
                params={"starts": formats.time_format(starts)},
            )
        return ends

    def clean_working_days(self) -> str:
        days: str = self.cleaned_data["working_days"]
        if not days:
            raise forms.ValidationError(
                _("Choose at least one day: follow-ups are planned on your working days."),
                code="no_working_days",
            )
        return days

    def fieldsets(self) -> list[tuple[Text, Text, list[list[forms.BoundField]]]]:
        """Each group's legend, introduction and rows of fields."""
        return [
            (legend, intro, [[self[name] for name in as_row(row)] for row in rows])
            for legend, intro, rows in self.groups
        ]


def as_row(row: str | tuple[str, ...]) -> tuple[str, ...]:
    return (row,) if isinstance(row, str) else row


def on_a_quarter_hour(moment: time) -> time:
    if moment.minute % 15 or moment.second or moment.microsecond:
        raise forms.ValidationError(
            _("Choose a time on the quarter hour, such as 9:00 or 9:15."), code="not_on_the_quarter"
        )
    return moment


TIME_SHARES = ["time_above_percent", "time_in_percent", "time_best_few_percent"]


# What an amount too large or too precise for a profile's column (14 digits) is told.
TOO_MANY_DIGITS = _("Too many digits: at most 12 before the decimal point and 2 after.")
# A validator's message is formatted with its limits, hence the %%.
TOLERANCE_RANGE = _("Choose a tolerance from 0 to 90 %%.")


class ProspectingForm(forms.ModelForm[Profile]):
    """Shares of selling time per funnel level (docs/method.md §1), how long quotes are valid,
    and the monthly income target the forecast's dry-spell alert measures against."""

    prefix = "prospecting"

    class Meta:
        model = Profile
        fields = [*TIME_SHARES, "quote_valid_days", "income_target", "income_tolerance"]
        labels = {
            "time_above_percent": _("Above the funnel (%)"),
            "time_in_percent": _("In the funnel (%)"),
            "time_best_few_percent": _("Best few (%)"),
            "quote_valid_days": _("Quotes are valid for (days)"),
            "income_tolerance": _("Tolerance (%)"),
        }
        help_texts = {
            "time_above_percent": _(
                "Prospecting and qualifying: the work that keeps the funnel full."
            ),
        }
        error_messages = {
            "income_target": {
                "invalid": _("Enter an amount, such as 8000."),
                "min_value": _("A target cannot be below 0."),
                "max_digits": TOO_MANY_DIGITS,
                "max_whole_digits": TOO_MANY_DIGITS,
                "max_decimal_places": TOO_MANY_DIGITS,
            },
            "income_tolerance": {
                "min_value": TOLERANCE_RANGE,
                "max_value": TOLERANCE_RANGE,
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The currency beside the amount, as the other labels give their unit: (%), (days).
        self.fields["income_target"].label = _("Monthly income target (%(currency)s)") % {
            "currency": self.instance.currency
        }
        limit_numbers(self)

    def clean_time_best_few_percent(self) -> int:
        """The last share checks the three add up, saying by how much they don't; an error
        on a share also spares the user the model's own, vaguer, message about them."""
        best_few: int = self.cleaned_data["time_best_few_percent"]
        others = [self.cleaned_data.get(name) for name in TIME_SHARES[:2]]
        total = best_few + sum(share or 0 for share in others)
        if None not in others and total != 100:
            raise forms.ValidationError(
                _("The three shares add up to %(total)d %%; they must add up to 100 %%."),
                code="shares_not_100",
                params={"total": total},
            )
        return best_few

    def shares(self) -> list[forms.BoundField]:
        return [self[name] for name in TIME_SHARES]


def hour_choices() -> list[tuple[int, str]]:
    """The 24 hours of the day, as the user's language writes times: 7 a.m., 19:00."""
    return [(hour, formats.time_format(time(hour))) for hour in range(24)]


class EmailSettingsForm(forms.ModelForm[Profile]):
    """Which emails Funnel sends the user, and where: the address is the user's own."""

    prefix = "emails"
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        required=False,
        help_text=_("Funnel's emails go here. Leave empty and Funnel sends you none."),
    )
    email_hour = forms.TypedChoiceField(label=_("Send at"), coerce=int, choices=hour_choices)

    class Meta:
        model = Profile
        fields = [
            "email_digest",
            "email_hour",
            "email_when_empty",
            "email_weekly",
            "email_nudges",
            "email_reminder_minutes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.user.email
        self.fields["email_hour"].help_text = self.instance._meta.get_field("email_hour").help_text
        limit_numbers(self)

    def zone_name(self) -> str:
        return self.instance.time_zone.replace("_", " ")

    def clean_email(self) -> str:
        address: str = self.cleaned_data["email"]
        return User.objects.normalize_email(address)

    @transaction.atomic
    def save(self, commit: bool = True) -> Profile:
        profile = super().save(commit=commit)
        user = profile.user
        user.email = self.cleaned_data["email"]
        if commit:
            user.save(update_fields=["email"])
        return profile
