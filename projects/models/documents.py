"""A project's documents (OC4IDS documentType codelist) with the SHA-256 of their bytes, computed
when the file is saved, so a published copy can be checked against the one the akimat holds."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def file_sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


class ProjectDocument(models.Model):
    class Type(models.TextChoices):
        # Codes from the OC4IDS documentType codelist that public works publish.
        PROJECT_SCOPE = "projectScope", _("Project scope")
        FEASIBILITY_STUDY = "feasibilityStudy", _("Feasibility study")
        TECHNICAL_SPECIFICATIONS = "technicalSpecifications", _("Technical specifications")
        CONTRACT_SIGNED = "contractSigned", _("Signed contract")
        PHYSICAL_PROGRESS_REPORT = "physicalProgressReport", _("Physical progress report")
        FINANCIAL_PROGRESS_REPORT = "financialProgressReport", _("Financial progress report")
        COMPLETION_CERTIFICATE = "completionCertificate", _("Completion certificate")
        FINAL_AUDIT = "finalAudit", _("Final audit")
        ENVIRONMENTAL_IMPACT = "environmentalImpact", _("Environmental impact")
        OTHER = "other", _("Other document")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="documents"
    )
    document_type = models.CharField(_("document type"), max_length=32, choices=Type.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="projects/documents/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.sha256:
            self.sha256 = file_sha256(self.file)
        super().save(*args, **kwargs)
