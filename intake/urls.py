"""Intake's routes, one list per URL prefix; config/urls.py mounts each under its prefix:
`complain/` (the citizen's web form), `track/` (the tracking page), `intake/` (the clerk's pages
and the chat platforms' webhooks). Open311 has its own, intake/open311/urls.py."""

from django.urls import path

from intake.views import complain, staff, track
from intake.webhook_urls import webhook_routes

complain_urlpatterns = [
    path("", complain.complain, name="form"),
    path("done/", complain.complain_done, name="done"),
]

track_urlpatterns = [
    path("", track.track_lookup, name="lookup"),
    path("<str:code>/", track.track_case, name="case"),
    path("<str:code>/confirm/", track.track_confirm, name="confirm"),
    path("<str:code>/dispute/", track.track_dispute, name="dispute"),
    path("<str:code>/photos/<int:pk>/", track.track_photo, name="photo"),
]

intake_urlpatterns = [
    *webhook_routes,
    path("phone/", staff.phone_complaint, name="phone"),
    path("errors/", staff.intake_errors, name="errors"),
    path("errors/<int:pk>/retry/", staff.intake_retry, name="retry"),
]
