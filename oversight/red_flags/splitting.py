"""6. Contract splitting: several contracts to one contractor from one department within 30 days,
each under the procurement threshold, together over it.

Amounts are as signed (before any later modification). Each contract at or above the threshold is
left out (it was not split). A run of such contracts, each signed within RED_FLAG_SPLITTING_DAYS
of the first of a window that together reaches the threshold, is one hit, named by its first
contract.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from contractors.models import Contract, ContractModification
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    evidence_item,
    ids_of,
    narrowed,
    setting,
)

CODE = "contract_splitting"
# 4,000 monthly calculation indices at the 2025 index (3,932 ₸): set it to the ceiling of the
# procurement method the department would otherwise have had to use.
DEFAULT_THRESHOLD_KZT = Decimal("15728000")


def _threshold() -> Decimal:
    return Decimal(str(setting("SPLITTING_THRESHOLD_KZT", DEFAULT_THRESHOLD_KZT)))


def _days() -> int:
    return int(setting("SPLITTING_DAYS", 30))


def runs(contracts: list[dict], threshold: Decimal, days: int) -> list[list[dict]]:
    """The runs of split contracts among one contractor's contracts from one department, sorted
    by signing date: every contract in a window of `days` whose amounts, each under
    `threshold`, together reach it; overlapping or touching windows make one run."""
    small = [c for c in contracts if c["signed_amount"] < threshold]
    span = dt.timedelta(days=days)
    windows: list[tuple[int, int]] = []
    for start in range(len(small)):
        end, total = start, Decimal("0")
        while end < len(small) and small[end]["signed_on"] - small[start]["signed_on"] <= span:
            total += small[end]["signed_amount"]
            end += 1
        if end - start >= 2 and total >= threshold:
            windows.append((start, end))
    merged: list[list[int]] = []
    for start, stop in windows:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [small[start:stop] for start, stop in merged]


def find(scope: Scope | None) -> list[Found]:
    threshold, days = _threshold(), _days()
    first_amount = (
        ContractModification.objects.filter(contract_id=OuterRef("pk"))
        .order_by("modified_on", "id")
        .values("old_amount_kzt")[:1]
    )
    rows = (
        Contract.objects.filter(narrowed(ids_of(scope, "contractors"), "contractor_id"))
        .annotate(signed_amount=Coalesce(Subquery(first_amount), "amount_kzt"))
        .filter(signed_amount__lt=threshold)
        .values(
            "id",
            "number",
            "signed_on",
            "signed_amount",
            "contractor_id",
            "contractor__legal_name",
            "department_id",
            "department__district_id",
            "department__district__region_id",
        )
        .order_by("signed_on", "id")
    )
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["contractor_id"], row["department_id"])].append(row)
    found = []
    for (contractor_id, department_id), contracts in groups.items():
        if len(contracts) < 2:
            continue
        for run in runs(contracts, threshold, days):
            first = run[0]
            total = sum((c["signed_amount"] for c in run), Decimal("0"))
            numbers = ", ".join(f"№ {c['number']}" for c in run)
            found.append(
                Found(
                    indicator=CODE,
                    key=f"{CODE}:contract:{first['id']}",
                    subject_kind="contract",
                    subject_id=first["id"],
                    subject_name=f"{first['contractor__legal_name']}: {numbers}"[:400],
                    evidence=[evidence_item("contract", c["id"], c["number"]) for c in run],
                    money_kzt=total,
                    score=min(95, 50 + 10 * (len(run) - 2) + int(20 * total / threshold)),
                    details={
                        "contracts": len(run),
                        "total_kzt": str(total),
                        "threshold_kzt": str(threshold),
                        "window_days": days,
                        "amounts_kzt": [str(c["signed_amount"]) for c in run],
                    },
                    region_id=first["department__district__region_id"],
                    district_id=first["department__district_id"],
                    department_id=department_id,
                    contractor_id=contractor_id,
                    occurred_at=dt.datetime.combine(
                        run[-1]["signed_on"], dt.time(12), tzinfo=dt.UTC
                    ),
                )
            )
    return found


def stored_within(scope: Scope | None) -> Q:
    return narrowed(ids_of(scope, "contractors"), "contractor_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Contract splitting"),
    why=_(
        "One department gives one contractor several contracts within a month, each just under "
        "the amount that would require an open tender, together over it: splitting one purchase "
        "into several avoids competition."
    ),
    legal_basis=_(
        "Law «On Public Procurement» of 4 December 2015 No. 434-V: splitting homogeneous "
        "works into several purchases to change the procurement method is prohibited; the "
        "method is chosen by the total annual amount."
    ),
    threshold=_(
        "At least two contracts to one contractor from one department signed within "
        "RED_FLAG_SPLITTING_DAYS (30) days, each under RED_FLAG_SPLITTING_THRESHOLD_KZT and "
        "together at or over it. The default, 15,728,000 ₸, is 4,000 monthly calculation "
        "indices at the 2025 index; set it to the ceiling of the procurement method in force."
    ),
    false_positives=_(
        "Genuinely separate needs that arose in the same month (an emergency after a storm); "
        "contracts for different objects lumped together by a shared contractor."
    ),
    subject_kinds=("contract",),
    actions=frozenset(),
    on_contract_change=True,
    find=find,
    stored_within=stored_within,
    reads=frozenset({"contractors"}),
    current=lambda: {"threshold_kzt": str(_threshold()), "days": _days()},
)
