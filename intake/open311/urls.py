"""Open311 GeoReport v2, mounted under `open311/v2/` by config/urls.py. Every endpoint answers in
`.json` or `.xml`."""

from django.urls import path, re_path

from intake.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,64})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.request_collection, name="requests"),
    re_path(r"^requests/(?P<code>[^/]{1,64})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,64})" + FMT, views.token_detail, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
