from django.urls import path

from funnel.sales import board, views

urlpatterns = [
    path("funnel/", board.funnel_board, name="funnel_board"),
    path("funnel/<str:level>/more/", board.board_column, name="board_column"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete, name="opportunity_delete"),
    path("opportunities/<int:pk>/influences/", views.influence_add, name="influence_add"),
    path("opportunities/<int:pk>/influences/form/", views.influence_form, name="influence_form"),
    path("opportunities/<int:pk>/activities/form/", views.activity_form, name="activity_form"),
    path(
        "opportunities/<int:pk>/influences/<int:influence_pk>/",
        views.influence_edit,
        name="influence_edit",
    ),
    path(
        "opportunities/<int:pk>/influences/<int:influence_pk>/delete/",
        views.influence_delete,
        name="influence_delete",
    ),
    path("opportunities/<int:pk>/activities/", views.activity_add, name="activity_add"),
    path(
        "opportunities/<int:pk>/activities/older/",
        views.opportunity_activities,
        name="opportunity_activities",
    ),
]
