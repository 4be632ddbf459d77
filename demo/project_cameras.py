"""The demo project with a site camera: a yard in Aktobe whose camera's time-lapse is made of
twelve generated pictures (the yard's works, day by day), and two published comments.

Idempotent: the project, camera and commenters are found by natural key; the snapshots and
comments are made only when there are none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from casework.crypto import blind_index
from projects.models import Camera, Comment, Commenter, Project, Snapshot

CODE = "demo-camera-yard"
FRAMES = 12
# The demo camera has no real host: it is never due, so the beat task leaves it alone.
NEVER = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _frame(day: int) -> bytes:
    """Day `day` of the works: the playground's surface is laid strip by strip."""
    image = Image.new("RGB", (640, 360), (150, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 220, 640, 360], fill=(120, 110, 95))
    done = int(640 * (day + 1) / FRAMES)
    draw.rectangle([0, 240, done, 360], fill=(60, 140, 80))
    draw.rectangle([40, 120, 200, 240], fill=(200, 160, 110))
    draw.rectangle([420, 150 - day * 4, 600, 240], fill=(230, 200, 60))
    draw.text((12, 12), f"Day {day + 1}", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _commenter(email: str, name: str, now: dt.datetime) -> Commenter:
    commenter, _made = Commenter.objects.get_or_create(
        email_index=blind_index(email),
        defaults={"email": email, "display_name": name, "confirmed_at": now},
    )
    return commenter


def project_cameras_seed(world) -> int:
    """Make the demo camera project; returns the snapshots made."""
    now = timezone.now().replace(microsecond=0)
    region = world.regions["AQT"]
    district = next(d for code, d in world.districts.items() if code.startswith("AQT-"))
    project, _made = Project.objects.get_or_create(
        code=CODE,
        defaults={
            "title_kk": "Ауладағы ойын алаңын абаттандыру",
            "title_ru": "Благоустройство детской площадки во дворе",
            "description_ru": "Покрытие площадки, скамейки и освещение двора.",
            "description_kk": "Алаң жабыны, орындықтар және аула жарығы.",
            "sector": Project.Sector.YARDS,
            "type": Project.Type.REHABILITATION,
            "status": Project.Status.IMPLEMENTATION,
            "region": region,
            "district": district,
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [57.205, 50.283],
                        [57.208, 50.283],
                        [57.208, 50.285],
                        [57.205, 50.285],
                        [57.205, 50.283],
                    ]
                ],
            },
            "budget_amount": Decimal("48500000"),
            "budget_source": "Местный бюджет",
            "planned_year": timezone.localdate().year,
        },
    )
    camera, _made = Camera.objects.get_or_create(
        project=project,
        name="Двор, камера 1",
        defaults={
            "snapshot_url": "https://cam.example.kz/demo-yard.jpg",
            "interval_minutes": 1440,
            "last_ok_at": now,
        },
    )
    Camera.objects.filter(pk=camera.pk).update(next_due_at=NEVER)
    made = 0
    if not camera.snapshots.exists():
        for day in range(FRAMES):
            body = _frame(day)
            snapshot = Snapshot(
                camera=camera,
                taken_at=now - dt.timedelta(days=FRAMES - 1 - day),
                sha256=hashlib.sha256(body).hexdigest(),
                width=640,
                height=360,
            )
            snapshot.image.save("snapshot.jpg", ContentFile(body), save=False)
            snapshot.save()
            made += 1
    if not project.comments.exists():
        for email, name, text in (
            ("demo.citizen1@example.kz", "Айжан", "Когда откроют площадку? Дети ждут."),
            ("demo.citizen2@example.kz", "Марат", "Просим поставить освещение у скамеек."),
        ):
            Comment.objects.create(
                project=project,
                commenter=_commenter(email, name, now),
                display_name=name,
                text=text,
                status=Comment.Status.PUBLISHED,
            )
    return made
