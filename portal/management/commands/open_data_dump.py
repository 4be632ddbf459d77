"""`manage.py open_data_dump [--keep N]`: write the open data dump now (as the nightly task does)
and print where it went, how many cases and the files' SHA-256."""

from django.core.management.base import BaseCommand, CommandError

from portal.open_data_dump import DEFAULT_KEEP, open_data_dump


def _keep(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--keep {value!r} is not a whole number") from None
    if number < 1:
        raise CommandError(f"--keep must be at least 1, not {number}")
    return number


class Command(BaseCommand):
    help = "Write the open data dump (cases.csv, cases.geojson and their SHA-256) now."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # A wrong argument is one line on stderr, not the usage block before it.
        parser.print_usage = lambda file=None: None
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            default=str(DEFAULT_KEEP),
            help=f"how many dumps to keep, the new one included (default {DEFAULT_KEEP})",
        )

    def handle(self, *args, **options) -> None:
        keep = _keep(options["keep"])
        try:
            dump = open_data_dump(keep=keep)
        except OSError as exc:
            raise CommandError(f"the dump could not be written: {exc}") from exc
        self.stdout.write(f"{dump.folder}: {dump.rows} cases")
        for name, digest in sorted(dump.sha256.items()):
            self.stdout.write(f"{digest}  {name}")
