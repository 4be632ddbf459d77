import re

from django.core.management.base import BaseCommand, CommandError

from casework.audit import case_states_verify, chain_verify, registered_chains
from casework.models import CaseEvent
from casework.models.audit import GENESIS_HASH

_HASH = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = (
        "Walk the audit chain, then compare every case's state with its last event, then walk "
        "the other registered chains (the inquiry log); exit non-zero naming the first event, "
        "case or row that does not match. "
        "With --head HASH: also say whether that chain head (printed on an older report) is in "
        "the chain and how many events followed it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--head", help="a chain head printed on an older report (64 hex)")

    def handle(self, *args, **options):
        head = (options.get("head") or "").strip().lower()
        if options.get("head") is not None and not _HASH.match(head):
            raise CommandError("--head takes a chain head as printed on a report: 64 hex digits")
        report = chain_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event {report.bad_event_id}: {report.problem} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events, head {report.head_hash}")
        cases, mismatch = case_states_verify()
        if mismatch is not None:
            raise CommandError(
                f"case {mismatch.case_id} does not match its events: {mismatch.problem}"
            )
        self.stdout.write(f"case states match their last events: {cases} cases")
        for name, verify in sorted(registered_chains().items()):
            other = verify()
            if not other.ok:
                where = f" at row {other.bad_event_id}" if other.bad_event_id else ""
                raise CommandError(
                    f"{name} chain broken{where}: {other.problem} "
                    f"({other.checked} rows verified before it)"
                )
            self.stdout.write(f"{name} chain intact: {other.checked} rows, head {other.head_hash}")
        if head:
            self._head(head, report.checked)

    def _head(self, head: str, total: int) -> None:
        """The chain is intact (checked above), so an event with this hash is where it stands in
        the chain, and ids follow chain order: the events after it are those with larger ids."""
        if head == GENESIS_HASH:
            self.stdout.write(f"head {head} is the start of the chain; {total} events followed it")
            return
        event = CaseEvent.objects.filter(hash=head).only("pk").first()
        if event is None:
            raise CommandError(f"head {head} is not in the audit chain")
        after = CaseEvent.objects.filter(pk__gt=event.pk).count()
        self.stdout.write(f"head {head} is in the chain; {after} events followed it")
