"""Builders for the camera, comment and follow tests (projcams)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from projects.models import Camera, Project, Snapshot


def visit_project(world, code: str = "yard-12", **fields) -> Project:
    values = {
        "title_kk": "Аула жөндеу",
        "title_ru": "Ремонт двора",
        "sector": Project.Sector.YARDS,
        "type": Project.Type.REHABILITATION,
        "status": Project.Status.IMPLEMENTATION,
        "region": world.region_a,
        "district": world.a1,
        "geometry": {"type": "Point", "coordinates": [57.2, 50.28]},
        "budget_amount": Decimal("12000000"),
        "planned_year": timezone.localdate().year,
        "department": world.dep_a1,
    }
    values.update(fields)
    return Project.objects.create(code=code, **values)


def frame_jpeg(index: int, size=(96, 64)) -> bytes:
    """A distinct small JPEG for time-lapse frame `index`."""
    image = Image.new("RGB", size, (40 + 15 * (index % 12), 90, 140))
    ImageDraw.Draw(image).rectangle([4 + index * 3, 8, 20 + index * 3, 40], fill=(240, 200, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def camera_with_frames(project: Project, frames: int = 5, **fields) -> Camera:
    camera = Camera.objects.create(
        project=project,
        name=fields.pop("name", "Yard camera"),
        snapshot_url=fields.pop("snapshot_url", "https://cam.example.kz/yard.jpg"),
        **fields,
    )
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=frames)
    for index in range(frames):
        body = frame_jpeg(index)
        snapshot = Snapshot(
            camera=camera,
            taken_at=start + dt.timedelta(hours=index),
            sha256=hashlib.sha256(body).hexdigest(),
            width=96,
            height=64,
        )
        snapshot.image.save("snapshot.jpg", ContentFile(body), save=False)
        snapshot.save()
    return camera


@pytest.fixture(autouse=True)
def own_rate_limit_counters(settings):
    """Each test counts its requests apart from every other test's (import it into a test
    module to use it there; tests/intake/conftest.py does the same for intake)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test-{uuid.uuid4().hex}:"
