"""The calendar feed and single-event downloads (funnel.followup.calendar)."""

from django.urls import path

from funnel.followup import calendar_views

urlpatterns = [
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path(
        "follow-ups/<int:pk>/invite.ics", calendar_views.follow_up_invite, name="follow_up_invite"
    ),
]
