"""The public pages: home, map, public case pages, open data. They read, never write."""

from django.urls import path

from portal import pages

app_name = "portal"
urlpatterns = [
    path("", pages.home, name="home"),
    path("map/", pages.public_map, name="map"),
    path("search/", pages.search, name="search"),
]
