"""4. One inspector accepting one contractor's work far more often than peers do.

For every region, count the acts (not corrections) each inspector signed for each contractor. A
pair whose count lies above the region's Tukey outlier fence, Q3 + 1.5 × IQR over all the region's
pairs, and at least RED_FLAG_AFFINITY_MIN_ACTS, is a hit; the quartiles and the fence used are
stored on the hit. Computed by the nightly full pass only (see `actions` below).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from contractors.models import Contractor
from oversight.models import AcceptanceAct, AcceptanceActSignatory
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    evidence_item,
    ids_of,
    narrowed,
    setting,
)
from oversight.red_flags.common import person_names

CODE = "inspector_contractor_affinity"
# Acts shown as evidence per hit (the newest); the count on the hit is of all of them.
EVIDENCE_ACTS = 50


def _min_acts() -> int:
    return int(setting("AFFINITY_MIN_ACTS", 5))


def _min_pairs() -> int:
    return int(setting("AFFINITY_MIN_PAIRS", 4))


def fence(counts: list[int]) -> dict[str, float]:
    """Tukey's upper fence over `counts` (quartiles by the inclusive method)."""
    q1, _median, q3 = statistics.quantiles(counts, n=4, method="inclusive")
    iqr = q3 - q1
    return {"q1": q1, "q3": q3, "iqr": iqr, "fence": q3 + 1.5 * iqr, "pairs": len(counts)}


def find(scope: Scope | None) -> list[Found]:
    min_acts, min_pairs = _min_acts(), _min_pairs()
    pairs = (
        AcceptanceActSignatory.objects.filter(
            narrowed(ids_of(scope, "regions"), "act__case__region_id"),
            role=AcceptanceActSignatory.Role.INSPECTOR,
            act__supersedes__isnull=True,
        )
        .values("act__case__region_id", "person_id", "act__contract__contractor_id")
        .annotate(acts=Count("act_id"), money=Sum("act__amount_kzt"), last=Max("act__signed_at"))
    )
    by_region: dict[int, list[dict]] = defaultdict(list)
    for row in pairs:
        by_region[row["act__case__region_id"]].append(row)
    hits: list[tuple[int, dict, dict]] = []
    for region_id, rows in by_region.items():
        if len(rows) < min_pairs:
            continue
        stats = fence([row["acts"] for row in rows])
        for row in rows:
            if row["acts"] > stats["fence"] and row["acts"] >= min_acts:
                hits.append((region_id, row, stats))
    if not hits:
        return []
    names = person_names(row["person_id"] for _r, row, _s in hits)
    contractors = dict(
        Contractor.objects.filter(
            pk__in=sorted({row["act__contract__contractor_id"] for _r, row, _s in hits})
        ).values_list("id", "legal_name")
    )
    found = []
    for region_id, row, stats in hits:
        person_id, contractor_id = row["person_id"], row["act__contract__contractor_id"]
        acts = (
            AcceptanceAct.objects.filter(
                signatories__person_id=person_id,
                signatories__role=AcceptanceActSignatory.Role.INSPECTOR,
                contract__contractor_id=contractor_id,
                case__region_id=region_id,
                supersedes__isnull=True,
            )
            .order_by("-signed_at", "-id")
            .values("id", "number", "case__district_id", "contract__department_id")[:EVIDENCE_ACTS]
        )
        acts = list(acts)
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:person:{person_id}:contractor:{contractor_id}:region:{region_id}",
                subject_kind="person",
                subject_id=person_id,
                subject_name=f"{names.get(person_id, '')} — {contractors.get(contractor_id, '')}",
                evidence=[evidence_item("act", a["id"], a["number"]) for a in acts]
                + [evidence_item("contractor", contractor_id, contractors.get(contractor_id, ""))],
                money_kzt=row["money"] or Decimal("0"),
                score=55 + min(35, int(5 * (row["acts"] - stats["fence"]))),
                details={
                    "acts": row["acts"],
                    **{k: round(v, 2) for k, v in stats.items()},
                    "min_acts": min_acts,
                    "method": "Tukey Q3 + 1.5·IQR over the region's inspector–contractor pairs",
                },
                region_id=region_id,
                district_id=acts[0]["case__district_id"] if acts else None,
                department_id=acts[0]["contract__department_id"] if acts else None,
                contractor_id=contractor_id,
                person_id=person_id,
                occurred_at=row["last"],
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return narrowed(ids_of(scope, "regions"), "region_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Inspector and contractor too close"),
    why=_(
        "One inspector accepts one contractor's work far more often than the region's other "
        "inspector–contractor pairs: the contractor may be choosing its inspector, or the two "
        "may have an arrangement."
    ),
    legal_basis=_(
        "Law «On Combating Corruption» of 18 November 2015 No. 410-V: conflict of interest "
        "(an official's personal interest that can affect the performance of duties) must be "
        "declared and settled."
    ),
    threshold=_(
        "Statistical: a pair's count of acts above the region's Tukey outlier fence "
        "Q3 + 1.5 × IQR over all its inspector–contractor pairs, with at least "
        "RED_FLAG_AFFINITY_MIN_ACTS (5) acts and RED_FLAG_AFFINITY_MIN_PAIRS (4) pairs in the "
        "region. The quartiles and the fence used are stored on each hit."
    ),
    false_positives=_(
        "A department with one inspector, or a contractor holding most of a district's "
        "contracts: then most of its work goes to the same inspector legitimately."
    ),
    subject_kinds=("person",),
    # Nightly only: one new act moves the region's fence for every pair, so recomputing it after
    # each acceptance costs a scan of the region's acts (seconds at a million cases) for a
    # measure of habits over months. The nightly pass stores it; `--check` compares it.
    actions=frozenset(),
    find=find,
    stored_within=stored_within,
    reads=frozenset({"regions"}),
    current=lambda: {"min_acts": _min_acts(), "min_pairs": _min_pairs()},
)
