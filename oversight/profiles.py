"""Reads for the official's and the contractor's pages of the staff application.

Who may open them (need to know, ARCHITECTURE rule 6; see docs/oversight.md): the
anti-corruption investigators and the managers, each for the region of their staff profile, and
a superuser. An official is "of a region" when they held a post there, or signed an act or took
a decision on one of its cases; a contractor when it holds a contract of a department there or
worked on one of its cases. Everyone else (clerks, officers, inspectors, contractors) gets 404:
what a colleague signed, what failed after it and what the investigators think of it is not
theirs to know. What the pages list beyond the posts held (acts, decisions, failures, orders,
contracts) is further limited to the viewer's cases (`cases_visible_to`) and region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from casework import roles
from casework.events import event_label
from casework.models import District
from casework.selectors import cases_visible_to
from contractors.models import Contract, ContractModification, Contractor, WorkOrder
from oversight.accountability import contractor_accountability, person_accountability
from oversight.models import (
    AcceptanceAct,
    AcceptanceActSignatory,
    AcceptedWorkFailure,
    DecisionAttribution,
    Occupancy,
    Person,
    Position,
)

PAGE_ROLES = frozenset({roles.INVESTIGATOR, roles.MANAGER})
# Work orders listed on a contractor's page (the newest; the total is always given).
ORDER_LIMIT = 200


def page_region_id(user) -> int | None:
    """The region whose officials and contractors `user` may look up, if any."""
    if not (PAGE_ROLES & roles.user_roles(user)):
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.region_id if profile is not None else None


def may_open_pages(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or page_region_id(user))


def people_visible_to(user) -> QuerySet[Person]:
    """The people whose page `user` may open."""
    if not may_open_pages(user):
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    region = page_region_id(user)
    return Person.objects.filter(
        Exists(Occupancy.objects.filter(person=OuterRef("pk"), position__region_id=region))
        | Exists(
            AcceptanceActSignatory.objects.filter(
                person=OuterRef("pk"), act__case__region_id=region
            )
        )
        | Exists(DecisionAttribution.objects.filter(person=OuterRef("pk"), case__region_id=region))
    )


def contractors_visible_to(user) -> QuerySet[Contractor]:
    """The contractors whose staff page `user` may open."""
    if not may_open_pages(user):
        return Contractor.objects.none()
    if user.is_superuser:
        return Contractor.objects.all()
    region = page_region_id(user)
    return Contractor.objects.filter(
        Exists(
            Contract.objects.filter(
                contractor=OuterRef("pk"), department__district__region_id=region
            )
        )
        | Exists(WorkOrder.objects.filter(contractor=OuterRef("pk"), case__region_id=region))
    )


def districts_for(user) -> QuerySet[District]:
    """The districts offered as a filter: those of the viewer's region."""
    if user.is_superuser:
        return District.objects.all()
    return District.objects.filter(region_id=page_region_id(user))


def _today() -> dt.date:
    return timezone.localdate()


def _held_now(occupancy: Occupancy, today: dt.date) -> bool:
    return occupancy.started_on <= today and (
        occupancy.ended_on is None or occupancy.ended_on >= today
    )


def _place(position: Position) -> str:
    for where in (position.department, position.district, position.region, position.contractor):
        if where is not None:
            return str(where)
    return ""


# Lists -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialRow:
    person: Person
    posts_now: list[str]
    posts_before: int


def officials_list(
    user, *, query: str = "", kind: str = "", district: District | None = None
) -> list[OfficialRow]:
    """People `user` may look up, by name, with the posts they hold today. `kind` and
    `district` keep those who held (now or before) a post of that kind / in that district."""
    people = people_visible_to(user)
    if query:
        people = people.filter(full_name__icontains=query.strip())
    if kind or district is not None:
        posts = Occupancy.objects.filter(person=OuterRef("pk"))
        if kind:
            posts = posts.filter(position__kind=kind)
        if district is not None:
            posts = posts.filter(position__district=district)
        people = people.filter(Exists(posts))
    people = people.order_by("full_name", "id").prefetch_related(
        "occupancies__position__department",
        "occupancies__position__district",
        "occupancies__position__region",
        "occupancies__position__contractor",
    )
    today = _today()
    rows = []
    for person in people[:500]:
        held = list(person.occupancies.all())
        now = [o for o in held if _held_now(o, today)]
        rows.append(
            OfficialRow(
                person,
                [f"{o.position.title} ({_place(o.position)})" for o in now],
                len(held) - len(now),
            )
        )
    return rows


def contractors_list(user, *, query: str = "") -> QuerySet[Contractor]:
    contractors = contractors_visible_to(user)
    query = query.strip()
    if query:
        contractors = contractors.filter(Q(legal_name__icontains=query) | Q(bin__startswith=query))
    return contractors.order_by("legal_name", "id")[:500]


# The official's page ---------------------------------------------------------------------------


def official_page(person: Person, user) -> dict[str, Any]:
    """Everything on an official's page, as `user` may see it."""
    visible = cases_visible_to(user)
    today = _today()
    posts = [
        {
            "title": o.position.title,
            "kind": o.position.get_kind_display(),
            "place": _place(o.position),
            "started_on": o.started_on,
            "ended_on": o.ended_on,
            "order_number": o.order_number,
            "order_date": o.order_date,
            "current": _held_now(o, today),
        }
        for o in person.occupancies.select_related(
            "position__department",
            "position__district",
            "position__region",
            "position__contractor",
        ).order_by("-started_on", "-id")
    ]
    signatures = list(
        AcceptanceActSignatory.objects.filter(person=person, act__case__in=visible)
        .select_related("act__case", "act__contract", "act__supersedes", "occupancy__position")
        .annotate(failure_count=Count("act__failures", distinct=True))
        .order_by("-act__signed_at", "-act_id")
    )
    superseded = set(
        AcceptanceAct.objects.filter(supersedes_id__in=[s.act_id for s in signatures]).values_list(
            "supersedes_id", flat=True
        )
    )
    acts = [
        {
            "act": s.act,
            "case": s.act.case,
            "contract": s.act.contract.number,
            "role": s.get_role_display(),
            "post": s.occupancy.position.title if s.occupancy_id else "",
            "quantity": s.act.quantity.normalize(),
            "unit": s.act.get_unit_display(),
            "amount_kzt": s.act.amount_kzt,
            "failures": s.failure_count,
            "superseded": s.act_id in superseded,
        }
        for s in signatures
    ]
    failures = list(
        AcceptedWorkFailure.objects.filter(act__signatories__person=person, act__case__in=visible)
        .distinct()
        .select_related("act", "case")
        .order_by("-detected_at", "-id")
    )
    decisions = [
        {"action": row["action"], "label": event_label(row["action"]), "count": row["n"]}
        for row in DecisionAttribution.objects.filter(person=person, case__in=visible)
        .values("action")
        .annotate(n=Count("id"))
        .order_by("-n", "action")
    ]
    in_force = [a for a in acts if not a["superseded"]]
    return {
        "person": person,
        "posts": posts,
        "posts_now": [p for p in posts if p["current"]],
        "acts": acts,
        "acts_total_kzt": sum((a["amount_kzt"] for a in in_force), Decimal(0)),
        "failures": [
            {
                "failure": f,
                "kind": f.get_kind_display(),
                "act": f.act.number,
                "case": f.case,
                "when": f.detected_at,
                "distance_m": f.distance_m,
            }
            for f in failures
        ],
        "decisions": decisions,
        "decisions_total": sum(d["count"] for d in decisions),
        "accountability": person_accountability(person, user),
    }


# The contractor's page -------------------------------------------------------------------------


def _contracts_for(contractor: Contractor, user) -> QuerySet[Contract]:
    contracts = Contract.objects.filter(contractor=contractor)
    if not user.is_superuser:
        contracts = contracts.filter(department__district__region_id=page_region_id(user))
    return contracts


def contractor_page(contractor: Contractor, user) -> dict[str, Any]:
    """Everything on a contractor's staff page, as `user` may see it."""
    visible = cases_visible_to(user)
    contracts = list(
        _contracts_for(contractor, user)
        .select_related("department")
        .order_by("-signed_on", "number")
    )
    # Money charged: the acts in force (a corrected act counts once, as corrected).
    charged_by_contract = dict(
        AcceptanceAct.objects.filter(contract__in=contracts, superseded_by__isnull=True)
        .values("contract")
        .annotate(total=Sum("amount_kzt"))
        .values_list("contract", "total")
    )
    orders_by_contract = dict(
        WorkOrder.objects.filter(contract__in=contracts)
        .values("contract")
        .annotate(n=Count("id"))
        .values_list("contract", "n")
    )
    modifications: dict[int, list[ContractModification]] = {}
    for change in ContractModification.objects.filter(contract__in=contracts).order_by(
        "modified_on", "id"
    ):
        modifications.setdefault(change.contract_id, []).append(change)
    contract_rows = []
    for contract in contracts:
        charged = charged_by_contract.get(contract.pk) or Decimal(0)
        contract_rows.append(
            {
                "contract": contract,
                "orders": orders_by_contract.get(contract.pk, 0),
                "modifications": modifications.get(contract.pk, []),
                "acts_kzt": charged,
                "remaining_kzt": contract.amount_kzt - charged,
                "over": bool(contract.amount_kzt) and charged > contract.amount_kzt,
                "share": round(charged * 100 / contract.amount_kzt)
                if contract.amount_kzt
                else None,
            }
        )
    orders = (
        WorkOrder.objects.filter(contractor=contractor, case__in=visible)
        .select_related("case", "contract")
        .order_by("-issued_at", "-id")
    )
    acts = list(
        AcceptanceAct.objects.filter(work_order__contractor=contractor, case__in=visible)
        .select_related("case", "contract")
        .annotate(failure_count=Count("failures", distinct=True))
        .order_by("-signed_at", "-id")
    )
    superseded = set(
        AcceptanceAct.objects.filter(supersedes__in=[a.pk for a in acts]).values_list(
            "supersedes_id", flat=True
        )
    )
    failures = list(
        AcceptedWorkFailure.objects.filter(
            act__work_order__contractor=contractor, act__case__in=visible
        )
        .select_related("act", "case")
        .order_by("-detected_at", "-id")
    )
    people = people_visible_to(user)
    representatives = list(
        Occupancy.objects.filter(position__contractor=contractor)
        .filter(person__in=people)
        .select_related("person", "position")
        .order_by("-started_on", "-id")
    )
    today = _today()
    return {
        "contractor": contractor,
        "contracts": contract_rows,
        "contracts_total_kzt": sum((c.amount_kzt for c in contracts), Decimal(0)),
        "acts_total_kzt": sum((a.amount_kzt for a in acts if a.pk not in superseded), Decimal(0)),
        "orders": list(orders[:ORDER_LIMIT]),
        "order_count": orders.count(),
        "order_limit": ORDER_LIMIT,
        "acts": [{"act": a, "superseded": a.pk in superseded} for a in acts],
        "failures": [
            {
                "failure": f,
                "kind": f.get_kind_display(),
                "act": f.act.number,
                "case": f.case,
                "when": f.detected_at,
            }
            for f in failures
        ],
        "representatives": [
            {
                "person": o.person,
                "post": o.position.title,
                "started_on": o.started_on,
                "ended_on": o.ended_on,
                "current": _held_now(o, today),
            }
            for o in representatives
        ],
        "accountability": contractor_accountability(contractor, user),
    }
