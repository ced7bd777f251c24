from django.urls import path

from funnel.fit import views

urlpatterns = [
    path("settings/ideal-customer/", views.ideal_customer, name="ideal_customer"),
    path("organisations/<id:pk>/ratings/", views.organisation_rate, name="organisation_rate"),
]
