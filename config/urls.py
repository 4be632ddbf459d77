from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from config import health, metrics
from intake import urls as intake_urls
from projects import urls as projects_urls
from ratings import urls as ratings_urls


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    response = HttpResponseRedirect(static("img/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/public/projects/", include((projects_urls.api_urlpatterns, "projects_api"))),
    path("api/public/", include("portal.api_urls")),
    path("api/", include("workflows.api.urls")),
    path("staff/red-flags/", include("oversight.red_flags.urls")),
    path("staff/projects/", include((projects_urls.staff_urlpatterns, "projects_staff"))),
    path("staff/ratings/", include((ratings_urls.staff_urlpatterns, "ratings_staff"))),
    path("staff/", include("workflows.urls")),
    path("staff/", include("oversight.urls")),
    path("contractor/", include("contractors.urls")),
    path("reports/", include("reports.urls")),
    path("complain/", include((intake_urls.complain_urlpatterns, "complain"))),
    path("track/", include((intake_urls.track_urlpatterns, "track"))),
    path("intake/", include((intake_urls.intake_urlpatterns, "intake"))),
    path("open311/v2/", include(("intake.open311.urls", "open311"))),
    path("projects/", include((projects_urls.public_urlpatterns, "projects"))),
    path("ratings/", include((ratings_urls.public_urlpatterns, "ratings"))),
    path("open-data/", include((projects_urls.open_data_urlpatterns, "open_data"))),
    # Last: the public home at / and the portal's own pages.
    path("", include("portal.urls")),
]

# Operations: liveness, readiness, Prometheus (config/health.py, config/metrics.py).
urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
# /media/ is never served by path, not even in development: photos and reports go through the
# views that check who asks (casework.media.file_response).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
