"""One requested report: what was asked, by whom, how far it got, and the file it made."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def report_storage():
    """Report files may hold personal data: they are downloaded only through the view that checks
    who asks (settings.STORAGES["reports"]: beside the private media, or the bucket's prefix)."""
    return storages["reports"]


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly oversight report")
        DOSSIER = "dossier", _("Case dossier")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Variant(models.TextChoices):
        STANDARD = "standard", _("Standard")
        INVESTIGATOR = "investigator", _("Investigator's (with the complainant)")

    class Language(models.TextChoices):
        KK = "kk", _("Kazakh")
        RU = "ru", _("Russian")
        EN = "en", _("English")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    month = models.DateField(_("month"), null=True, blank=True)
    region = models.ForeignKey(
        "casework.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "casework.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "casework.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        "contractors.Contractor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.RU
    )
    variant = models.CharField(
        _("variant"), max_length=16, choices=Variant.choices, default=Variant.STANDARD
    )
    reason = models.TextField(_("reason"), blank=True)
    # The manager's recommendations, printed on the monthly report's front page.
    recommendations = models.TextField(_("recommendations"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The Celery task that took the run. If its worker dies mid-run, the broker delivers the
    # same task again, and it may take its own run back (report_run_execute).
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), storage=report_storage, upload_to="%Y/%m/", blank=True)
    file_sha256 = models.CharField(_("file's SHA-256"), max_length=64, blank=True)
    data_sha256 = models.CharField(_("data's SHA-256"), max_length=64, blank=True)
    chain_head = models.CharField(_("audit chain head"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Set for the runs beat schedules, so that running the schedule twice makes one run each.
    schedule_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="report_run_mine")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_run_progress_max"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="monthly") | models.Q(month__isnull=False),
                name="report_run_monthly_has_month",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="dossier") | models.Q(case__isnull=False),
                name="report_run_dossier_has_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def filename(self) -> str:
        if self.kind == self.Kind.DOSSIER:
            code = self.case.tracking_code if self.case_id else "case"
            suffix = "-investigator" if self.variant == self.Variant.INVESTIGATOR else ""
            return f"dossier-{code}{suffix}.pdf"
        narrowest = self.department or self.district or self.region
        scope = narrowest.code if narrowest is not None else "KZ"
        return f"report-{self.month:%Y-%m}-{scope}-{self.language}.pdf"
