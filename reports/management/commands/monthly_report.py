"""manage.py monthly_report --month 2026-10 --out report.pdf [--district CODE] [--lang ru]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework import clock
from reports.documents import monthly_build
from reports.management.commands._output import fail, out_path, write_whole
from reports.periods import period_parse, scope_build


class Command(BaseCommand):
    help = "Write the monthly oversight report (PDF/A-3u) for a month and a scope."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--region", help="region code (needed if there is more than one)")
        parser.add_argument("--district", help="district code")
        parser.add_argument("--department", help="department code")
        parser.add_argument("--contractor", help="contractor BIN")
        parser.add_argument("--lang", default="ru", choices=["kk", "ru", "en"])

    def handle(self, *args, **options):
        path = out_path(options["out"])
        try:
            period = period_parse(options["month"])
            scope = scope_build(
                region=options["region"],
                district=options["district"],
                department=options["department"],
                contractor=options["contractor"],
            )
            built = monthly_build(
                scope,
                period,
                language=options["lang"],
                generated_by="manage.py monthly_report",
                moment=clock.now(),
            )
        except (ValidationError, LookupError) as exc:
            raise fail(exc) from None
        except CommandError:
            raise
        except Exception as exc:
            raise fail(exc) from exc
        write_whole(path, built.pdf.content)
        self.stdout.write(
            f"{path}: {len(built.pdf.content)} bytes, sha256 {built.pdf.sha256}, "
            f"data {built.data_sha256}"
        )
