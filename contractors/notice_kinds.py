"""The contractor portal's kinds of in-app notice: a new work order, a repair returned for
rework, a repair overdue. Written beside the contractor's e-mail (`contractors.notices`) for the
company's people, read here in the reader's language; each leads to the order in the portal."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from casework.models import StaffNotice
from casework.staff_notices import notice_kind_register

ISSUED = "work_order_issued"
RETURNED = "work_order_returned"
OVERDUE = "work_order_overdue"
# contractors.notices' names for the same three notices
BY_NOTICE = {"issued": ISSUED, "returned": RETURNED, "overdue": OVERDUE}


def _order_link(notice: StaffNotice) -> str:
    return reverse("contractors:order", args=[notice.params["work_order"]])


def _place(notice: StaffNotice) -> str:
    return notice.case.address or notice.case.district.name


def _issued_text(notice: StaffNotice) -> str:
    return _("New work order #%(order)s: %(category)s, %(address)s") % {
        "order": notice.params["work_order"],
        "category": notice.case.category.name,
        "address": _place(notice),
    }


def _returned_text(notice: StaffNotice) -> str:
    return _("Work order #%(order)s: the inspector returned the repair for rework: %(reason)s") % {
        "order": notice.params["work_order"],
        "reason": notice.params.get("reason", ""),
    }


def _overdue_text(notice: StaffNotice) -> str:
    return _("Work order #%(order)s: the repair is overdue (%(category)s, %(address)s)") % {
        "order": notice.params["work_order"],
        "category": notice.case.category.name,
        "address": _place(notice),
    }


notice_kind_register(ISSUED, text=_issued_text, link=_order_link)
notice_kind_register(RETURNED, text=_returned_text, link=_order_link)
notice_kind_register(OVERDUE, text=_overdue_text, link=_order_link)
