"""The public pages: home, map, public case pages, open data. They read, never write."""

from django.urls import path
from django.views.generic import RedirectView

app_name = "portal"
urlpatterns = [
    path("", RedirectView.as_view(url="/staff/", permanent=False), name="home"),
]
