from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`. Sits above every other app; nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
