from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("monthly/", views.monthly_request, name="monthly"),
    path("dossier/", views.dossier_request, name="dossier"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run-status"),
    path("runs/<int:pk>/download/", views.run_download, name="run-download"),
    path("inquiries/<int:pk>/dossier/", views.inquiry_dossier, name="inquiry-dossier"),
]
