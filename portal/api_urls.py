"""Public JSON (no login) under /api/public/."""

app_name = "portal_api"
urlpatterns: list = []
