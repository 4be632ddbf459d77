"""Builders of projects for the projects tests (through the services, as the staff pages do)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from projects.models import Project
from projects.services import project_create

# A yard in Aktobe, about 110 m × 70 m, around the World's default case point (57.167, 50.2839).
YARD = {
    "type": "Polygon",
    "coordinates": [
        [
            [57.1665, 50.2836],
            [57.1675, 50.2836],
            [57.1675, 50.2842],
            [57.1665, 50.2842],
            [57.1665, 50.2836],
        ]
    ],
}
ROAD = {"type": "LineString", "coordinates": [[57.10, 50.30], [57.11, 50.30]]}


def project_data(world, **overrides: Any) -> dict[str, Any]:
    data = {
        "code": "aqt-yard-1",
        "title_kk": "Аула абаттандыру",
        "title_ru": "Благоустройство двора",
        "description_ru": "Двор дома 5.",
        "sector": Project.Sector.YARDS,
        "type": Project.Type.REHABILITATION,
        "status": Project.Status.IMPLEMENTATION,
        "region": world.region_a,
        "district": world.a1,
        "geometry": YARD,
        "budget_amount": 10_000_000,
        "budget_source": "Местный бюджет",
        "planned_year": timezone.localdate().year,
        "department": world.dep_a1,
    }
    data.update(overrides)
    return data


def make_project(world, *, actor=None, contracts=None, **overrides: Any) -> Project:
    return project_create(
        actor=actor or world.manager, data=project_data(world, **overrides), contracts=contracts
    )


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
