from django.urls import path

from oversight.red_flags import views

app_name = "red_flags"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
]
