"""Side effects waiting to run: written in the same transaction as the change that causes them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # Unique where set (a partial constraint): most jobs have none, and they need no entry in it.
    # NULL, not "", is "none": any number of jobs may have no key.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # Not due before this moment: the retry back-off, or the lease of the worker running it.
    available_at = models.DateTimeField(default=timezone.now)
    # When a copy was handed to the broker; cleared when a worker claims the job. The relay
    # hands over only jobs without a live copy, so a job has one queued copy at a time.
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                name="one_outbox_job_per_dedupe_key",
                condition=models.Q(dedupe_key__isnull=False),
            )
        ]
        indexes = [
            models.Index(
                fields=["available_at"],
                name="outbox_pending",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
