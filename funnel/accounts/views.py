from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _

from funnel.accounts.forms import ProfileForm
from funnel.lib.http import AuthenticatedRequest
from funnel.sales.facts import sales_cycle
from funnel.sales.rules import CYCLE_WINDOW, MIN_WON_DEALS


@login_required
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user.profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        # Confirm in the language just chosen, which the next page will speak.
        translation.activate(profile.language or translation.get_language_from_request(request))
        messages.success(request, _("Your settings are saved."))
        return redirect("settings")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "cycle": sales_cycle(request.user),
            "min_won_deals": MIN_WON_DEALS,
            "cycle_window_months": round(CYCLE_WINDOW.days / 30.44),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("settings")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)
