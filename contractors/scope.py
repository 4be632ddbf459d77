"""The contractor role's scope: cases with a work order of the user's company."""

from django.db.models import Exists, OuterRef, Q

from casework.scopes import NOTHING, Scope
from contractors.models import ContractorMember, WorkOrder
from contractors.selectors import current_work_order


def _company_id(user) -> int | None:
    cached = getattr(user, "_baqylau_contractor_id", False)
    if cached is False:
        member = ContractorMember.objects.filter(user=user).only("contractor_id").first()
        cached = member.contractor_id if member else None
        user._baqylau_contractor_id = cached
    return cached


def _cases(user) -> Q:
    company = _company_id(user)
    if company is None:
        return NOTHING
    return Q(Exists(WorkOrder.objects.filter(case=OuterRef("pk"), contractor_id=company)))


def _covers(user, case) -> bool:
    """For acting on a case: the current (latest, not superseded) order must be theirs."""
    company = _company_id(user)
    order = current_work_order(case) if company else None
    return order is not None and order.contractor_id == company


CONTRACTOR_SCOPE = Scope(cases=_cases, covers=_covers)
