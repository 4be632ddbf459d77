"""7. A contract raised in amount or extended after signing.

Every `ContractModification` that raised the amount or moved the end of the period later is
evidence; one hit per contract. The money at stake is the total raise (or, for an extension
alone, the contract's amount).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contractors.models import ContractModification
from oversight.red_flags.base import Found, Indicator, Scope, evidence_item, ids_of, narrowed
from oversight.red_flags.common import persons_of_users

CODE = "contract_modified"


def _raised(m: dict) -> bool:
    return m["new_amount_kzt"] > m["old_amount_kzt"]


def _counts(m: dict) -> bool:
    return _raised(m) or m["new_ends_on"] > m["old_ends_on"]


def find(scope: Scope | None) -> list[Found]:
    rows = (
        ContractModification.objects.filter(narrowed(ids_of(scope, "contracts"), "contract_id"))
        .values(
            "id",
            "contract_id",
            "contract__number",
            "contract__amount_kzt",
            "contract__ends_on",
            "contract__contractor_id",
            "contract__contractor__legal_name",
            "contract__department_id",
            "contract__department__district_id",
            "contract__department__district__region_id",
            "old_amount_kzt",
            "new_amount_kzt",
            "old_ends_on",
            "new_ends_on",
            "modified_on",
            "recorded_by_id",
        )
        .order_by("contract_id", "modified_on", "id")
    )
    by_contract: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_contract[row["contract_id"]].append(row)
    raised = {pk: mods for pk, mods in by_contract.items() if any(_counts(m) for m in mods)}
    persons = persons_of_users(m["recorded_by_id"] for mods in raised.values() for m in mods)
    found = []
    for contract_id, mods in raised.items():
        first, last = mods[0], mods[-1]
        signed_amount, signed_end = first["old_amount_kzt"], first["old_ends_on"]
        raise_kzt = sum(
            (
                m["new_amount_kzt"] - m["old_amount_kzt"]
                for m in mods
                if m["new_amount_kzt"] > m["old_amount_kzt"]
            ),
            Decimal("0"),
        )
        extended_days = max(0, (last["contract__ends_on"] - signed_end).days)
        percent = float(raise_kzt / signed_amount * 100) if signed_amount else 0.0
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:contract:{contract_id}",
                subject_kind="contract",
                subject_id=contract_id,
                subject_name=(
                    f"№ {first['contract__number']} ({first['contract__contractor__legal_name']})"
                )[:400],
                evidence=[
                    evidence_item("contract_modification", m["id"], m["modified_on"].isoformat())
                    for m in mods
                    if m["new_amount_kzt"] > m["old_amount_kzt"]
                    or m["new_ends_on"] > m["old_ends_on"]
                ]
                + [evidence_item("contract", contract_id, first["contract__number"])],
                money_kzt=raise_kzt if raise_kzt > 0 else last["contract__amount_kzt"],
                score=40 + min(40, int(percent / 2)) + (10 if extended_days > 0 else 0),
                details={
                    "signed_amount_kzt": str(signed_amount),
                    "amount_now_kzt": str(last["contract__amount_kzt"]),
                    "raised_kzt": str(raise_kzt),
                    "raised_percent": round(percent, 1),
                    "signed_ends_on": signed_end.isoformat(),
                    "ends_on_now": last["contract__ends_on"].isoformat(),
                    "extended_days": extended_days,
                    "modifications": len(mods),
                },
                region_id=first["contract__department__district__region_id"],
                district_id=first["contract__department__district_id"],
                department_id=first["contract__department_id"],
                contractor_id=first["contract__contractor_id"],
                person_id=persons.get(last["recorded_by_id"]),
                occurred_at=dt.datetime.combine(last["modified_on"], dt.time(12), tzinfo=dt.UTC),
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return Q(subject_kind="contract") & narrowed(ids_of(scope, "contracts"), "subject_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Contract raised or extended"),
    why=_(
        "A contract whose amount was raised or whose period was extended after signing: the "
        "winning price may have been set low to win and raised afterwards, out of sight of the "
        "competitors who lost."
    ),
    legal_basis=_(
        "Law «On Public Procurement» of 4 December 2015 No. 434-V: a public procurement "
        "contract may be changed only in the cases the law lists (e.g. a lower price, a change "
        "of volume within the limits it sets); any other change is a violation."
    ),
    threshold=_(
        "Any raise of the amount or later end of the period fires; the score grows with the "
        "raise as a share of the signed amount."
    ),
    false_positives=_(
        "Changes the law allows: more volume of the same work at the same unit price within "
        "the permitted share, or an extension for reasons beyond the contractor's control."
    ),
    subject_kinds=("contract",),
    actions=frozenset(),
    on_contract_change=True,
    find=find,
    stored_within=stored_within,
    reads=frozenset({"contracts"}),
)
