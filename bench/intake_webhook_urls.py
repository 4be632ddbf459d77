"""The webhooks' own URL conf plus /bench/hello/, for the hello view behind the lean stack."""

from django.urls import path

from bench.intake_urls import hello
from intake.webhook_urls import urlpatterns as webhook_urlpatterns

urlpatterns = [path("bench/hello/", hello), *webhook_urlpatterns]
