"""Complaints joined to a project: a case whose point lies in the project's place (plus a buffer)
while the works run or the warranty holds (projects/linking.py decides and writes these rows)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProjectCase(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="case_links"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("complaint about a project")
        verbose_name_plural = _("complaints about projects")
        constraints = [
            models.UniqueConstraint(fields=["project", "case"], name="one_link_per_case")
        ]
        indexes = [models.Index(fields=["case"], name="project_case_by_case")]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.case_id}"
