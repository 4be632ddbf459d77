"""manage.py check_flows: every open case's open task matches its state (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from workflows.consistency import flow_problems
from workflows.services import flow_resync


class Command(BaseCommand):
    help = "Report cases whose workflow task does not match their state; exit 1 if any."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Restart the flow of each case reported, at the step its state calls for.",
        )
        parser.add_argument("--limit", type=int, default=50, help="Problems to print (50).")

    def handle(self, *args, repair: bool = False, limit: int = 50, **options):
        problems = flow_problems()
        for problem in problems[:limit]:
            self.stdout.write(str(problem))
        if len(problems) > limit:
            self.stdout.write(f"... and {len(problems) - limit} more")
        if problems and repair:
            for case_id in sorted({p.case_id for p in problems}):
                flow_resync(case_id)
            problems = flow_problems()
            self.stdout.write(f"repaired; {len(problems)} problem(s) left")
        if problems:
            raise CommandError(f"{len(problems)} case(s) out of step with their flow")
        self.stdout.write(self.style.SUCCESS("Every case is in step with its flow."))
