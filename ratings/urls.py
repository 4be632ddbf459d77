"""Ratings: public pages under /ratings/, staff pages under /staff/ratings/."""

from django.urls import path

from ratings import vote_views

public_urlpatterns: list = []
staff_urlpatterns: list = []

# votes
public_urlpatterns += [
    path("vote/<str:code>/", vote_views.vote_form, name="vote"),
]
staff_urlpatterns += [
    path("votes/new/", vote_views.vote_record, name="vote_record"),
    path("votes/holds/", vote_views.vote_holds, name="vote_holds"),
    path("votes/holds/<int:pk>/review/", vote_views.vote_hold_review, name="vote_hold_review"),
]
