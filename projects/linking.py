"""Complaints joined to projects.

A case is linked to a project when its point lies within PROJECT_CASE_BUFFER_M metres of the
project's geometry (inside a polygon, near a line or a point) and it was received while the
project was linkable: in implementation or completion (from the works' start), or completed with
its warranty running (until `warranty_until`).

The database narrows the candidates with plain bounding-box comparisons (indexed on both sides);
the exact distance is computed here in Python, so SQLite works as PostgreSQL does (no PostGIS).

Links are made after commit by outbox jobs: one when a case with a point is opened near a
linkable project, one when a project is saved; `manage.py projects_link_cases` recomputes all.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.dispatch import receiver

from casework import deadlines, outbox
from casework.models import Case
from casework.signals import case_changed
from projects.geometry import METRES_PER_DEGREE, bbox_buffered, geometry_distance_m
from projects.models import Milestone, Project, ProjectCase
from projects.models.project import project_touch

CASE_JOB_KIND = "projects_case_link"
PROJECT_JOB_KIND = "projects_project_link"
RUNNING = (Project.Status.IMPLEMENTATION, Project.Status.COMPLETION)


def buffer_m() -> float:
    return float(getattr(settings, "PROJECT_CASE_BUFFER_M", 30))


def linkable_q(on: dt.date) -> Q:
    """Projects that take in complaints received on `on` (the works' start is checked per
    project: see `case_window`)."""
    return Q(status__in=RUNNING) | Q(status=Project.Status.COMPLETED, warranty_until__gte=on)


def case_window(project: Project) -> tuple[dt.date, dt.date | None] | None:
    """The days whose complaints the project takes in: from the works' start (the first actual
    start of a milestone, else 1 January of the planned year) to the warranty's end, or open
    while the works run; None when it takes in none."""
    if project.status in RUNNING:
        end = None
    elif project.status == Project.Status.COMPLETED and project.warranty_until:
        end = project.warranty_until
    else:
        return None
    first = Milestone.objects.filter(project=project).aggregate(start=Min("actual_start"))["start"]
    start = first or dt.date(project.planned_year, 1, 1)
    return start, end


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(deadlines.local_zone()).date()


def _degrees(metres: float, lat: float) -> tuple[float, float]:
    dlat = metres / METRES_PER_DEGREE
    return dlat / max(0.01, math.cos(math.radians(abs(lat) + dlat))), dlat


def _near_point_q(lon: float, lat: float) -> Q:
    dlon, dlat = _degrees(buffer_m(), lat)
    return Q(
        min_lon__lte=lon + dlon,
        max_lon__gte=lon - dlon,
        min_lat__lte=lat + dlat,
        max_lat__gte=lat - dlat,
    )


def projects_near_case(case: Case) -> list[Project]:
    """The projects that should hold `case` (none when it has no point)."""
    if case.latitude is None or case.longitude is None:
        return []
    lon, lat = float(case.longitude), float(case.latitude)
    day = _local_day(case.received_at)
    found = []
    for project in Project.objects.filter(_near_point_q(lon, lat), linkable_q(day)):
        window = case_window(project)
        if window is None or day < window[0] or (window[1] is not None and day > window[1]):
            continue
        if geometry_distance_m(project.geometry, lon, lat) <= buffer_m():
            found.append(project)
    return found


def case_link(case: Case | int) -> int:
    """Link the case to the projects it lies in; returns how many links were new."""
    case = case if isinstance(case, Case) else Case.objects.filter(pk=case).first()
    if case is None:
        return 0
    projects = projects_near_case(case)
    have = set(ProjectCase.objects.filter(case=case).values_list("project_id", flat=True))
    new = [p for p in projects if p.pk not in have]
    ProjectCase.objects.bulk_create(
        [ProjectCase(project=p, case=case) for p in new], ignore_conflicts=True
    )
    for project in new:
        project_touch(project.pk)
    return len(new)


def project_link_cases(project: Project | int) -> tuple[int, int]:
    """Recompute the project's links from its place, status and dates: add the cases that
    belong, drop those that no longer do (a corrected geometry). Returns (added, removed)."""
    project = project if isinstance(project, Project) else Project.objects.get(pk=project)
    window = case_window(project)
    wanted: set[int] = set()
    if window is not None:
        west, south, east, north = bbox_buffered(
            (project.min_lon, project.min_lat, project.max_lon, project.max_lat), buffer_m()
        )
        zone = deadlines.local_zone()
        start = dt.datetime.combine(window[0], dt.time.min, tzinfo=zone)
        cases = Case.objects.filter(
            longitude__gte=west,
            longitude__lte=east,
            latitude__gte=south,
            latitude__lte=north,
            received_at__gte=start,
        )
        if window[1] is not None:
            end = dt.datetime.combine(window[1] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
            cases = cases.filter(received_at__lt=end)
        for pk, lon, lat in cases.values_list("pk", "longitude", "latitude").iterator():
            if geometry_distance_m(project.geometry, float(lon), float(lat)) <= buffer_m():
                wanted.add(pk)
    have = set(ProjectCase.objects.filter(project=project).values_list("case_id", flat=True))
    gone = have - wanted
    if gone:
        ProjectCase.objects.filter(project=project, case_id__in=gone).delete()
    ProjectCase.objects.bulk_create(
        [ProjectCase(project=project, case_id=pk) for pk in sorted(wanted - have)],
        ignore_conflicts=True,
    )
    if gone or wanted - have:
        project_touch(project.pk)
    return len(wanted - have), len(gone)


def project_links_enqueue(project: Project) -> None:
    outbox.enqueue(PROJECT_JOB_KIND, {"project": project.pk})


@receiver(case_changed, dispatch_uid="projects.linking.case_opened")
def _case_opened(sender, case: Case, transition: str, **kwargs) -> None:
    """A new case with a point near a linkable project gets its link job, written with the case
    (the check is one indexed query on the small projects table; most cases pay nothing more)."""
    if transition != "open" or case.latitude is None or case.longitude is None:
        return
    lon, lat = float(case.longitude), float(case.latitude)
    day = _local_day(case.received_at)
    if Project.objects.filter(_near_point_q(lon, lat), linkable_q(day)).exists():
        outbox.enqueue(CASE_JOB_KIND, {"case": case.pk}, dedupe_key=f"{CASE_JOB_KIND}:{case.pk}")


@outbox.handler(CASE_JOB_KIND)
def projects_case_link(payload: dict[str, Any]) -> None:
    with transaction.atomic():
        case_link(int(payload["case"]))


@outbox.handler(PROJECT_JOB_KIND)
def projects_project_link(payload: dict[str, Any]) -> None:
    project = Project.objects.filter(pk=int(payload["project"])).first()
    if project is not None:
        with transaction.atomic():
            project_link_cases(project)
