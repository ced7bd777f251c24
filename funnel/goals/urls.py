from django.urls import path

from funnel.goals import views

urlpatterns = [
    path("goals/", views.goal_list, name="goals"),
    path("goals/<id:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<id:pk>/delete/", views.goal_delete, name="goal_delete"),
]
