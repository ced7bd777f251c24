from django.urls import path

from funnel.followup import views

urlpatterns = [
    path("nurture/", views.nurture_list, name="nurture_list"),
    path("opportunities/<id:pk>/next-step/", views.follow_up_new, name="opportunity_next_step"),
    path(
        "opportunities/<id:pk>/follow-ups/<id:follow_up_pk>/",
        views.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "opportunities/<id:pk>/follow-ups/<id:follow_up_pk>/cancel/",
        views.follow_up_cancel,
        name="follow_up_cancel",
    ),
    path("opportunities/<id:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("opportunities/<id:pk>/stop/", views.stop_rule_apply, name="stop_rule_apply"),
    path(
        "opportunities/<id:pk>/delivery/", views.opportunity_delivery, name="opportunity_delivery"
    ),
    path("opportunities/<id:pk>/assign/", views.opportunity_assign, name="opportunity_assign"),
]
