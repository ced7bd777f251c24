from django.urls import path

from funnel.quotes import views

urlpatterns = [
    path("quotes/", views.quote_list, name="quote_list"),
    path("opportunities/<id:pk>/quotes/new/", views.quote_new, name="quote_new"),
    path("opportunities/<id:pk>/quotes/form/", views.quote_form, name="quote_form"),
    path("quotes/<id:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<id:pk>/accept/", views.quote_accept, name="quote_accept"),
    path("quotes/<id:pk>/decline/", views.quote_decline, name="quote_decline"),
    path("quotes/<id:pk>/reissue/", views.quote_reissue, name="quote_reissue"),
]
