"""The audit chain: append-only case events, each hash covering the one before it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Case events are append-only.")

    def delete(self):
        raise PermissionError("Case events are append-only.")


class CaseEvent(models.Model):
    """One thing that happened to a case. Written only by `casework.audit.event_append`."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("number on the case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="one_event_per_case_seq"),
        ]
        indexes = [models.Index(fields=["action", "created_at"], name="event_action_time")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Case events are append-only.")


class AuditHead(models.Model):
    """The single row that serialises appends to the chain and remembers its tip."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head: {self.count} events, {self.last_hash[:12]}"
