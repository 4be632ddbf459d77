from django.urls import path, re_path

from intake import views_complain, views_staff, views_track
from intake.open311 import views as open311
from intake.webhook_urls import urlpatterns as webhook_urlpatterns

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "intake"
urlpatterns = [
    path("complain/", views_complain.complain, name="complain"),
    path("complain/done/", views_complain.complain_done, name="complain-done"),
    path("track/", views_track.track_lookup, name="track-lookup"),
    path("track/<str:code>/", views_track.track_case, name="track"),
    path("track/<str:code>/confirm/", views_track.track_confirm, name="track-confirm"),
    path("track/<str:code>/dispute/", views_track.track_dispute, name="track-dispute"),
    *webhook_urlpatterns,
    path("intake/phone/", views_staff.phone_complaint, name="phone"),
    path("intake/errors/", views_staff.intake_errors, name="errors"),
    path("intake/errors/<int:pk>/retry/", views_staff.intake_retry, name="retry"),
    path("open311/v2/openapi.json", open311.openapi, name="open311-openapi"),
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.service_list, name="open311-services"),
    re_path(
        r"^open311/v2/services/(?P<code>[^/]{1,64})" + FMT,
        open311.service_definition,
        name="open311-service",
    ),
    re_path(r"^open311/v2/requests" + FMT, open311.request_collection, name="open311-requests"),
    re_path(
        r"^open311/v2/requests/(?P<code>[^/]{1,64})" + FMT,
        open311.request_detail,
        name="open311-request",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[^/]{1,64})" + FMT,
        open311.token_detail,
        name="open311-token",
    ),
    re_path(r"^open311/v2/(?P<rest>.*)$", open311.not_found),
]
