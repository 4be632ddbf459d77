"""`manage.py ratings_refresh [--year YYYY]`: recompute the ratings' figures now, as the nightly
task does."""

from django.core.management.base import BaseCommand, CommandError

from ratings.figures import figures_refresh


class Command(BaseCommand):
    help = "Recompute the ratings' figures (this year, or --year) from the cases."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="the year to recompute (default: this one)")

    def handle(self, *args, year: int | None = None, **options) -> None:
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not a year this system has cases for")
        written = figures_refresh(year)
        self.stdout.write(f"rating figures written: {written}")
