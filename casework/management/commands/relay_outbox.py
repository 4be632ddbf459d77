from django.core.management.base import BaseCommand

from casework import outbox


class Command(BaseCommand):
    help = "Run every pending outbox job now, in this process (the embedded mode has no beat)."

    def handle(self, *args, **options):
        count = outbox.relay(inline=True)
        self.stdout.write(f"{count} pending job(s) run")
