from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import PASSWORD, demo_logins, seed


class Command(BaseCommand):
    help = "Create the demo regions, users and about 300 cases with real histories (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo users have a known password).",
        )

    def handle(self, *args, cases: int, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "refusing to seed demo users with DEBUG off (use --allow-production)"
            )
        if not 0 <= cases <= 5000:
            raise CommandError("--cases must be between 0 and 5000")
        made = seed(cases)
        if made["cases"]:
            self.stdout.write(f"demo data created: {made['cases']} cases")
        else:
            self.stdout.write("demo data already present: nothing changed")
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<24} {role}")
