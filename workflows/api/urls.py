"""Every endpoint of the REST API (mounted at /api/ in config/urls.py). Open311, a public
standard with its own formats and keys, is served by intake at /open311/v2/."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from oversight import inquiry_api
from oversight.red_flags import api as red_flags
from workflows import actions
from workflows.api import views

urlpatterns = [
    path("v1/cases/", views.CaseList.as_view(), name="api-case-list"),
    path("v1/cases/<int:pk>/", views.CaseDetail.as_view(), name="api-case-detail"),
    path("v1/cases/<int:pk>/events/", views.CaseEvents.as_view(), name="api-case-events"),
    *(
        path(
            f"v1/cases/<int:pk>/transitions/{name}/",
            views.transition_view(name),
            {"name": name},
            name=f"api-case-transition-{name}",
        )
        for name in actions.TRANSITIONS
    ),
    path(
        "v1/cases/<int:pk>/transitions/<str:name>/",
        views.CaseTransition.as_view(),
        name="api-case-transition",
    ),
    path(
        "v1/cases/<int:pk>/extend-deadline/",
        views.CaseDeadlineExtension.as_view(),
        name="api-case-extend-deadline",
    ),
    path(
        "v1/cases/<int:pk>/complainant/", views.ComplainantReveal.as_view(), name="api-case-reveal"
    ),
    path("v1/work-orders/", views.WorkOrderList.as_view(), name="api-work-order-list"),
    path("v1/work-orders/<int:pk>/", views.WorkOrderDetail.as_view(), name="api-work-order-detail"),
    path(
        "v1/work-orders/<int:pk>/acknowledge/",
        views.WorkOrderAcknowledge.as_view(),
        name="api-work-order-acknowledge",
    ),
    path("v1/inquiries/", inquiry_api.InquiryList.as_view(), name="api-inquiry-list"),
    path("v1/inquiries/<int:pk>/", inquiry_api.InquiryDetail.as_view(), name="api-inquiry-detail"),
    path("v1/sanctions/", inquiry_api.SanctionList.as_view(), name="api-sanction-list"),
    path(
        "v1/sanctions/<int:pk>/", inquiry_api.SanctionDetail.as_view(), name="api-sanction-detail"
    ),
    path("v1/red-flags/", red_flags.RedFlagList.as_view(), name="api-red-flag-list"),
    path("v1/red-flags/<int:pk>/", red_flags.RedFlagDetail.as_view(), name="api-red-flag-detail"),
    path(
        "v1/red-flags/<int:pk>/dismiss/",
        red_flags.RedFlagDismiss.as_view(),
        name="api-red-flag-dismiss",
    ),
    # The OpenAPI 3 description of all of the above, and a page to try it: signed-in users only
    # (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); a person is sent to the login page. The split
    # view serves its start-up script as a file (Content-Security-Policy).
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
