"""Ratings: public pages under /ratings/, staff pages under /staff/ratings/."""

from django.urls import path

from ratings import drill_views, views, vote_views

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

# votes
public_urlpatterns += [
    path("vote/<str:code>/", vote_views.vote_form, name="vote"),
]
staff_urlpatterns += [
    path("votes/new/", vote_views.vote_record, name="vote_record"),
    path("votes/holds/", vote_views.vote_holds, name="vote_holds"),
    path("votes/holds/<int:pk>/review/", vote_views.vote_hold_review, name="vote_hold_review"),
]

# drill-down to the cases behind a post's figures
staff_urlpatterns += [
    path("posts/<int:pk>/<str:code>/", drill_views.post_cases, name="post_cases"),
]
