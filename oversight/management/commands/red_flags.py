"""`manage.py red_flags --full`: run the nightly full pass and print the hits per indicator.
`manage.py red_flags --check`: change nothing; exit non-zero naming every difference between the
stored hits and what a full pass finds."""

from django.core.management.base import BaseCommand, CommandError

from oversight.red_flags.registry import INDICATORS
from oversight.red_flags.run import red_flags_check, red_flags_full_pass

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Red flags: --full runs every indicator over everything and stores the hits; --check "
        "stores nothing and exits non-zero when the stored hits differ from a full pass."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--full", action="store_true", help="run the full pass and store it")
        mode.add_argument("--check", action="store_true", help="compare, store nothing")
        parser.add_argument(
            "--indicator", action="append", choices=sorted(INDICATORS), help="only these"
        )

    def handle(self, *args, **options):
        codes = options.get("indicator") or None
        if options["check"]:
            differences = red_flags_check(codes)
            if differences:
                shown = "; ".join(differences[:SHOWN])
                more = f" (and {len(differences) - SHOWN} more)" if len(differences) > SHOWN else ""
                raise CommandError(
                    f"stored red-flag hits differ from a full pass in {len(differences)} "
                    f"places: {shown}{more}"
                )
            self.stdout.write("stored red-flag hits match a full pass")
            return
        counts = red_flags_full_pass(codes)
        width = max(len(code) for code in counts) if counts else 0
        for code, count in counts.items():
            self.stdout.write(f"{code.ljust(width)}  {count}")
        self.stdout.write(f"{'total'.ljust(width)}  {sum(counts.values())}")
