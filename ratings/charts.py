"""A person's measures over time as a small line chart, drawn as inline SVG on the server (no
script, so the strict Content-Security-Policy holds), with a table of the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ratings.models import RatingFigure
from ratings.periods import period_of

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 320, 160, 30, 10, 24
SERIES_COLOURS = ("#1d5fa8", "#b5470b")  # 4.5:1 on white


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _y(percent: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100)


def person_chart(figures: list[RatingFigure]) -> dict:
    """On-time rate and score (both 0–100) per month, oldest first."""
    months = sorted({f.period_start for f in figures})
    step = (WIDTH - LEFT - 10) / max(len(months) - 1, 1)
    xs = {month: LEFT + i * step for i, month in enumerate(months)}
    on_time: dict = {}
    score: dict = {}
    for f in figures:
        if f.closed:
            on_time[f.period_start] = round(100 * f.on_time / f.closed)
        if f.score is not None:
            score[f.period_start] = round(100 * f.score)
    series = [
        Series(
            _("Answered within 15 working days, per cent"),
            SERIES_COLOURS[0],
            [Point(xs[m], _y(v), v) for m, v in sorted(on_time.items())],
        ),
        Series(
            _("Score, 0–100"),
            SERIES_COLOURS[1],
            [Point(xs[m], _y(v), v) for m, v in sorted(score.items())],
        ),
    ]
    labels = [
        {
            "x": xs[m],
            "text": period_of("month", m).code,
            "on_time": on_time.get(m),
            "score": score.get(m),
        }
        for m in months
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "series": series,
        "labels": labels,
        "grid": [{"y": _y(v), "value": v} for v in (0, 50, 100)],
        "axis_y": HEIGHT - BOTTOM + 14,
    }
