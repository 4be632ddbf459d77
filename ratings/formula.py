"""The published rating's arithmetic: Wilson intervals, the Bayesian average, the weighted score
and ranks. Pure functions, no database: docs/ratings-method.md and /ratings/method/ describe
the same numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Z95 = 1.96


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval (low, high) of the proportion successes/n; None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    return (max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator))


def bayesian_average(total: float, votes: int, prior_mean: float, prior_weight: float) -> float:
    """(v·R + m·C) / (v + m) with v·R = `total` (the sum of the votes): few votes stay near the
    peers' mean C, many votes speak for themselves."""
    if votes < 0 or prior_weight < 0 or votes + prior_weight == 0:
        raise ValueError("votes and prior weight must not both be zero")
    return (total + prior_weight * prior_mean) / (votes + prior_weight)


@dataclass(frozen=True)
class Component:
    """One measure's part of the score: `good` proportions count by their interval's lower
    bound, `bad` ones by one minus their upper bound, scores (1–5) as (average − 1) / 4."""

    code: str
    label: str
    weight: float
    kind: str  # "good", "bad" or "score"


COMPONENTS: tuple[Component, ...] = (
    Component("on_time", _("Answered within 15 working days"), 0.30, "good"),
    Component("overdue", _("Overdue at the end of the period"), 0.15, "bad"),
    Component("reopened", _("Reopened after verification"), 0.10, "bad"),
    Component("failed", _("Accepted work that later failed"), 0.10, "bad"),
    Component("warranty", _("Warranty claims"), 0.05, "bad"),
    Component("repeat", _("Repeat complaints at the same place"), 0.05, "bad"),
    Component("result_score", _("Citizens' score of the result"), 0.15, "score"),
    Component("answer_score", _("Citizens' score of the answer"), 0.10, "score"),
)
assert abs(sum(c.weight for c in COMPONENTS) - 1.0) < 1e-9


def proportion_value(kind: str, successes: int, n: int) -> float | None:
    interval = wilson(successes, n)
    if interval is None:
        return None
    return interval[0] if kind == "good" else 1.0 - interval[1]


def score_value(average: float | None) -> float | None:
    return None if average is None else (average - 1.0) / 4.0


def weighted(values: dict[str, float | None], fallback: dict[str, float]) -> dict[str, float]:
    """Each component's weighted contribution; a component without data (nothing to count) takes
    the peer group's mean `fallback[code]` (0.5 when the group has none either)."""
    out = {}
    for component in COMPONENTS:
        value = values.get(component.code)
        if value is None:
            value = fallback.get(component.code, 0.5)
        out[component.code] = component.weight * value
    return out


def ranks(scores: Sequence[float | None]) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) by descending score; None stays unranked."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first = {}
    for position, score in enumerate(ordered, start=1):
        first.setdefault(score, position)
    return [None if s is None else first[s] for s in scores]


def rank_driver(now: dict[str, float], before: dict[str, float]) -> str:
    """The component whose weighted contribution changed most between two periods."""
    codes: Iterable[str] = [c.code for c in COMPONENTS]
    return max(codes, key=lambda code: (abs(now.get(code, 0.0) - before.get(code, 0.0)), code))
