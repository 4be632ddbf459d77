"""`manage.py oversight_backfill`: attribute past decisions and link past failures of accepted
work, as their outbox jobs would have; safe to run again (it only adds what is missing)."""

from django.core.management.base import BaseCommand

from oversight.attribution import attributions_backfill
from oversight.failures import failures_recompute


class Command(BaseCommand):
    help = "Attribute past decisions to people and posts; link failures to acceptance acts."

    def handle(self, *args, **options) -> None:
        made = attributions_backfill()
        failed = failures_recompute()
        self.stdout.write(f"attributions added: {made}\nfailures added: {failed}")
