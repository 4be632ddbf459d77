"""The public pages: home, map, public case pages, open data. They read, never write."""

from django.urls import path

from portal import case_page, open_data_views, pages

app_name = "portal"
urlpatterns = [
    path("", pages.home, name="home"),
    path("map/", pages.public_map, name="map"),
    path("search/", pages.search, name="search"),
    # The public case page and open data.
    path("cases/<str:code>/", case_page.case_page, name="case"),
    path("cases/<str:code>/photos/<int:pk>/", case_page.case_photo, name="case_photo"),
    path("open-data/", open_data_views.open_data_page, name="open_data"),
    path(
        "open-data/<str:filename>.sha256",
        open_data_views.open_data_checksum,
        name="open_data_checksum",
    ),
    path("open-data/<str:filename>", open_data_views.open_data_file, name="open_data_file"),
]
