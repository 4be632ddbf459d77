"""Site cameras for online visits: a camera's snapshot (and optional live HLS stream) URL, its
health, and the dated snapshots kept as a time-lapse."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Camera(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="cameras",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=200)
    stream_url = models.URLField(
        _("live stream URL (HLS)"),
        max_length=500,
        blank=True,
        help_text=_("An .m3u8 playlist; leave empty when the camera only gives snapshots."),
    )
    snapshot_url = models.URLField(_("snapshot URL"), max_length=500)
    interval_minutes = models.PositiveSmallIntegerField(
        _("snapshot every (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    active = models.BooleanField(_("active"), default=True)
    # Health: kept current by projects.cameras (the snapshot task), not typed by anyone.
    failures_in_row = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    offline = models.BooleanField(_("offline"), default=False, editable=False)
    last_ok_at = models.DateTimeField(_("last snapshot at"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    next_due_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Edits and offline/online changes are kept; the per-fetch bookkeeping is not (it is written
    # with update(), which makes no history row).
    history = HistoricalRecords(excluded_fields=["next_due_at", "last_error", "failures_in_row"])

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["project", "name", "id"]
        indexes = [models.Index(fields=["active", "next_due_at"], name="camera_due")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from projects.camera_fetch import url_refusal

        super().clean()
        reason = url_refusal(self.snapshot_url) if self.snapshot_url else None
        if reason:
            raise ValidationError({"snapshot_url": reason})


def snapshot_path(snapshot: Snapshot, filename: str) -> str:
    taken = timezone.localtime(snapshot.taken_at)
    return (
        f"projects/cameras/{snapshot.camera_id}/{taken:%Y/%m/%d}/"
        f"{taken:%H%M%S}-{snapshot.sha256[:12]}{filename[filename.rfind('.') :]}"
    )


class Snapshot(models.Model):
    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("camera")
    )
    taken_at = models.DateTimeField(_("taken at"))
    image = models.ImageField(_("image"), upload_to=snapshot_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "taken_at"], name="one_snapshot_a_moment")
        ]
        indexes = [models.Index(fields=["camera", "-taken_at"], name="snapshot_latest")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.taken_at:%Y-%m-%d %H:%M}"
