from django.urls import path

from funnel.sales import board, views

urlpatterns = [
    path("funnel/", board.funnel_board, name="funnel_board"),
    path("funnel/<str:level>/more/", board.board_column, name="board_column"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<id:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<id:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<id:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("opportunities/<id:pk>/delete/", views.opportunity_delete, name="opportunity_delete"),
    path("opportunities/<id:pk>/influences/", views.influence_add, name="influence_add"),
    path("opportunities/<id:pk>/influences/form/", views.influence_form, name="influence_form"),
    path("opportunities/<id:pk>/activities/form/", views.activity_form, name="activity_form"),
    path(
        "opportunities/<id:pk>/influences/<id:influence_pk>/",
        views.influence_edit,
        name="influence_edit",
    ),
    path(
        "opportunities/<id:pk>/influences/<id:influence_pk>/delete/",
        views.influence_delete,
        name="influence_delete",
    ),
    path("opportunities/<id:pk>/activities/", views.activity_add, name="activity_add"),
    path(
        "opportunities/<id:pk>/activities/older/",
        views.opportunity_activities,
        name="opportunity_activities",
    ),
]
