from django.urls import path

from funnel.today import board, views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("funnel/", board.funnel_board, name="funnel_board"),
    path("funnel/<str:level>/more/", board.board_column, name="board_column"),
]
