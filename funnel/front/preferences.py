from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from funnel.accounts.forms import (
    EmailSettingsForm,
    FollowUpDefaultsForm,
    ProfileForm,
    ProspectingForm,
)
from funnel.accounts.models import Profile, new_calendar_token
from funnel.assistant.planning import forget_planned
from funnel.followup.actions import (
    DEFAULT_POST_SALE_STEPS,
    restore_default_post_sale_steps,
    save_post_sale_steps,
    save_stop_defaults,
)
from funnel.followup.forms import PostSaleStepFormSet
from funnel.followup.models import PostSaleStep
from funnel.lib.forms import own_copy
from funnel.lib.http import AuthenticatedRequest
from funnel.sales.facts import sales_cycle
from funnel.sales.rules import CYCLE_WINDOW, MIN_WON_DEALS

# The settings page holds four forms; a hidden "form" field says which one was sent.
EMAILS = "emails"
FOLLOW_UP = "follow-up"
PREFERENCES = "preferences"
PROSPECTING = "prospecting"


@login_required
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    profile = request.user.profile
    cycle = sales_cycle(request.user)
    sent = request.POST.get("form", PREFERENCES) if request.method == "POST" else None
    # Each form edits a copy: one sent with errors leaves the others showing what is saved.
    form = ProfileForm(request.POST if sent == PREFERENCES else None, instance=own_copy(profile))
    follow_up_form = FollowUpDefaultsForm(
        request.POST if sent == FOLLOW_UP else None,
        instance=own_copy(profile),
        cycle_days=cycle.days,
    )
    prospecting_form = ProspectingForm(
        request.POST if sent == PROSPECTING else None, instance=own_copy(profile)
    )
    emails_form = EmailSettingsForm(
        request.POST if sent == EMAILS else None, instance=own_copy(profile)
    )
    if sent == PREFERENCES and form.is_valid():
        return save_preferences(request, form)
    if sent == FOLLOW_UP and follow_up_form.is_valid():
        fields = list(FollowUpDefaultsForm.Meta.fields)
        closed = save_stop_defaults(profile=follow_up_form.save(commit=False), fields=fields)
        messages.success(request, _("Your follow-up defaults are saved."))
        if closed:
            messages.info(request, stopped_message(closed))
        return redirect(reverse("settings") + "#follow-up")
    if sent == PROSPECTING and prospecting_form.is_valid():
        prospecting_form.save()
        messages.success(
            request, _("Your time targets, quote validity and income target are saved.")
        )
        return redirect(reverse("settings") + "#prospecting")
    if sent == EMAILS and emails_form.is_valid():
        return save_emails(request, emails_form)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "follow_up_form": follow_up_form,
            "prospecting_form": prospecting_form,
            "emails_form": emails_form,
            "cycle": cycle,
            "min_won_deals": MIN_WON_DEALS,
            "cycle_window_months": round(CYCLE_WINDOW.days / 30.44),
            "post_sale_steps": PostSaleStep.objects.filter(owner=request.user),
            "calendar_url": calendar_url(request, profile),
        },
        status=422 if sent else 200,  # a form sent and not saved: its errors are shown
    )


def save_preferences(request: AuthenticatedRequest, form: ProfileForm) -> HttpResponse:
    with transaction.atomic():
        profile = form.save()
        # The emails planned so far are due at an hour of the old time zone.
        forget_planned(request.user)
    # Confirm in the language just chosen, which the next page will speak.
    translation.activate(profile.language or translation.get_language_from_request(request))
    messages.success(request, _("Your settings are saved."))
    return redirect("settings")


def save_emails(request: AuthenticatedRequest, form: EmailSettingsForm) -> HttpResponse:
    # The emails already planned followed the old settings: the planner plans them again.
    with transaction.atomic():
        form.save()
        forget_planned(request.user)
    messages.success(request, _("Your email settings are saved."))
    return redirect(reverse("settings") + "#emails")


def calendar_url(request: AuthenticatedRequest, profile: Profile) -> str:
    """The private address calendar apps subscribe to: whoever has it can read the feed."""
    return request.build_absolute_uri(reverse("calendar_feed", args=[profile.calendar_token]))


@login_required
@require_POST
def calendar_token_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    profile = request.user.profile
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    messages.success(
        request,
        _(
            "Your calendar has a new address. The old one no longer works: subscribe to the new "
            "one in your calendar app, and remove the old subscription."
        ),
    )
    return redirect(reverse("settings") + "#calendar")


@login_required
def post_sale_steps(request: AuthenticatedRequest) -> HttpResponse:
    formset = PostSaleStepFormSet(request.POST or None, owner=request.user)
    if request.method == "POST" and formset.is_valid():
        save_post_sale_steps(steps=formset)
        messages.success(request, _("Your steps after the sale are saved."))
        return redirect("post_sale_steps")
    return render(
        request,
        "accounts/post_sale_steps.html",
        {
            "formset": formset,
            "has_errors": request.method == "POST",
            "default_steps": default_steps(),
        },
        status=422 if request.method == "POST" else 200,
    )


def default_steps() -> list[PostSaleStep]:
    """The default sequence as unsaved steps, to show what restoring it brings back."""
    return [
        PostSaleStep(purpose=_(purpose), channel=channel, anchor=anchor, days_after=days)
        for purpose, channel, anchor, days in DEFAULT_POST_SALE_STEPS
    ]


@login_required
@require_POST
def post_sale_steps_restore(request: AuthenticatedRequest) -> HttpResponse:
    """Replace the user's steps with the default sequence, in the language they use now."""
    restore_default_post_sale_steps(owner=request.user)
    messages.success(request, _("The default steps after the sale are back."))
    return redirect("post_sale_steps")


def stopped_message(closed: int) -> str:
    return ngettext(
        "A stop rule closed %(count)d opportunity, as your settings ask. Its page says why; "
        "moving it back reopens it.",
        "Stop rules closed %(count)d opportunities, as your settings ask. Their pages say why; "
        "moving one back reopens it.",
        closed,
    ) % {"count": closed}
