from django.core.management.base import BaseCommand, CommandError

from casework.audit import chain_verify


class Command(BaseCommand):
    help = "Walk the audit chain; exit non-zero naming the first event that does not match."

    def handle(self, *args, **options):
        report = chain_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event {report.bad_event_id}: {report.problem} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events, head {report.head_hash}")
