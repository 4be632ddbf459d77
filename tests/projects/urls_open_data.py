"""The site's URLs plus the projects' open data at /open-data/, as the portal will mount them."""

from django.urls import include, path

from config.urls import urlpatterns as site
from projects.urls import open_data_urlpatterns

urlpatterns = [path("open-data/", include((open_data_urlpatterns, "open_data"))), *site]
