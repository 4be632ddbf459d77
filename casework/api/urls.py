from django.urls import path

from casework.api import views

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/events/", views.CaseEvents.as_view(), name="api-case-events"),
    path(
        "cases/<int:pk>/transitions/<str:name>/",
        views.CaseTransition.as_view(),
        name="api-case-transition",
    ),
    path(
        "cases/<int:pk>/extend-deadline/",
        views.CaseDeadlineExtension.as_view(),
        name="api-case-extend-deadline",
    ),
    path("cases/<int:pk>/complainant/", views.ComplainantReveal.as_view(), name="api-case-reveal"),
]
