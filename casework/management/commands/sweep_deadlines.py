"""manage.py sweep_deadlines: escalate breached deadlines once, now (beat does it every minute)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from casework.sweep import schedule_rebuild, sweep_run


class Command(BaseCommand):
    help = "Escalate every deadline breached by now (or --at), each at most once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", help="Sweep as of this moment (ISO 8601 with a time zone), e.g. for a replay."
        )
        parser.add_argument(
            "--reschedule",
            action="store_true",
            help="First schedule the deadlines of every open case (data older than the sweep).",
        )

    def handle(self, *args, at: str | None = None, reschedule: bool = False, **options):
        moment = None
        if at:
            moment = parse_datetime(at)
            if moment is None or moment.tzinfo is None:
                raise CommandError(f"--at {at!r}: give an ISO 8601 moment with a time zone")
            moment = moment.astimezone(dt.UTC)
        if reschedule:
            self.stdout.write(f"scheduled the deadlines of {schedule_rebuild()} open case(s)")
        report = sweep_run(now=moment)
        self.stdout.write(str(report))
