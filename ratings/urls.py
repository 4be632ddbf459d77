"""Ratings: public pages under /ratings/, staff pages under /staff/ratings/."""

public_urlpatterns: list = []
staff_urlpatterns: list = []
