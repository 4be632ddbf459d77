"""Oversight pages of the staff application, mounted under /staff/ beside `workflows.urls`."""

from django.urls import path

from oversight.views import inquiries, pages

app_name = "oversight"
urlpatterns = [
    path("officials/", pages.official_list, name="officials"),
    path("officials/<int:pk>/", pages.official_page, name="official"),
    path("contractors/", pages.contractor_list, name="contractors"),
    path("contractors/<int:pk>/", pages.contractor_page, name="contractor"),
    path("inquiries/", inquiries.inquiry_list, name="inquiries"),
    path("inquiries/<int:pk>/", inquiries.inquiry_page, name="inquiry"),
    path("inquiries/<int:pk>/reveal/", inquiries.party_reveal, name="inquiry-reveal"),
    path(
        "inquiries/<int:pk>/evidence/<int:number>/",
        inquiries.evidence_file,
        name="evidence-file",
    ),
    path("inquiries/<int:pk>/<slug:action>/", inquiries.inquiry_action, name="inquiry-action"),
]
