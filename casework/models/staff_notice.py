"""In-app notices (the bell in the header): what a person was told of, kept to read in the
application beside the e-mail that went out.

A notice keeps its kind and parameters, never text: it is put into words when it is shown, in
the reader's language (`casework.staff_notices`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffNotice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_notices"
    )
    kind = models.CharField(_("kind"), max_length=40)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    # What the notice is about (the task, the event): a job that runs twice tells nobody twice.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notice_per_recipient")
        ]
        indexes = [
            # The bell's count on every page: unread rows of one person only.
            models.Index(
                fields=["recipient"],
                name="staff_notice_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at", "-id"], name="staff_notice_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.key})"
