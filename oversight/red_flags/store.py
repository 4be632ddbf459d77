"""Storing what the indicators found: one row per hit key, updated in place.

`hits_store(indicator, found, within)` makes the stored hits within `within` (a filter on
`RedFlagHit`) match what was found (`hits_store_many` does it for the indicators of one job in
one read and one write of each kind): new hits are created; changed ones are updated; a dismissed
hit whose evidence grew is reopened; a hit no longer found is resolved (kept, with its
decisions); a resolved hit found again is reopened. Every status change is a `RedFlagDecision`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import transaction
from django.db.models import Q

from casework import clock
from oversight.models import RedFlagDecision, RedFlagHit
from oversight.red_flags.base import Found, Indicator
from oversight.red_flags.figures import FIGURES, figures_record

Status = RedFlagHit.Status
Action = RedFlagDecision.Action
FIELDS = (
    "subject_kind",
    "subject_id",
    "subject_name",
    "evidence",
    "money_kzt",
    "score",
    "details",
    "region_id",
    "district_id",
    "department_id",
    "case_id",
    "contractor_id",
    "person_id",
    "occurred_at",
)


@dataclass
class Stored:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0
    keys: set[str] = field(default_factory=set)


def _values(found: Found) -> dict:
    return {name: getattr(found, name) for name in FIELDS}


def _decide(hit: RedFlagHit, action: str, now, *, user=None, reason: str = "") -> RedFlagDecision:
    return RedFlagDecision(
        hit=hit,
        action=action,
        decided_by=user,
        decided_at=now,
        reason=reason,
        evidence=hit.evidence,
    )


def hits_store(indicator: Indicator, found: list[Found], within: Q) -> Stored:
    """Make the stored hits of `indicator` within `within` equal to `found`."""
    return hits_store_many([(indicator, found, within)])[indicator.code]


def hits_store_many(runs: list[tuple[Indicator, list[Found], Q]]) -> dict[str, Stored]:
    """`hits_store` for several indicators at once (the indicators of one job): their stored
    hits read in one query and written in one statement per kind of write, instead of one
    round of reads and writes per indicator. Returns what was stored per indicator code."""
    now = clock.now()
    results = {indicator.code: Stored(keys={f.key for f in found}) for indicator, found, _ in runs}
    # No savepoint: inside the outbox job's transaction a failure fails the job (retried later).
    with transaction.atomic(savepoint=False):
        # In one query, locked in id order: the hits within, and those found that are stored
        # outside it (their subject moved). Found hits are never resolved, so every other row
        # read is one within: `recomputed - result.keys` are the hits no longer found.
        wanted = []
        for indicator, _found, within in runs:
            keys = results[indicator.code].keys
            if within and keys:
                within = within | Q(key__in=sorted(keys))
            wanted.append(Q(indicator=indicator.code) & within)
        stored = RedFlagHit.objects.select_for_update().filter(reduce(operator.or_, wanted))
        existing: dict[str, dict[str, RedFlagHit]] = {code: {} for code in results}
        for hit in stored.order_by("pk"):
            existing[hit.indicator][hit.key] = hit
        new_hits, changed, decisions, seen, refigured = [], [], [], [], []
        for indicator, found, _within in runs:
            result = results[indicator.code]
            mine = existing[indicator.code]
            first_new, first_changed, first_decision = len(new_hits), len(changed), len(decisions)
            _compare(found, mine, now, new_hits, changed, decisions, seen, refigured)
            for key in sorted(set(mine) - result.keys):
                hit = mine[key]
                if hit.status != Status.RESOLVED:
                    hit.status = Status.RESOLVED
                    changed.append(hit)
                    decisions.append((hit, Action.RESOLVED))
                    result.resolved += 1
            result.created = len(new_hits) - first_new
            result.updated = len(changed) - first_changed - result.resolved
            result.reopened = sum(
                1 for _hit, action in decisions[first_decision:] if action != Action.RESOLVED
            )
        RedFlagHit.objects.bulk_create(new_hits, batch_size=500)
        RedFlagHit.objects.bulk_update(
            changed, [*FIELDS, "status", "last_found_at"], batch_size=500
        )
        figures_record([*new_hits, *refigured], now)
        for start in range(0, len(seen), 5000):
            RedFlagHit.objects.filter(pk__in=seen[start : start + 5000]).update(last_found_at=now)
        RedFlagDecision.objects.bulk_create(
            [_decide(hit, action, now) for hit, action in decisions], batch_size=500
        )
    return results


def _compare(found, existing, now, new_hits, changed, decisions, seen, refigured) -> None:
    """Sort what was found against the stored hits: new ones, changed ones (with their
    decisions and whether their figures changed), and those seen again unchanged."""
    for item in found:
        hit = existing.get(item.key)
        if hit is None:
            new_hits.append(
                RedFlagHit(
                    indicator=item.indicator,
                    key=item.key,
                    status=Status.OPEN,
                    first_found_at=now,
                    last_found_at=now,
                    **_values(item),
                )
            )
            continue
        grew = bool(item.evidence_keys - hit.evidence_keys)
        values = _values(item)
        differs = any(getattr(hit, name) != value for name, value in values.items())
        if hit.status == Status.RESOLVED:
            hit.status = Status.OPEN
            decisions.append((hit, Action.FOUND_AGAIN))
        elif hit.status == Status.DISMISSED and grew:
            hit.status = Status.OPEN
            decisions.append((hit, Action.REOPENED))
        if differs or (decisions and decisions[-1][0] is hit):
            if any(getattr(hit, name) != values[name] for name in FIGURES):
                refigured.append(hit)
            for name, value in values.items():
                setattr(hit, name, value)
            hit.last_found_at = now
            changed.append(hit)
        else:
            seen.append(hit.pk)
