"""The staff case list: the user's cases (through `cases_visible_to`), filtered, searched and
sorted, overdue first unless asked otherwise. Built to stay fast at a million cases: the default
view walks a partial index of open cases by due date, pages are fetched with one row more than
they show, and the total is counted only up to `COUNT_CAP` ("more than 1,000" beyond it).

The CSV export (`case_export_rows`) reads the very same query as the list, without the paging."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from casework import clock, figures, roles
from casework.models import Attachment, Case, Department, District, Escalation, EscalationLevel
from casework.selectors import cases_visible_to
from casework.states import CLOSED_STATES, OPEN_STATES
from casework.tracking import tracking_code_normal
from contractors.models import WorkOrder
from contractors.selectors import late_orders_q

PAGE_SIZE = 50
COUNT_CAP = 1000
EXPORT_MAX = 100_000
# AQT-2026-7KQ3M9XDR (casework/tracking.py), or an older AQT-2026-000123 (and shorter forms);
# an exact match on the unique index.
TRACKING_CODE = re.compile(r"^[A-Z]{2,8}(-\d+)+$|^[A-Z]{2,8}-\d{4}-[0-9A-Z]{9}$")

# The columns one may sort by (the `sort` parameter, "-" first for descending): nothing else
# reaches ORDER BY. Each ends with the id, so that pages never overlap.
SORTS: dict[str, tuple] = {
    "due": (F("due_at").asc(nulls_last=True), "id"),
    "received": ("received_at", "id"),
    "code": ("tracking_code", "id"),
    "state": ("state", F("due_at").asc(nulls_last=True), "id"),
    "category": ("category__code", F("due_at").asc(nulls_last=True), "id"),
    "district": ("district__code", F("due_at").asc(nulls_last=True), "id"),
}
SORT_KEYS = tuple(SORTS) + tuple(f"-{key}" for key in SORTS)


@dataclass
class CasePage:
    cases: list[Case]
    page: int
    has_next: bool
    total: int = 0
    total_capped: bool = False


def _searched(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    q = q.strip()
    if not q:
        return cases
    code = tracking_code_normal(q)
    if TRACKING_CODE.match(code):
        return cases.filter(tracking_code=code)
    return cases.filter(
        Q(title__icontains=q) | Q(address__icontains=q) | Q(description__icontains=q)
    )


def _descending(term):
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    return term.copy().reverse_ordering()


def _sorted(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    if sort not in SORT_KEYS:
        return cases
    terms = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        terms = tuple(_descending(term) for term in terms)
    return cases.order_by(*terms)


def case_queryset(user, filters: dict) -> QuerySet[Case]:
    """The user's cases as the list's filters (`CaseFilterForm.cleaned_data`) select and sort
    them: what the list pages through and the CSV export writes out."""
    cases = cases_visible_to(user).select_related("category", "district", "department")
    show = filters.get("show") or "open"
    if show == "open":
        cases = cases.filter(state__in=OPEN_STATES).order_by("due_at", "id")
    elif show == "overdue":
        cases = cases.filter(state__in=OPEN_STATES, due_at__lt=clock.now()).order_by("due_at", "id")
    elif show == "closed":
        cases = cases.filter(state__in=CLOSED_STATES).order_by("-id")
    elif show.startswith("state:"):
        state = show.split(":", 1)[1]
        cases = cases.filter(state=state)
        cases = cases.order_by("-id") if state in CLOSED_STATES else cases.order_by("due_at", "id")
    else:  # all: open ones first, the most overdue first; then the closed, newest first
        cases = cases.order_by(F("closed_at").desc(nulls_first=True), "due_at", "-id")
    cases = _searched(cases, filters.get("q") or "")
    for name in ("category", "district", "department"):
        if filters.get(name) is not None:
            cases = cases.filter(**{name: filters[name]})
    if filters.get("flagged"):
        cases = cases.filter(
            Exists(
                Escalation.objects.filter(
                    case=OuterRef("pk"),
                    level=EscalationLevel.INVESTIGATORS,
                    fired_at__isnull=False,
                )
            )
        )
    cases = _drilled(cases, filters)
    return _sorted(cases, filters.get("sort") or "")


# The dashboard's figures (casework.figures), each a filter of its own; a month is a
# `figures.Month`.
MONTH_FILTERS = {
    "received": figures.received_q,
    "closed": figures.closed_q,
    "overdue_at": figures.overdue_q,
}
DRILL_DOWN_FIELDS = (
    *MONTH_FILTERS,
    "escalated",
    "level",
    "late_stage_in",
    "stage",
    "late_orders_in",
    "contractor",
)


def _drilled(cases: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    for name, condition in MONTH_FILTERS.items():
        if filters.get(name):
            cases = cases.filter(condition(filters[name]))
    level = filters.get("level")
    if filters.get("escalated"):
        cases = cases.filter(figures.escalated_q(filters["escalated"], level))
    elif level:
        cases = cases.filter(
            Exists(
                Escalation.objects.filter(case=OuterRef("pk"), level=level, fired_at__isnull=False)
            )
        )
    if filters.get("late_stage_in"):
        cases = cases.filter(
            figures.late_stage_q(filters["late_stage_in"], filters.get("stage") or None)
        )
    if filters.get("late_orders_in"):
        month = filters["late_orders_in"]
        cases = cases.filter(late_orders_q(month.start, month.end, filters.get("contractor")))
    elif filters.get("contractor"):
        cases = cases.filter(
            Exists(
                WorkOrder.objects.filter(case=OuterRef("pk"), contractor_id=filters["contractor"])
            )
        )
    return cases


def case_list(user, filters: dict) -> CasePage:
    cases = case_queryset(user, filters)
    page = filters.get("page") or 1
    start = (page - 1) * PAGE_SIZE
    rows = list(cases[start : start + PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    has_next = len(rows) > PAGE_SIZE
    if not has_next:
        total = start + len(shown)  # the last page tells the total without counting
    else:
        total = cases.order_by().values("pk")[: COUNT_CAP + 1].count()
    return CasePage(
        shown, page, has_next, total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP
    )


def case_export_rows(user, filters: dict) -> Iterator[Case]:
    """Every case of the list (all its pages, up to `EXPORT_MAX`), read in chunks."""
    cases = case_queryset(user, {**filters, "page": None})
    return cases[:EXPORT_MAX].iterator(chunk_size=2000)


def case_thumbnails(cases: list[Case]) -> dict[int, Attachment]:
    """The first photo of each case (the complaint's, else any), for the list's thumbnails; one
    query for the page."""
    first: dict[int, Attachment] = {}
    photos = Attachment.objects.filter(
        case_id__in=[case.pk for case in cases], content_type__startswith="image/"
    ).order_by("case_id", "uploaded_at", "id")
    for photo in photos.only("id", "case_id", "kind", "uploaded_at", "content_type"):
        current = first.get(photo.case_id)
        if current is None or (
            current.kind != Attachment.Kind.COMPLAINT and photo.kind == Attachment.Kind.COMPLAINT
        ):
            first[photo.case_id] = photo
    return first


def filter_scope(user) -> tuple[QuerySet[District], QuerySet[Department]]:
    """The districts and departments the list's filters offer: those where the user's roles let
    them see cases (a clerk's district, an officer's department, an investigator's region...)."""
    if getattr(user, "is_superuser", False):
        return District.objects.order_by("code"), Department.objects.order_by("code")
    profile = getattr(user, "staff_profile", None)
    held = roles.user_roles(user)
    if profile is None:
        return District.objects.none(), Department.objects.none()
    districts, departments = Q(pk__in=[]), Q(pk__in=[])
    if held & {roles.INVESTIGATOR, roles.MANAGER} and profile.region_id:
        districts |= Q(region_id=profile.region_id)
        departments |= Q(district__region_id=profile.region_id)
    if roles.CLERK in held and profile.district_id:
        districts |= Q(pk=profile.district_id)
        # The district's cases go to any department of its region.
        region = profile.region_id or profile.district.region_id
        departments |= Q(district__region_id=region)
    if held & {roles.OFFICER, roles.INSPECTOR} and profile.department_id:
        departments |= Q(pk=profile.department_id)
    return (
        District.objects.filter(districts).distinct().order_by("code"),
        Department.objects.filter(departments).distinct().order_by("code"),
    )
