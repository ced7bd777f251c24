from django.urls import path

from funnel.assistant import views

urlpatterns = [
    path("settings/emails/sent/", views.sent_emails, name="sent_emails"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
