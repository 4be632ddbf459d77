"""Site cameras: taking the due snapshots (the beat task) and reading them for the public page.

`camera_snapshots_fetch_due()` claims the due cameras in one short transaction (their next due
moment moves on, so a second run at the same time finds nothing to do), then fetches each one
through the restricted fetcher, outside any transaction, and records the outcome: a new dated
snapshot (unless the picture did not change), or one more failure in a row; after
PROJECT_CAMERA_OFFLINE_AFTER failures the camera shows offline, and the next success brings it
back. Offline/online changes are saved with history; the per-fetch bookkeeping is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from projects.camera_fetch import Fetched, FetchFailed, FetchRefused, fetch
from projects.models import Camera, Project, Snapshot

log = logging.getLogger(__name__)

IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MAX_PIXELS = 40_000_000
TIMELAPSE_FRAMES = 48


def offline_after() -> int:
    return int(getattr(settings, "PROJECT_CAMERA_OFFLINE_AFTER", 3))


@dataclass
class FetchRound:
    claimed: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def cameras_claim_due(now: dt.datetime, limit: int = 200) -> list[Camera]:
    """The active cameras due at `now`, each moved to its next due moment before it is fetched."""
    with transaction.atomic():
        due = list(
            Camera.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_due_at__lte=now)
            .order_by("next_due_at")[:limit]
        )
        for camera in due:
            Camera.objects.filter(pk=camera.pk).update(
                next_due_at=now + dt.timedelta(minutes=camera.interval_minutes)
            )
    return due


def camera_snapshots_fetch_due(
    *, now: dt.datetime | None = None, fetcher: Callable[[str], Fetched] | None = None
) -> FetchRound:
    now = now or timezone.now()
    fetcher = fetcher or fetch
    result = FetchRound()
    due = cameras_claim_due(now)
    now = now.replace(microsecond=0)  # the snapshot's moment, and its file name
    for camera in due:
        result.claimed += 1
        try:
            got = fetcher(camera.snapshot_url)
            picture = snapshot_image_check(got)
        except (FetchRefused, FetchFailed, ValueError) as exc:
            result.failed += 1
            result.errors[camera.pk] = str(exc)[:300]
            camera_failure_record(camera.pk, str(exc))
            continue
        if snapshot_store(camera.pk, now, picture):
            result.stored += 1
        else:
            result.unchanged += 1
        camera_success_record(camera.pk, now)
    return result


@dataclass(frozen=True)
class Picture:
    body: bytes
    extension: str
    width: int
    height: int


def snapshot_image_check(got: Fetched) -> Picture:
    """The body as an image of an accepted format; ValueError if it is not one."""
    try:
        with Image.open(io.BytesIO(got.body)) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValueError(f"not a JPEG, PNG or WebP image ({image.format})")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"image of {width}×{height} pixels is too large")
            image.verify()
            return Picture(got.body, IMAGE_FORMATS[image.format], width, height)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not an image: {exc}") from None


def snapshot_store(camera_id: int, taken_at: dt.datetime, picture: Picture) -> bool:
    """Keep the picture as the camera's snapshot of `taken_at`; False when it is the same picture
    as the latest one, or a snapshot of that moment exists already (a second run)."""
    sha256 = hashlib.sha256(picture.body).hexdigest()
    latest = Snapshot.objects.filter(camera_id=camera_id).order_by("-taken_at", "-id").first()
    if latest is not None and latest.sha256 == sha256:
        return False
    snapshot = Snapshot(
        camera_id=camera_id,
        taken_at=taken_at,
        sha256=sha256,
        width=picture.width,
        height=picture.height,
    )
    try:
        with transaction.atomic():
            snapshot.image.save(
                f"snapshot{picture.extension}", ContentFile(picture.body), save=False
            )
            snapshot.save()
    except IntegrityError:
        snapshot.image.storage.delete(snapshot.image.name)
        return False
    return True


def camera_success_record(camera_id: int, now: dt.datetime) -> None:
    with transaction.atomic():
        Camera.objects.filter(pk=camera_id).update(failures_in_row=0, last_error="", last_ok_at=now)
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        if camera.offline:
            camera.offline = False
            camera._change_reason = "back online"
            camera.save(update_fields=["offline"])


def camera_failure_record(camera_id: int, error: str) -> None:
    log.info("camera %s snapshot failed: %s", camera_id, error[:200])
    with transaction.atomic():
        Camera.objects.filter(pk=camera_id).update(
            failures_in_row=F("failures_in_row") + 1, last_error=error[:300]
        )
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        if not camera.offline and camera.failures_in_row >= offline_after():
            camera.offline = True
            camera._change_reason = f"offline after {camera.failures_in_row} failures in a row"
            camera.save(update_fields=["offline"])


# Reading, for the public page.


@dataclass(frozen=True)
class CameraView:
    camera: Camera
    latest: Snapshot | None
    frames: list[Snapshot]


def cameras_of(project: Project) -> list[CameraView]:
    """The project's active cameras, each with its latest snapshot and the time-lapse frames
    (the latest TIMELAPSE_FRAMES, oldest first)."""
    views = []
    for camera in Camera.objects.filter(project=project, active=True).order_by("name", "id"):
        frames = list(camera.snapshots.order_by("-taken_at", "-id")[:TIMELAPSE_FRAMES])
        views.append(CameraView(camera, frames[0] if frames else None, frames[::-1]))
    return views


def public_snapshot(project_code: str, snapshot_id: int) -> Snapshot | None:
    return (
        Snapshot.objects.select_related("camera")
        .filter(Q(pk=snapshot_id), camera__project__code=project_code, camera__active=True)
        .first()
    )
