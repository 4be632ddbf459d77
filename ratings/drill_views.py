"""The staff drill-down: from any figure of any period kind (month, quarter, year) to the cases
behind it, per measure and per holder of the post (`ratings.drill`).

Who may open it: as the other staff ratings pages (`page_viewer`: investigators and managers,
superusers), and only for the posts of the viewer's own region (a superuser's: any), whose cases
the viewer may open; any other post is a 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from casework.events import event_label
from casework.models import Case
from oversight.models import Person, Position
from oversight.profiles import page_region_id
from oversight.views.access import page_viewer
from ratings.drill import FIGURE_COUNT, MEASURES, OPEN, CaseRow, Tally, post_case_rows, tallies
from ratings.forms import DrillForm
from ratings.measures import RATED_KINDS
from ratings.models import RatingFigure
from ratings.periods import Period, period_parse

LIST_LIMIT = 1000  # cases listed on one page; the counts are always complete


def _detail(measure: str) -> str:
    """What the list shows of each case besides the decision: the working days a closing took,
    an open case's answer deadline, or a vote's score."""
    if measure in ("open_end", "overdue_end"):
        return "due"
    if measure in ("result", "answer"):
        return measure
    return "days"


def may_drill(user, region_id: int | None) -> bool:
    """Whether `user` may open the drill-down of a post of the region."""
    if user.is_superuser:
        return True
    return region_id is not None and page_region_id(user) == region_id


def drill_url(
    position_id: int, period: Period, measure: str = "closed", person_id: int | None = None
) -> str:
    query = {"measure": measure}
    if person_id is not None:
        query["person"] = person_id
    return (
        reverse("ratings_staff:post_cases", args=[position_id, period.code])
        + "?"
        + urlencode(query)
    )


def _cell(tally: Tally | None, measure: str) -> dict:
    tally = tally or Tally(Counter(), Counter())
    cell: dict = {"count": tally.counts.get(measure, 0)}
    if measure == "days":
        cell["median"] = tally.median_days
    elif measure in ("result", "answer") and cell["count"]:
        total = tally.result_total if measure == "result" else tally.answer_total
        cell["mean"] = total / cell["count"]
    return cell


def _stale(cell: dict, figure: RatingFigure | None, measure: str) -> float | None:
    """The materialised figure's value when the cases counted now differ from it."""
    if figure is None:
        return None
    if measure == "days":
        return None if figure.median_days == cell["median"] else figure.median_days
    value = getattr(figure, FIGURE_COUNT[measure])
    return None if value == cell["count"] else value


def _matrix(position, period, holders, per_person, post, figures) -> list[dict]:
    rows = []
    for measure, label in MEASURES.items():
        cells = []
        for person in holders:
            cell = _cell(per_person.get(person.pk), measure)
            cell["href"] = drill_url(position.pk, period, measure, person.pk)
            cell["stale"] = _stale(cell, figures.get(person.pk), measure)
            cells.append(cell)
        if len(holders) != 1:
            cell = _cell(post, measure)
            cell["href"] = drill_url(position.pk, period, measure)
            cell["stale"] = None
            cells.append(cell)
        rows.append({"code": measure, "label": label, "cells": cells})
    return rows


def _listed(
    rows: list[CaseRow], measure: str, person_id: int | None, names: dict[int, str]
) -> tuple[list[dict], int]:
    """The rows of one measure (of one holder), oldest first, up to LIST_LIMIT; and how many."""
    chosen = sorted(
        (r for r in rows if measure in r.measures and person_id in (None, r.person_id)),
        key=lambda r: (r.day, r.case_id, r.person_id),
    )
    cases = Case.objects.select_related("category").in_bulk(
        [r.case_id for r in chosen[:LIST_LIMIT]]
    )
    return [
        {
            "row": r,
            "case": cases[r.case_id],
            "decision": _("Open at the end of the period")
            if r.decision == OPEN
            else event_label(r.decision),
            "holder": names.get(r.person_id, ""),
        }
        for r in chosen[:LIST_LIMIT]
        if r.case_id in cases
    ], len(chosen)


def _holders(rows: list[CaseRow], figures: dict[int, RatingFigure]) -> list[Person]:
    """The post's holders in the period, in the order they held it."""
    first_day: dict[int, dt.date] = {}
    for row in rows:
        if row.person_id not in first_day or row.day < first_day[row.person_id]:
            first_day[row.person_id] = row.day
    people = Person.objects.in_bulk(set(first_day) | set(figures))
    return sorted(
        people.values(),
        key=lambda p: (first_day.get(p.pk, dt.date.max), p.full_name),
    )


@page_viewer
@require_GET
def post_cases(request, pk: int, code: str):
    position = get_object_or_404(
        Position.objects.select_related("region", "district", "department"),
        pk=pk,
        kind__in=RATED_KINDS,
    )
    if not may_drill(request.user, position.region_id):
        raise Http404(_("No such page."))
    form = DrillForm(request.GET or None)
    context: dict = {"position": position, "form": form, "code": code}
    period = period_parse(code)
    if period is None:
        context["error"] = _("Not a period: use 2026, 2026-Q3 or 2026-07.")
        return render(request, "ratings/staff_post_cases.html", context, status=400)
    context["period"] = period
    if request.GET and not form.is_valid():
        return render(request, "ratings/staff_post_cases.html", context, status=400)
    measure = form.cleaned_data["measure"] if request.GET else "closed"
    person_id = form.cleaned_data.get("person") if request.GET else None

    rows = post_case_rows(position, period)
    figures = {
        f.person_id: f
        for f in RatingFigure.objects.filter(
            position=position, period_kind=period.kind, period_start=period.first
        )
    }
    holders = _holders(rows, figures)
    if person_id is not None and person_id not in {p.pk for p in holders}:
        form.add_error("person", _("This person did not hold the post in the period."))
        return render(request, "ratings/staff_post_cases.html", context, status=400)
    per_person, post = tallies(rows)
    names = {p.pk: p.full_name for p in holders}
    listed, total = _listed(rows, measure, person_id, names)
    matrix = _matrix(position, period, holders, per_person, post, figures)
    context.update(
        {
            "holders": holders,
            "show_post": len(holders) != 1,
            "matrix": matrix,
            "measure": measure,
            "measure_label": MEASURES[measure],
            "person": names.get(person_id) if person_id else None,
            "listed": listed,
            "total": total,
            "limited": total > len(listed),
            "detail": _detail(measure),
            "computed_at": max((f.computed_at for f in figures.values()), default=None),
            "stale": any(c["stale"] is not None for row in matrix for c in row["cells"]),
        }
    )
    return render(request, "ratings/staff_post_cases.html", context)
