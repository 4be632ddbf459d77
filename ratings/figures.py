"""Materialising the figures: measures per holder and period (`ratings.measures`), turned into
the published rating (`ratings.formula`) within each peer group, written to `RatingFigure`.

Run nightly (`ratings.tasks.ratings_refresh`) and on demand (`manage.py ratings_refresh`); a
refresh replaces the year's rows in one transaction, so readers see the old or the new set."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction

from casework import clock
from casework.deadlines import local_zone
from casework.models import CategoryRouting
from oversight.models import Position
from ratings.formula import (
    COMPONENTS,
    bayesian_average,
    proportion_value,
    rank_driver,
    ranks,
    score_value,
    weighted,
)
from ratings.measures import Measures, measures_for
from ratings.models import RatingFigure
from ratings.periods import period_of

K = Position.Kind
REGION_AKIMS = "region_akim"
AKIMS = "akim"


def min_cases() -> int:
    return int(getattr(settings, "RATINGS_MIN_CASES", 20))


def prior_votes() -> float:
    """m of the Bayesian average: the weight of the peer group's mean, in votes."""
    return float(getattr(settings, "RATINGS_PRIOR_VOTES", 10))


def department_sectors() -> dict[int, str]:
    """A department's sector: the category most routed to it (its code; ties by code). There is
    no sector field on Department; heads are compared with heads of the same sector."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for department, code in CategoryRouting.objects.values_list("department_id", "category__code"):
        counts[department][code] += 1
    return {
        department: min(c.items(), key=lambda item: (-item[1], item[0]))[0]
        for department, c in counts.items()
    }


def peer_group_of(kind: str, department_id: int | None, sectors: dict[int, str]) -> str:
    if kind == K.REGION_AKIM:
        return REGION_AKIMS
    if kind in (K.CITY_AKIM, K.DISTRICT_AKIM):
        return AKIMS
    return f"head:{sectors.get(department_id, '-')}"


def component_values(figure: RatingFigure) -> dict[str, float | None]:
    return {
        "on_time": proportion_value("good", figure.on_time, figure.closed),
        "overdue": proportion_value("bad", figure.overdue_end, figure.open_end),
        "reopened": proportion_value("bad", figure.reopened, figure.verified),
        "failed": proportion_value("bad", figure.failed, figure.verified),
        "warranty": proportion_value("bad", figure.warranty, figure.verified),
        "repeat": proportion_value("bad", figure.repeat, figure.closed),
        "result_score": score_value(figure.result_score if figure.result_votes else None),
        "answer_score": score_value(figure.answer_score if figure.answer_votes else None),
    }


def rate_group(figures: list[RatingFigure]) -> None:
    """Scores, ranks and Bayesian averages within one peer group and period (in place)."""
    m = prior_votes()
    for score, votes, total in (
        ("result_score", "result_votes", "result_total"),
        ("answer_score", "answer_votes", "answer_total"),
    ):
        group_votes = sum(getattr(f, votes) for f in figures)
        if not group_votes:
            continue
        mean = sum(getattr(f, total) for f in figures) / group_votes
        for f in figures:
            setattr(f, score, bayesian_average(getattr(f, total), getattr(f, votes), mean, m))
    eligible = [f for f in figures if f.closed >= min_cases()]
    values = {id(f): component_values(f) for f in eligible}
    fallback = {}
    for component in COMPONENTS:
        known = [v[component.code] for v in values.values() if v[component.code] is not None]
        if known:
            fallback[component.code] = sum(known) / len(known)
    for f in eligible:
        f.contributions = weighted(values[id(f)], fallback)
        f.score = round(sum(f.contributions.values()), 6)
    for f, rank in zip(eligible, ranks([f.score for f in eligible]), strict=True):
        f.rank = rank
        f.ranked = len(eligible)


def year_days(year: int, now: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """The local days of `year` that its figures cover: up to today in the running year."""
    today = now.astimezone(local_zone()).date()
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), today)
    return None if last < first else (first, last)


def build_figures(year: int, now: dt.datetime | None = None) -> list[RatingFigure]:
    now = now or clock.now()
    days = year_days(year, now)
    if days is None:
        return []
    first, last = days
    measures = measures_for(first, last, now)
    positions = {
        p["id"]: p
        for p in Position.objects.filter(id__in={key[1] for key in measures}).values(
            "id", "kind", "region_id", "department_id"
        )
    }
    sectors = department_sectors()
    groups: dict[tuple, list[RatingFigure]] = defaultdict(list)
    for (person, position, kind, start), m in measures.items():
        post = positions[position]
        if post["region_id"] is None:
            continue
        figure = _figure(m, person, post, kind, start, now)
        figure.peer_group = peer_group_of(post["kind"], post["department_id"], sectors)
        groups[(figure.peer_group, kind, start)].append(figure)
    for figures in groups.values():
        rate_group(figures)
    out = [f for figures in groups.values() for f in figures]
    _rank_moves(out)
    return out


def _figure(m: Measures, person: int, post: dict, kind: str, start: dt.date, now) -> RatingFigure:
    return RatingFigure(
        person_id=person,
        position_id=post["id"],
        region_id=post["region_id"],
        period_kind=kind,
        period_start=start,
        closed=m.closed,
        on_time=m.on_time,
        verified=m.verified,
        reopened=m.reopened,
        failed=m.failed,
        warranty=m.warranty,
        repeat=m.repeat,
        open_end=m.open_end,
        overdue_end=m.overdue_end,
        median_days=m.median_days,
        result_votes=m.result_votes,
        result_total=m.result_total,
        answer_votes=m.answer_votes,
        answer_total=m.answer_total,
        computed_at=now,
    )


def _rank_moves(figures: list[RatingFigure]) -> None:
    """The previous period's rank, and which component moved the rank when it changed."""
    by_key = {(f.person_id, f.position_id, f.period_kind, f.period_start): f for f in figures}
    wanted = set()
    for f in figures:
        before = period_of(f.period_kind, f.period_start).previous()
        key = (f.person_id, f.position_id, f.period_kind, before.first)
        if key not in by_key:
            wanted.add(key)
    if wanted:
        for old in RatingFigure.objects.filter(
            period_start__in={key[3] for key in wanted},
            person_id__in={key[0] for key in wanted},
        ):
            by_key.setdefault(
                (old.person_id, old.position_id, old.period_kind, old.period_start), old
            )
    for f in figures:
        before = period_of(f.period_kind, f.period_start).previous()
        previous = by_key.get((f.person_id, f.position_id, f.period_kind, before.first))
        if previous is None or previous.peer_group != f.peer_group:
            continue
        f.previous_rank = previous.rank
        if f.rank is not None and previous.rank is not None and f.rank != previous.rank:
            f.rank_driver = rank_driver(f.contributions, previous.contributions)


def figures_refresh(year: int | None = None, now: dt.datetime | None = None) -> int:
    """Recompute and replace the figures of `year` (default: this year, and last year too in
    January, whose December is still settling). Returns the number of rows written."""
    now = now or clock.now()
    today = now.astimezone(local_zone()).date()
    years = [year] if year else ([today.year - 1, today.year] if today.month == 1 else [today.year])
    written = 0
    for y in years:
        figures = build_figures(y, now)
        with transaction.atomic():
            RatingFigure.objects.filter(
                period_start__gte=dt.date(y, 1, 1), period_start__lte=dt.date(y, 12, 31)
            ).delete()
            RatingFigure.objects.bulk_create(figures, batch_size=2000)
        written += len(figures)
    return written
