from django.urls import path

from funnel.quotes import views

urlpatterns = [
    path("quotes/", views.quote_list, name="quote_list"),
    path("opportunities/<int:pk>/quotes/new/", views.quote_new, name="quote_new"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/accept/", views.quote_accept, name="quote_accept"),
    path("quotes/<int:pk>/decline/", views.quote_decline, name="quote_decline"),
    path("quotes/<int:pk>/reissue/", views.quote_reissue, name="quote_reissue"),
]
