from django.urls import path

from funnel.front import views

urlpatterns = [
    path("", views.home, name="home"),
    path("today/", views.today, name="today"),
    path("reports/", views.reports, name="reports"),
]
