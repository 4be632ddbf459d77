"""The dated figures of red-flag hits: what a hit's money at stake, score and moment were from
when on (`RedFlagHitFigures`), so that a closed month's report reads them as they stood at its
end, however new evidence changes them later. `hits_store` calls `figures_record` with the hits
it created, and those whose figures it changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from oversight.models import RedFlagHit, RedFlagHitFigures

FIGURES = ("money_kzt", "score", "occurred_at")


def figures_record(hits: Iterable[RedFlagHit], now: dt.datetime) -> int:
    """Record, as of `now`, the figures of `hits`: the new ones and those whose money, score or
    moment `hits_store` has just changed. A hit's stored figures always equal its latest row
    (migration 0008 gave every earlier hit its first), so the caller knows which differ without
    reading the rows back. Returns how many rows were added."""
    rows = [
        RedFlagHitFigures(
            hit=hit, recorded_at=now, **{name: getattr(hit, name) for name in FIGURES}
        )
        for hit in hits
        if hit.pk is not None
    ]
    RedFlagHitFigures.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
