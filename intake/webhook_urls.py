"""The chat platforms' webhooks. The site mounts `webhook_routes` under `intake/` with intake's
other routes (intake/urls.py); on their own, under the same prefix, they are the URL conf of the
webhooks' lean handler (config/wsgi.py), so that a webhook is not matched against every route of
the site first."""

from django.urls import include, path

from intake.views import webhooks

webhook_routes = [
    path("whatsapp/", webhooks.whatsapp_webhook, name="whatsapp"),
    path("telegram/", webhooks.telegram_webhook, name="telegram"),
    path("facebook/", webhooks.facebook_webhook, name="facebook"),
]

urlpatterns = [path("intake/", include((webhook_routes, "intake")))]
