"""Reads of projects: the public list with its filters, one project's page, the staff lists.

Public reads never show a non-public category's complaint, not even in a count, nor anything of
a complainant.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Exists, F, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from casework.models import Case
from projects.bbox_query import BoxMeets
from projects.models import (
    Camera,
    Comment,
    Milestone,
    ProgressObservation,
    ProgressPhoto,
    Project,
    ProjectCase,
    ProjectContract,
    ProjectDocument,
    Snapshot,
)
from projects.permissions import editable_projects_q

PUBLIC_CASES_SHOWN = 20
LIST_PAGE_SIZE = 30
# The public list counts its projects only this far ("more than 300" beyond), so that a filter
# matching thousands of projects (one contractor's) costs what one matching a hundred does.
LIST_COUNT_CAP = 300
SCORECARD_CACHE_S = 600


@dataclass(frozen=True)
class ProjectFilters:
    year: int | None = None
    status: str = ""
    district: int | None = None
    sector: str = ""
    contractor: int | None = None
    # west, south, east, north
    bbox: tuple[float, float, float, float] | None = None


def projects_filtered(filters: ProjectFilters) -> QuerySet[Project]:
    projects = Project.objects.all()
    if filters.year is not None:
        projects = projects.filter(planned_year=filters.year)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.district is not None:
        projects = projects.filter(district_id=filters.district)
    if filters.sector:
        projects = projects.filter(sector=filters.sector)
    if filters.contractor is not None:
        projects = projects.filter(
            Exists(
                ProjectContract.objects.filter(
                    project=OuterRef("pk"), contract__contractor_id=filters.contractor
                )
            )
        )
    if filters.bbox is not None:
        projects = projects.filter(BoxMeets(filters.bbox))
    return projects


def public_projects(filters: ProjectFilters) -> QuerySet[Project]:
    return projects_filtered(filters).select_related("district").order_by("-planned_year", "code")


@dataclass
class ProjectListPage:
    projects: list[Project]
    number: int
    has_next: bool
    total: int
    total_capped: bool
    size: int = LIST_PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        """None when the total is capped."""
        return None if self.total_capped else max(1, math.ceil(self.total / self.size))


def public_projects_page(filters: ProjectFilters, number: int = 1) -> ProjectListPage:
    """Page `number` (from 1) of the public list, the total counted only up to LIST_COUNT_CAP.
    Always the same queries (a capped count, then the page with one row more than it shows),
    however many projects match; a page past the end shows the last one."""
    projects = public_projects(filters)
    size = LIST_PAGE_SIZE
    counted = projects.order_by().values("pk")[: LIST_COUNT_CAP + 1].count()
    capped = counted > LIST_COUNT_CAP
    number = max(1, number)
    if not capped:
        number = min(number, max(1, math.ceil(counted / size)))
    rows = list(projects[(number - 1) * size : number * size + 1])
    if not rows and number > 1:
        # Past the end of a list longer than the cap: count as far as this page to find the
        # last one.
        before = projects.order_by().values("pk")[: (number - 1) * size].count()
        number = max(1, math.ceil(before / size))
        rows = list(projects[(number - 1) * size : number * size + 1])
    return ProjectListPage(
        projects=rows[:size],
        number=number,
        has_next=len(rows) > size,
        total=min(counted, LIST_COUNT_CAP),
        total_capped=capped,
        size=size,
    )


def public_projects_changed() -> dt.datetime | None:
    """When any project last changed (for Last-Modified / ETag of the lists)."""
    return Project.objects.aggregate(at=Max("updated_at"))["at"]


def public_cases_q():
    return {"case__category__public": True}


@dataclass
class ProjectPage:
    project: Project
    milestones: list[Milestone]
    progress: ProgressObservation | None
    photos: list[ProgressPhoto]
    financial_percent: Decimal | None
    documents: list[ProjectDocument]
    contracts: list
    scorecards: dict[int, object]
    cases_count: int
    cases: list[Case]
    changed_at: dt.datetime
    published_comments: int = 0
    today: dt.date = field(default_factory=timezone.localdate)


def _scorecards(region_id: int, contractor_ids: list[int]) -> dict[int, object]:
    """The contractors' scorecards over the last twelve months in the project's region; kept a
    few minutes (a fixed number of queries for the whole region, none while kept)."""
    if not contractor_ids:
        return {}
    key = f"projects:scorecards:{region_id}"
    scores = cache.get(key)
    if scores is None:
        from contractors.scorecards import contractor_scorecards

        end = timezone.now()
        scores = {
            s.contractor_id: s
            for s in contractor_scorecards(end - dt.timedelta(days=365), end, region=region_id)
        }
        cache.set(key, scores, SCORECARD_CACHE_S)
    return {pk: scores[pk] for pk in contractor_ids if pk in scores}


def project_page(code: str) -> ProjectPage | None:
    """Everything the public page of a project shows, in a fixed number of queries."""
    project = (
        Project.objects.select_related("region", "district", "department", "responsible_position")
        .filter(code=code)
        .first()
    )
    if project is None:
        return None
    milestones = list(
        Milestone.objects.filter(project=project).select_related("responsible_position")
    )
    progress = (
        ProgressObservation.objects.filter(project=project).order_by("-observed_on", "-id").first()
    )
    # Always one query, with or without an observation: the page's query count stays fixed.
    photos = list(ProgressPhoto.objects.filter(observation_id=progress.pk if progress else None))
    documents = list(ProjectDocument.objects.filter(project=project))
    contracts = list(project.contracts.select_related("contractor").order_by("signed_on", "pk"))
    public_links = ProjectCase.objects.filter(project=project, **public_cases_q())
    cases_count = public_links.count()
    cases = list(
        Case.objects.filter(pk__in=public_links.values("case_id"))
        .select_related("category")
        .order_by("-received_at", "-pk")[:PUBLIC_CASES_SHOWN]
    )
    published_comments = Comment.objects.filter(
        project=project, status=Comment.Status.PUBLISHED
    ).count()
    changed = [project.updated_at]
    changed += [p for p in [progress.recorded_at if progress else None] if p]
    changed += [d.uploaded_at for d in documents]
    return ProjectPage(
        project=project,
        milestones=milestones,
        progress=progress,
        photos=photos,
        financial_percent=progress.financial_percent(project.budget_amount) if progress else None,
        documents=documents,
        contracts=contracts,
        scorecards=_scorecards(project.region_id, sorted({c.contractor_id for c in contracts})),
        cases_count=cases_count,
        cases=cases,
        changed_at=max(changed),
        published_comments=published_comments,
    )


def project_page_version(code: str) -> tuple | None:
    """What the public page of a project shows besides the project row, in one query: the
    latest snapshot, comments and their moderation, linked complaints, cameras going offline.
    None for an unknown project."""
    newest = lambda qs, field: Subquery(qs.order_by(f"-{field}").values(field)[:1])  # noqa: E731
    return (
        Project.objects.filter(code=code)
        .annotate(
            snapshot=newest(Snapshot.objects.filter(camera__project=OuterRef("pk")), "id"),
            comment=newest(Comment.objects.filter(project=OuterRef("pk")), "id"),
            moderated=newest(
                Comment.objects.filter(project=OuterRef("pk"), moderated_at__isnull=False),
                "moderated_at",
            ),
            linked=newest(ProjectCase.objects.filter(project=OuterRef("pk")), "linked_at"),
            offline=newest(Camera.objects.filter(project=OuterRef("pk"), offline=True), "id"),
        )
        .values_list("updated_at", "snapshot", "comment", "moderated", "linked", "offline")
        .first()
    )


def projects_editable_by(user) -> QuerySet[Project]:
    return (
        Project.objects.filter(editable_projects_q(user))
        .select_related("district", "department")
        .order_by("-planned_year", "code")
    )


def project_for_staff(user, code: str) -> Project | None:
    return Project.objects.filter(editable_projects_q(user), code=code).first()


def projects_of_case(case: Case | int) -> QuerySet[Project]:
    """The projects a case is linked to (for the staff case page)."""
    pk = getattr(case, "pk", case)
    return Project.objects.filter(case_links__case_id=pk).order_by("code")


def latest_progress_by_project(project_ids: list[int]) -> dict[int, ProgressObservation]:
    """The latest observation of each project, in one query."""
    latest: dict[int, ProgressObservation] = {}
    rows = ProgressObservation.objects.filter(project_id__in=project_ids).order_by(
        "project_id", F("observed_on").desc(), "-id"
    )
    for row in rows:
        latest.setdefault(row.project_id, row)
    return latest
