"""The dated figures of red-flag hits: what a hit's money at stake, score and moment were from
when on (`RedFlagHitFigures`), so that a closed month's report reads them as they stood at its
end, however new evidence changes them later. `hits_store` calls `figures_record` with the hits
it created or changed; a row is added only where the figures differ from the latest one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from oversight.models import RedFlagHit, RedFlagHitFigures

FIGURES = ("money_kzt", "score", "occurred_at")
CHUNK = 5000


def _latest(hit_ids: list[int]) -> dict[int, tuple]:
    latest: dict[int, tuple] = {}
    for start in range(0, len(hit_ids), CHUNK):
        rows = (
            RedFlagHitFigures.objects.filter(hit_id__in=hit_ids[start : start + CHUNK])
            .order_by("hit_id", "recorded_at", "id")
            .values_list("hit_id", *FIGURES)
        )
        for hit_id, *values in rows:
            latest[hit_id] = tuple(values)
    return latest


def figures_record(hits: Iterable[RedFlagHit], now: dt.datetime) -> int:
    """Record, as of `now`, the figures of each hit that differ from its latest recorded ones
    (every new hit's). Returns how many rows were added."""
    by_pk = {hit.pk: hit for hit in hits if hit.pk is not None}
    latest = _latest(sorted(by_pk))
    rows = [
        RedFlagHitFigures(
            hit=hit, recorded_at=now, **{name: getattr(hit, name) for name in FIGURES}
        )
        for pk, hit in sorted(by_pk.items())
        if latest.get(pk) != tuple(getattr(hit, name) for name in FIGURES)
    ]
    RedFlagHitFigures.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
