from django.urls import path

from funnel.prospecting import views

urlpatterns = [
    path("prospecting/", views.prospecting_blocks, name="prospecting_blocks"),
    path("prospecting/<id:pk>/stop/", views.block_stop, name="prospecting_block_stop"),
    path(
        "prospecting/<id:pk>/<id:stamp>/mark/",
        views.block_mark,
        name="prospecting_block_mark",
    ),
]
