"""The staff case list: the user's cases (through `cases_visible_to`), filtered and searched,
overdue first. Built to stay fast at a million cases: the default view walks a partial index
of open cases by due date, and pages are fetched without counting the whole list."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from casework import clock
from casework.models import Case, Escalation, EscalationLevel
from casework.selectors import cases_visible_to
from casework.states import CLOSED_STATES, OPEN_STATES

PAGE_SIZE = 50
# AQT-2026-000123 (and shorter forms); an exact match on the unique index.
TRACKING_CODE = re.compile(r"^[A-Z]{2,8}(-\d+)+$")


@dataclass
class CasePage:
    cases: list[Case]
    page: int
    has_next: bool


def _searched(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    q = q.strip()
    if not q:
        return cases
    if TRACKING_CODE.match(q.upper()):
        return cases.filter(tracking_code=q.upper())
    return cases.filter(
        Q(title__icontains=q) | Q(address__icontains=q) | Q(description__icontains=q)
    )


def case_list(user, filters: dict) -> CasePage:
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
    page = filters.get("page") or 1
    start = (page - 1) * PAGE_SIZE
    rows = list(cases[start : start + PAGE_SIZE + 1])
    return CasePage(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)
