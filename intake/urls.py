from django.urls import path

from intake import views_track

app_name = "intake"
urlpatterns = [
    path("track/", views_track.track_lookup, name="track-lookup"),
    path("track/<str:code>/", views_track.track_case, name="track"),
]
