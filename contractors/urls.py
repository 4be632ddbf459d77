from django.urls import path

from contractors import notice_views, views

app_name = "contractors"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("orders/<int:pk>/report/", views.report, name="report"),
    path("notices/", notice_views.notices, name="notices"),
    path("notices/read/", notice_views.notices_read, name="notices-read"),
    path("notices/<int:pk>/", notice_views.notice_open, name="notice"),
    path("scorecard/", views.my_scorecard, name="my_scorecard"),
    path("scorecards/", views.staff_scorecards, name="scorecards"),
    path("scorecards/csv/", views.staff_scorecards_csv, name="scorecards_csv"),
    path("photos/<int:pk>/original/", views.photo_original, name="photo_original"),
]
