from django.urls import path

from funnel.followup import views

urlpatterns = [
    path("nurture/", views.nurture_list, name="nurture_list"),
    path("opportunities/<int:pk>/next-step/", views.follow_up_new, name="opportunity_next_step"),
    path(
        "opportunities/<int:pk>/follow-ups/<int:follow_up_pk>/",
        views.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "opportunities/<int:pk>/follow-ups/<int:follow_up_pk>/cancel/",
        views.follow_up_cancel,
        name="follow_up_cancel",
    ),
    path("opportunities/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("opportunities/<int:pk>/stop/", views.stop_rule_apply, name="stop_rule_apply"),
    path(
        "opportunities/<int:pk>/delivery/", views.opportunity_delivery, name="opportunity_delivery"
    ),
    path("opportunities/<int:pk>/assign/", views.opportunity_assign, name="opportunity_assign"),
]
