"""Ratings: public pages under /ratings/, staff pages under /staff/ratings/."""

from django.urls import path

from ratings import views

public_urlpatterns: list = [
    path("", views.ratings_list, name="list"),
    path("method/", views.method_page, name="method"),
    path("export.csv", views.export_csv, name="export"),
    path("people/<int:pk>/", views.person_page, name="person"),
]
staff_urlpatterns: list = [
    path("", views.staff_ratings_list, name="list"),
    path("people/<int:pk>/", views.staff_person_page, name="person"),
]
