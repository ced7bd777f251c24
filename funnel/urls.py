from django.contrib import admin
from django.urls import include, path

from funnel.lib import converters

converters.register()  # before the apps' patterns, which use them

urlpatterns = [
    path("", include("funnel.today.urls")),
    path("", include("funnel.front.urls")),
    path("", include("funnel.accounts.urls")),
    path("", include("funnel.fit.urls")),
    path("", include("funnel.followup.calendar_urls")),
    path("", include("funnel.quotes.urls")),
    path("", include("funnel.goals.urls")),
    path("", include("funnel.prospecting.urls")),
    path("", include("funnel.transfer.urls")),
    path("", include("funnel.assistant.urls")),
    path("admin/", admin.site.urls),
]
