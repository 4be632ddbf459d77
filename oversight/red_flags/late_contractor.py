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

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, IntegerField, Q, Value
from django.utils.translation import gettext_lazy as _

from contractors.models import WorkOrder
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
        ).values_list("c", "m", "k", "o")

    due = rows(may_be_late, "due_at", DUE)
    done = rows(may_be_late.filter(completed_at__isnull=False), "completed_at", DONE)
    issued = rows(orders, "issued_at", ISSUE)
    return due.union(done, issued, all=True).order_by("c", "m", "k", "o")


def late_at_issue(scope: Scope | None) -> dict[int, int]:
    """Order id -> how many of its contractor's orders were late when it was issued (only
    orders issued while at least one was)."""
    flagged: dict[int, int] = {}
    contractor, late = None, 0
    rows = _stream(narrowed(ids_of(scope, "contractors"), "contractor_id"))
    for contractor_id, _moment, kind, order_id in rows.iterator(chunk_size=5000):
        if contractor_id != contractor:
            contractor, late = contractor_id, 0
        if kind == DUE:
            late += 1
        elif kind == DONE:
            late -= 1
        elif late > 0:
            flagged[order_id] = late
    return flagged


def find(scope: Scope | None) -> list[Found]:
    flagged = late_at_issue(scope)
    if not flagged:
        return []
    rows = (
        WorkOrder.objects.filter(pk__in=sorted(flagged))
        .values(
            "id",
            "contractor_id",
            "contractor__legal_name",
            "contract_id",
            "contract__amount_kzt",
            "contract__department_id",
            "contract__department__district_id",
            "contract__department__district__region_id",
            "case__tracking_code",
            "issued_at",
        )
        .order_by("issued_at", "id")
    )
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["contractor_id"], row["contract__department_id"])].append(row)
    found = []
    for (contractor_id, department_id), orders in groups.items():
        first, last = orders[0], orders[-1]
        contracts = {o["contract_id"]: o["contract__amount_kzt"] for o in orders}
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:contractor:{contractor_id}:department:{department_id}",
                subject_kind="contractor",
                subject_id=contractor_id,
                subject_name=first["contractor__legal_name"],
                evidence=[
                    evidence_item(
                        "work_order",
                        o["id"],
                        o["case__tracking_code"],
                        late_orders=flagged[o["id"]],
                    )
                    for o in orders[-EVIDENCE_ORDERS:]
                ],
                money_kzt=sum(contracts.values(), Decimal("0")),
                score=40 + 10 * min(5, len(orders)),
                details={
                    "new_orders_while_late": len(orders),
                    "most_late_orders": max(flagged[o["id"]] for o in orders),
                },
                region_id=first["contract__department__district__region_id"],
                district_id=first["contract__department__district_id"],
                department_id=department_id,
                contractor_id=contractor_id,
                occurred_at=last["issued_at"],
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
