"""Writes for report runs: request one (checking who asks), run it, e-mail the scheduled ones.

A run is claimed under a row lock, generated outside any transaction (so that its progress is
visible while it runs), and finished in one step: the file and its row are saved together, or the
file is deleted again. A failed run records why and keeps no file.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import clock, roles
from casework.models import Case, Region
from casework.replica import replica_reads
from casework.selectors import cases_visible_to
from casework.services import complainant_reveal, reveal_reason_clean
from reports import documents, dossier
from reports.models import ReportRun
from reports.periods import Period, Scope, period_for, previous_month

log = logging.getLogger(__name__)

REPORT_ROLES = frozenset({roles.MANAGER, roles.INVESTIGATOR})


def _region_of(user):
    profile = getattr(user, "staff_profile", None)
    return profile.region_id if profile else None


def may_use_reports(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(REPORT_ROLES & roles.user_roles(user))


def may_report_on(user, scope: Scope) -> bool:
    """A region's people report on their region; the whole country is for the central office
    (report roles with no region) and superusers."""
    if not may_use_reports(user):
        return False
    if user.is_superuser:
        return True
    region = _region_of(user)
    if scope.region is None:
        return region is None
    return region is None or region == scope.region.pk


def runs_visible_to(user) -> QuerySet[ReportRun]:
    """Runs a user may see: their own; monthly reports of their region; standard dossiers of
    cases they can see. An investigator's dossier holds personal data: only its requester."""
    if not may_use_reports(user):
        return ReportRun.objects.none()
    if user.is_superuser:
        return ReportRun.objects.exclude(
            Q(variant=ReportRun.Variant.INVESTIGATOR) & ~Q(requested_by=user)
        )
    region = _region_of(user)
    monthly = Q(kind=ReportRun.Kind.MONTHLY)
    if region is not None:  # the central office (no region) sees every region's reports
        monthly &= Q(region_id=region)
    return ReportRun.objects.filter(
        Q(requested_by=user)
        | monthly
        | Q(
            kind=ReportRun.Kind.DOSSIER,
            variant=ReportRun.Variant.STANDARD,
            case__in=cases_visible_to(user).values("pk"),
        )
    )


def _language(language: str | None) -> str:
    language = (language or settings.LANGUAGE_CODE)[:2]
    if language not in ReportRun.Language.values:
        raise ValidationError({"language": _("Choose Kazakh, Russian or English.")})
    return language


def _dispatch(run: ReportRun) -> None:
    from reports.tasks import report_run_task

    def send() -> None:
        try:
            report_run_task.delay(run.pk)
        except Exception as exc:  # the broker is down: the resume job picks the run up later
            log.warning("report run %s stays queued: %s", run.pk, exc)

    transaction.on_commit(send)


def report_request_monthly(
    actor,
    *,
    scope: Scope,
    period: Period,
    language: str | None = None,
    recommendations: str = "",
) -> ReportRun:
    if not may_report_on(actor, scope):
        if scope.region is None:
            raise PermissionDenied(_("Only the central office makes the whole-country report."))
        raise PermissionDenied(_("You may not make reports for this region."))
    language = _language(language)
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=ReportRun.Kind.MONTHLY,
            month=period.month,
            region=scope.region,
            district=scope.district,
            department=scope.department,
            contractor=scope.contractor,
            language=language,
            requested_by=actor,
            recommendations=(recommendations or "").strip(),
            parameters={"month": period.code, "scope": scope.key(), "language": language},
        )
        _dispatch(run)
    return run


def report_request_dossier(
    actor,
    *,
    case: Case,
    language: str | None = None,
    variant: str = ReportRun.Variant.STANDARD,
    reason: str = "",
) -> ReportRun:
    if not may_use_reports(actor) or not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not see this case."))
    language = _language(language)
    reason = (reason or "").strip()
    if variant not in ReportRun.Variant.values:
        raise ValidationError({"variant": _("Unknown variant.")})
    if variant == ReportRun.Variant.INVESTIGATOR:
        if roles.INVESTIGATOR not in roles.user_roles(actor):
            raise PermissionDenied(
                _("Only an investigator may ask for the complainant's identity.")
            )
        if not reason:
            raise ValidationError({"reason": _("Say why you need the complainant's identity.")})
        reason = reveal_reason_clean(reason)
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=ReportRun.Kind.DOSSIER,
            case=case,
            region_id=case.region_id,
            language=language,
            variant=variant,
            reason=reason,
            requested_by=actor,
            parameters={"case": case.tracking_code, "variant": variant, "language": language},
        )
        _dispatch(run)
    return run


def _progress(run_id: int):
    def step(value: int) -> None:
        value = max(0, min(int(value), 99))
        if not connection.in_atomic_block:
            ReportRun.objects.filter(pk=run_id).update(progress=value)
        elif connection.vendor == "postgresql":
            _progress_aside(run_id, value)
        # SQLite inside the report's snapshot: a second writer would wait for the snapshot to
        # end; the next step outside it shows the progress.

    return step


def _progress_aside(run_id: int, value: int) -> None:
    """Record progress through a connection of its own: the report's figures are read in one
    read-only transaction (`reports.sql.report_snapshot`), which may not write, and whose
    writes nobody would see before it ends anyway."""
    aside = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with aside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ReportRun._meta.db_table} SET progress = %s WHERE id = %s",  # noqa: S608
                [value, run_id],
            )
    finally:
        aside.close()


def _claim(run_id: int, claim: str) -> ReportRun | None:
    """Take a queued run; or, for the same task delivered again after its worker died, the run
    that task had taken."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None
        retaken = bool(claim) and run.status == ReportRun.Status.RUNNING and run.claimed_by == claim
        if run.status != ReportRun.Status.QUEUED and not retaken:
            return None
        if retaken:
            log.warning(
                "report run %s: taken again by task %s after its worker was lost", run_id, claim
            )
        run.status = ReportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.progress = 1
        run.claimed_by = claim
        run.save(update_fields=["status", "started_at", "progress", "claimed_by"])
        return run


def _scope_of(run: ReportRun) -> Scope:
    return Scope(run.region, run.district, run.department, run.contractor)


def dossier_reveal(case: Case, actor, reason: str) -> dict[str, str]:
    """The complainant's contact data for an investigator's dossier, through the case service
    that checks the actor and logs the reveal with its reason on the case's audit chain."""
    reason = reveal_reason_clean(reason)  # the reason itself, before the prefix
    return complainant_reveal(
        case,
        actor=actor,
        reason=_("Case dossier, investigator's copy: %(reason)s") % {"reason": reason},
    )


def report_run_execute(run_id: int, claim: str = "") -> ReportRun | None:
    """Generate a queued run. Safe to call twice: only a queued run is taken, or a running one
    by the same `claim` (the Celery task id) when its first delivery died with its worker."""
    run = _claim(run_id, claim)
    if run is None:
        return None
    step = _progress(run.pk)
    moment = clock.now()
    saved_name = ""
    try:
        if run.kind == ReportRun.Kind.MONTHLY:
            period = period_for(run.month, moment)
            # The month's figures come from the replica when there is one; this run's own
            # bookkeeping (claim, progress) is written to the primary and never read back here.
            with replica_reads(after_own_writes=True):
                built = documents.monthly_build(
                    _scope_of(run),
                    period,
                    language=run.language,
                    generated_by=run.requested_by,
                    moment=moment,
                    progress=step,
                    recommendations=run.recommendations,
                )
        else:
            complainant = None
            if run.variant == ReportRun.Variant.INVESTIGATOR:
                complainant = dossier_reveal(run.case, run.requested_by, run.reason)
            built = dossier.dossier_build(
                run.case,
                language=run.language,
                generated_by=run.requested_by,
                moment=moment,
                complainant=complainant,
                reason=run.reason,
                progress=step,
            )
        with transaction.atomic():
            locked = ReportRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != ReportRun.Status.RUNNING or locked.claimed_by != run.claimed_by:
                return locked  # another delivery of the same task finished it first
            locked.file.save(run.filename(), ContentFile(built.pdf.content), save=False)
            saved_name = locked.file.name
            locked.file_sha256 = built.pdf.sha256
            locked.data_sha256 = built.data_sha256
            locked.chain_head = built.chain_head
            locked.status = ReportRun.Status.DONE
            locked.progress = 100
            locked.finished_at = timezone.now()
            locked.error = ""
            locked.save()
        run = locked
    except Exception as exc:
        log.exception("report run %s failed", run.pk)
        if saved_name:
            run.file.storage.delete(saved_name)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED,
            error=_error_text(exc),
            finished_at=timezone.now(),
            file="",
        )
        run.refresh_from_db()
        return run
    if run.schedule_key and run.emailed_at is None:
        report_run_email(run)
    return run


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Permission denied.")
    return f"{type(exc).__name__}: {exc}"[:2000]


def report_managers(run: ReportRun) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.MANAGER,
            staff_profile__region_id=run.region_id,
        )
        .exclude(email="")
    )
    return sorted({u.email for u in users})


def report_run_email(run: ReportRun) -> int:
    """Send a finished run's PDF to its region's managers; remembers it was sent."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.emailed_at is not None or locked.status != ReportRun.Status.DONE:
            return 0
        recipients = report_managers(locked)
        if recipients:
            with translation.override(locked.language):
                scope = _scope_of(locked)
                subject = _("Monthly oversight report %(month)s: %(scope)s") % {
                    "month": f"{locked.month:%Y-%m}",
                    "scope": scope.title(),
                }
                body = _(
                    "The monthly oversight report is attached.\n\nFile SHA-256: %(file)s\n"
                    "Data SHA-256: %(data)s\nAudit chain head: %(head)s\n"
                ) % {
                    "file": locked.file_sha256,
                    "data": locked.data_sha256,
                    "head": locked.chain_head,
                }
            message = EmailMessage(subject, body, to=recipients)
            with locked.file.open("rb") as handle:
                message.attach(locked.filename(), handle.read(), "application/pdf")
            message.send()
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
        return len(recipients)


def monthly_schedule(now=None) -> list[ReportRun]:
    """Queue last month's report for the whole country, every region and each of its districts
    (once each)."""
    now = now or clock.now()
    month = previous_month(now.astimezone(timezone.get_default_timezone()).date())
    language = _language(settings.LANGUAGE_CODE)
    runs = []
    scopes = [Scope()]
    for region in Region.objects.prefetch_related("districts"):
        scopes += [Scope(region)] + [Scope(region, d) for d in region.districts.all()]
    for scope in scopes:
        key = f"monthly:{month:%Y-%m}:{scope.key()}:{language}"
        with transaction.atomic():
            run, created = ReportRun.objects.get_or_create(
                schedule_key=key,
                defaults={
                    "kind": ReportRun.Kind.MONTHLY,
                    "month": month,
                    "region": scope.region,
                    "district": scope.district,
                    "language": language,
                    "parameters": {
                        "month": f"{month:%Y-%m}",
                        "scope": scope.key(),
                        "schedule": True,
                    },
                },
            )
            if created:
                _dispatch(run)
        runs.append(run)
    return runs


def report_runs_resume(older_than_seconds: int = 300) -> int:
    """Hand queued runs that never reached a worker (broker down) to Celery again."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        ReportRun.objects.filter(status=ReportRun.Status.QUEUED, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:200]
    )
    from reports.tasks import report_run_task

    for run_id in ids:
        try:
            report_run_task.delay(run_id)
        except Exception as exc:
            log.warning("report run %s stays queued: %s", run_id, exc)
            break
    return len(ids)


def run_summary(run: ReportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": run.progress,
        "error": run.error,
        "finished": run.finished,
    }
