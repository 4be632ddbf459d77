"""5. A contractor late on open orders still receiving new ones.

A work order issued to a contractor while another of its orders was late is evidence. An order is
late from its due moment until its repair was reported (`completed_at`), or for good if it never
was; an order replaced by another (superseded) does not count. One hit per contractor and issuing
department.

Set-based and linear: one query streams, per contractor in time order, the moments each order
became late (+1), stopped being late (-1) and each order's issue; a running count says how many
orders were late when each order was issued. (A correlated "exists an earlier late order" lookup
per order is quadratic in a contractor's orders.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, IntegerField, Q, Value
from django.utils.translation import gettext_lazy as _

from casework.models import Department
from contractors.models import Contract, Contractor, WorkOrder
from oversight.red_flags.base import Found, Indicator, Scope, evidence_item, ids_of, narrowed

CODE = "late_contractor_new_orders"
# Orders shown as evidence per hit (the newest); the count on the hit is of all of them.
EVIDENCE_ORDERS = 50
# At one moment: a repair reported then ends lateness first, then orders issued then are checked,
# then orders due then become late (late means due strictly before the issue, not done by it).
DONE, ISSUE, DUE = 0, 1, 2


def _stream(contractors: Q):
    orders = WorkOrder.objects.filter(contractors).order_by()
    may_be_late = orders.exclude(status=WorkOrder.Status.SUPERSEDED).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gt=F("due_at"))
    )

    def rows(queryset, moment: str, kind: int):
        return queryset.annotate(
            c=F("contractor_id"),
            m=F(moment),
            k=Value(kind, output_field=IntegerField()),
            o=F("id"),
            t=F("contract_id"),
        ).values_list("c", "m", "k", "o", "t")

    due = rows(may_be_late, "due_at", DUE)
    done = rows(may_be_late.filter(completed_at__isnull=False), "completed_at", DONE)
    issued = rows(orders, "issued_at", ISSUE)
    return due.union(done, issued, all=True).order_by("c", "m", "k", "o")


@dataclass
class Group:
    """The orders one contractor got from one department while late, in the order issued: how
    many, the newest (with how many orders were late at each), the contracts they fell under."""

    orders: int = 0
    most_late: int = 0
    last_issued_at: dt.datetime | None = None
    newest: deque = field(default_factory=lambda: deque(maxlen=EVIDENCE_ORDERS))
    contracts: set[int] = field(default_factory=set)

    def add(self, order_id: int, issued_at: dt.datetime, contract_id: int, late: int) -> None:
        self.orders += 1
        self.most_late = max(self.most_late, late)
        self.last_issued_at = issued_at
        self.newest.append((order_id, late))
        self.contracts.add(contract_id)


def late_groups(scope: Scope | None) -> dict[tuple[int, int], Group]:
    """(contractor, department) -> the orders issued while at least one of the contractor's
    orders was late. Streams the orders once; holds only a summary per group."""
    contractors = narrowed(ids_of(scope, "contractors"), "contractor_id")
    # Each order's department is its contract's (the contractor's contracts are few; an order
    # under another contractor's contract is looked up when met).
    department_of = dict(Contract.objects.filter(contractors).values_list("id", "department_id"))
    groups: dict[tuple[int, int], Group] = defaultdict(Group)
    contractor, late = None, 0
    rows = _stream(contractors)
    for contractor_id, moment, kind, order_id, contract_id in rows.iterator(chunk_size=5000):
        if contractor_id != contractor:
            contractor, late = contractor_id, 0
        if kind == DUE:
            late += 1
        elif kind == DONE:
            late -= 1
        elif late > 0:
            if contract_id not in department_of:
                department_of[contract_id] = Contract.objects.get(pk=contract_id).department_id
            group = groups[(contractor_id, department_of[contract_id])]
            group.add(order_id, moment, contract_id, late)
    return groups


def find(scope: Scope | None) -> list[Found]:
    groups = late_groups(scope)
    if not groups:
        return []
    codes = dict(
        WorkOrder.objects.filter(
            pk__in=sorted(o for g in groups.values() for o, _late in g.newest)
        ).values_list("id", "case__tracking_code")
    )
    names = dict(
        Contractor.objects.filter(pk__in=sorted({c for c, _d in groups})).values_list(
            "id", "legal_name"
        )
    )
    places = {
        row["id"]: row
        for row in Department.objects.filter(pk__in=sorted({d for _c, d in groups})).values(
            "id", "district_id", "district__region_id"
        )
    }
    amounts = dict(
        Contract.objects.filter(
            pk__in=sorted(set().union(*(g.contracts for g in groups.values())))
        ).values_list("id", "amount_kzt")
    )
    found = []
    for (contractor_id, department_id), group in groups.items():
        place = places[department_id]
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:contractor:{contractor_id}:department:{department_id}",
                subject_kind="contractor",
                subject_id=contractor_id,
                subject_name=names[contractor_id],
                evidence=[
                    evidence_item("work_order", order_id, codes[order_id], late_orders=late)
                    for order_id, late in group.newest
                ],
                money_kzt=sum((amounts[c] for c in group.contracts), Decimal("0")),
                score=40 + 10 * min(5, group.orders),
                details={
                    "new_orders_while_late": group.orders,
                    "most_late_orders": group.most_late,
                },
                region_id=place["district__region_id"],
                district_id=place["district_id"],
                department_id=department_id,
                contractor_id=contractor_id,
                occurred_at=group.last_issued_at,
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return narrowed(ids_of(scope, "contractors"), "contractor_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Late contractor keeps getting orders"),
    why=_(
        "A contractor that has not done the repairs it was ordered, past their due date, is "
        "given new work anyway: the department is not using the contract's remedies and may be "
        "favouring the contractor."
    ),
    legal_basis=_(
        "Law «On Public Procurement» of 4 December 2015 No. 434-V: a supplier that fails to "
        "perform its contract is to be entered in the register of unscrupulous participants "
        "(art. 12) by the customer's claim; the contract's penalties for delay."
    ),
    threshold=_(
        "Any work order issued while another order of the same contractor was past its due "
        "date and not reported done. No tolerance beyond the due date the order itself set."
    ),
    false_positives=_(
        "A late order held up by the customer (no access to the site, a design change); an "
        "emergency repair only that contractor could do."
    ),
    subject_kinds=("contractor",),
    # What changes its inputs: an order issued (and the one it supersedes), a repair reported.
    # Acceptance and return for rework change neither a due date nor a report time.
    actions=frozenset({"notify_contractor", "report_repaired"}),
    find=find,
    stored_within=stored_within,
    reads=frozenset({"contractors"}),
)
