"""manage.py case_dossier AQT-2026-000123 --out dossier.pdf [--lang ru]
[--investigator USERNAME --reason TEXT]"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework import clock, roles
from casework.models import Case
from reports.documents import user_by_name
from reports.dossier import dossier_build
from reports.management.commands._output import fail, out_path, write_whole
from reports.services import dossier_reveal


class Command(BaseCommand):
    help = (
        "Write everything about one case as a PDF. The investigator's copy shows the complainant."
    )

    def add_arguments(self, parser):
        parser.add_argument("tracking_code")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--lang", default="ru", choices=["kk", "ru", "en"])
        parser.add_argument(
            "--investigator", help="username of the investigator asking for the complainant"
        )
        parser.add_argument("--reason", default="", help="why the complainant's identity is needed")

    def handle(self, *args, **options):
        path = out_path(options["out"])
        code = options["tracking_code"].strip().upper()
        case = Case.objects.filter(tracking_code=code).first()
        if case is None:
            raise CommandError(f"unknown case {options['tracking_code']}")
        complainant = None
        actor = None
        reason = options["reason"].strip()
        if options["investigator"]:
            actor = user_by_name(options["investigator"])
            if actor is None:
                raise CommandError(f"unknown user {options['investigator']}")
            if roles.INVESTIGATOR not in roles.user_roles(actor):
                raise CommandError(f"{actor.get_username()} is not an investigator")
            if not reason:
                raise CommandError("--reason is required with --investigator")
        elif reason:
            raise CommandError("--reason goes with --investigator")
        try:
            if actor is not None:
                complainant = dossier_reveal(case, actor, reason)
            built = dossier_build(
                case,
                language=options["lang"],
                generated_by=actor or "manage.py case_dossier",
                moment=clock.now(),
                complainant=complainant,
                reason=reason,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise fail(exc) from None
        except Exception as exc:
            raise fail(exc) from exc
        write_whole(path, built.pdf.content)
        self.stdout.write(f"{path}: {len(built.pdf.content)} bytes, sha256 {built.pdf.sha256}")
