"""Public JSON (no login) under /api/public/."""

from django.urls import path

from portal import map_api

app_name = "portal_api"
urlpatterns = [
    path("map/", map_api.map_data, name="map"),
    path("map/figures/", map_api.map_figures, name="map-figures"),
]
