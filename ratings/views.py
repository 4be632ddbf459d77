"""The ratings' pages: public /ratings/ (list, a person's page, the method, CSV) and the staff
view of the same under /staff/ratings/, whose numbers link to the cases behind them
(`ratings.drill_views`). Every page here reads the materialised figures only."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from oversight.views.access import page_viewer
from ratings import selectors
from ratings.charts import person_chart
from ratings.drill import MEASURES
from ratings.drill_views import drill_url, may_drill
from ratings.figures import min_cases, prior_votes
from ratings.forms import RatingFilterForm
from ratings.formula import COMPONENTS
from ratings.models import RatingFigure
from ratings.periods import period_of

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "month YYYY-MM, quarter YYYY-Qn or year YYYY"),
    ("peer_group", "region_akim, akim (city and district akims) or head:<sector>"),
    ("region", "region code"),
    ("person", "the official's full name"),
    ("post", "the post held (English title)"),
    ("rank", "rank within the peer group; empty below the minimum number of cases"),
    ("ranked", "how many of the peer group were ranked"),
    ("score", "weighted score 0-1; empty below the minimum number of cases"),
    ("closed", "cases closed (verified or rejected) in the period"),
    ("on_time", "of those, answered within 15 working days"),
    ("on_time_low", "Wilson 95% lower bound of on_time/closed"),
    ("on_time_high", "Wilson 95% upper bound of on_time/closed"),
    ("open_end", "cases open at the end of the period"),
    ("overdue_end", "of those, past their answer deadline"),
    ("verified", "repairs verified in the period"),
    ("reopened", "of those, reopened later"),
    ("failed", "of those, accepted work found failed later"),
    ("warranty", "of those, a warranty claim later"),
    ("repeat", "closed cases with a later complaint of the same category within ~50 m"),
    ("median_days", "median working days from receipt to closing"),
    ("result_score", "citizens' score of the result, Bayesian average 1-5"),
    ("result_votes", "votes on the result"),
    ("answer_score", "citizens' score of the answer, Bayesian average 1-5"),
    ("answer_votes", "votes on the answer"),
    ("rank_moved_by", "the measure that moved the rank since the period before"),
)


def _filtered(request):
    form = RatingFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None, None
    data = form.cleaned_data if request.GET else {"kind": "month"}
    period = data.get("period") if request.GET else selectors.latest_period("month")
    rows = None
    if period is not None:
        rows = selectors.figures_in(
            period, peer_group=data.get("group") or None, region_id=data.get("region") or None
        )
    return form, period, rows


def _drill(figure: RatingFigure, user) -> dict[str, str]:
    """Links from each of a figure's numbers to the cases behind it (of this holder only), for
    staff who may open the post's drill-down; any period kind."""
    if not may_drill(user, figure.region_id):
        return {}
    period = period_of(figure.period_kind, figure.period_start)
    return {
        measure: drill_url(figure.position_id, period, measure, figure.person_id)
        for measure in MEASURES
    }


def _rows(rows, *, user=None) -> list[dict]:
    out = []
    for figure in rows:
        out.append(
            {
                "figure": figure,
                "shown": selectors.shown(figure),
                "driver": selectors.component_label(figure.rank_driver)
                if figure.rank_driver
                else "",
                "drill": _drill(figure, user) if user is not None else {},
            }
        )
    return out


def _groups(rows: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["figure"].peer_group, []).append(row)
    return [
        {"code": code, "label": selectors.peer_group_label(code), "rows": members}
        for code, members in groups.items()
    ]


def _list(request, *, staff: bool):
    form, period, rows = _filtered(request)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "period": period,
        "groups": _groups(_rows(rows, user=request.user if staff else None))
        if rows is not None and status == 200
        else [],
        "staff": staff,
        "min_cases": min_cases(),
        "query": request.GET.urlencode(),
    }
    template = "ratings/staff_list.html" if staff else "ratings/list.html"
    return render(request, template, context, status=status)


@require_GET
def ratings_list(request):
    return _list(request, staff=False)


@page_viewer
@require_GET
def staff_ratings_list(request):
    return _list(request, staff=True)


def _person(request, pk: int, *, staff: bool):
    person = get_object_or_404(selectors.rated_people(), pk=pk)
    months = selectors.person_figures(person, "month")
    history = [f for f in months if f.rank is not None or f.closed]
    context = {
        "person": person,
        "posts": selectors.posts_held(person),
        "chart": person_chart(months[-12:]) if months else None,
        "history": [
            {
                "figure": f,
                "group": selectors.peer_group_label(f.peer_group),
                "driver": selectors.component_label(f.rank_driver) if f.rank_driver else "",
                "drill": _drill(f, request.user) if staff else {},
            }
            for f in reversed(history)
        ],
        "staff": staff,
        "min_cases": min_cases(),
    }
    if staff:
        context["longer"] = [
            {
                "figure": f,
                "period": period_of(f.period_kind, f.period_start).code,
                "drill": _drill(f, request.user),
            }
            for kind in ("year", "quarter")
            for f in reversed(selectors.person_figures(person, kind))
        ]
    template = "ratings/staff_person.html" if staff else "ratings/person.html"
    return render(request, template, context)


@require_GET
def person_page(request, pk: int):
    return _person(request, pk, staff=False)


@page_viewer
@require_GET
def staff_person_page(request, pk: int):
    return _person(request, pk, staff=True)


@require_GET
def method_page(request):
    return render(
        request,
        "ratings/method.html",
        {
            "components": [
                {"label": c.label, "weight": round(c.weight * 100), "kind": c.kind}
                for c in COMPONENTS
            ],
            "min_cases": min_cases(),
            "prior_votes": int(prior_votes()),
            "columns": CSV_COLUMNS,
        },
    )


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


@require_GET
def export_csv(request):
    form, period, rows = _filtered(request)
    if form.is_bound and form.errors:
        return HttpResponse(
            "\n".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    code = period.code if period else "none"
    response["Content-Disposition"] = f'attachment; filename="ratings-{code}.csv"'
    writer = csv.writer(response)
    writer.writerow([name for name, _doc in CSV_COLUMNS])
    for f in rows or []:
        interval = selectors.shown(f)["on_time"].interval
        writer.writerow(
            _csv_value(v)
            for v in (
                period.code,
                f.peer_group,
                f.region.code,
                f.person.full_name,
                f.position.title_en,
                f.rank,
                f.ranked if f.rank else None,
                f.score,
                f.closed,
                f.on_time,
                interval[0] / 100 if interval else None,
                interval[1] / 100 if interval else None,
                f.open_end,
                f.overdue_end,
                f.verified,
                f.reopened,
                f.failed,
                f.warranty,
                f.repeat,
                f.median_days,
                f.result_score if f.result_votes else None,
                f.result_votes,
                f.answer_score if f.answer_votes else None,
                f.answer_votes,
                f.rank_driver,
            )
        )
    return response
