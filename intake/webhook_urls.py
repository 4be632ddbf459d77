"""The chat platforms' webhooks. intake.urls includes these routes; on their own they are the URL
conf of the webhooks' lean handler (config/wsgi.py), so that a webhook is not matched against
every route of the site first."""

from django.urls import path

from intake import views_webhooks

app_name = "intake"
urlpatterns = [
    path("intake/whatsapp/", views_webhooks.whatsapp_webhook, name="whatsapp"),
    path("intake/telegram/", views_webhooks.telegram_webhook, name="telegram"),
    path("intake/facebook/", views_webhooks.facebook_webhook, name="facebook"),
]
