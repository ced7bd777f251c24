"""The calendar feed and single-event downloads (funnel.followup.calendar)."""

from django.urls import path

from funnel.followup import calendar_views

urlpatterns = [
    path("calendar/<token:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("follow-ups/<id:pk>/invite.ics", calendar_views.follow_up_invite, name="follow_up_invite"),
]
