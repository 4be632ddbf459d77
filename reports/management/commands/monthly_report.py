"""manage.py monthly_report --month 2026-10 --out report.pdf [--region CODE] [--district CODE]
[--department CODE] [--contractor BIN] [--lang ru] [--by USERNAME] [--recommendations FILE]

Without --region, --district or --department the report covers the whole country, every region
side by side. The last line printed is `data hash: <hex>`, to compare two runs without opening
the PDFs."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework import clock
from reports.documents import monthly_build, user_by_name
from reports.management.commands._output import fail, out_path, write_whole
from reports.periods import period_parse, scope_build
from reports.services import may_use_reports

RECOMMENDATIONS_MAX = 20_000


class Command(BaseCommand):
    help = "Write the monthly oversight report (PDF/A-3u) for a month and a scope."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--region", help="region code (none: the whole country)")
        parser.add_argument("--district", help="district code")
        parser.add_argument("--department", help="department code")
        parser.add_argument("--contractor", help="contractor BIN")
        parser.add_argument("--lang", default="ru", choices=["kk", "ru", "en"])
        parser.add_argument(
            "--by", help="username of the person making the report (recorded as its author)"
        )
        parser.add_argument(
            "--recommendations", help="a UTF-8 text file with the manager's recommendations"
        )

    def handle(self, *args, **options):
        path = out_path(options["out"])
        author = "manage.py monthly_report"
        if options["by"]:
            author = user_by_name(options["by"])
            if author is None:
                raise CommandError(f"unknown user {options['by']}")
            if not may_use_reports(author):
                raise CommandError(f"{options['by']} may not make reports")
        recommendations = ""
        if options["recommendations"]:
            source = Path(options["recommendations"])
            try:
                recommendations = source.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"--recommendations {source}: {exc}") from None
            if len(recommendations) > RECOMMENDATIONS_MAX:
                raise CommandError(
                    f"--recommendations: at most {RECOMMENDATIONS_MAX} characters, please"
                )
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
                generated_by=author,
                moment=clock.now(),
                recommendations=recommendations,
            )
        except (ValidationError, LookupError) as exc:
            raise fail(exc) from None
        except CommandError:
            raise
        except Exception as exc:
            raise fail(exc) from exc
        write_whole(path, built.pdf.content)
        self.stdout.write(f"{path}: {len(built.pdf.content)} bytes, sha256 {built.pdf.sha256}")
        self.stdout.write(f"data hash: {built.data_sha256}")
