"""Messages to contractors and to the officials above a late order. Run as outbox jobs, after
commit, once. Nothing here names or describes the complainant.

E-mail is built in; a messenger channel (from the intake app) adds itself with
`register_contractor_sender`, and is tried for every member of the contractor.

Who heads a department on a given day is oversight's to say (its posts and occupancies, above
this app): it registers the answer with `register_department_heads`; without it nobody is added.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import outbox
from casework.models import CaseEvent
from casework.staff_notices import staff_notices_send
from contractors import notice_kinds
from contractors.models import WorkOrder

log = logging.getLogger(__name__)

# (user, text) -> True when delivered
ContractorSender = Callable[[object, str], bool]
_senders: dict[str, ContractorSender] = {}


def register_contractor_sender(channel: str, sender: ContractorSender) -> None:
    _senders[channel] = sender


# (department id, moment) -> the e-mail addresses of whoever heads the department then
DepartmentHeads = Callable[[int, dt.datetime], list[str]]
_department_heads: list[DepartmentHeads] = []


def register_department_heads(lookup: DepartmentHeads) -> None:
    _department_heads[:] = [lookup]


def department_head_addresses(department_id: int, on: dt.datetime) -> list[str]:
    """The addresses of the department's head on `on`, as the registered lookup answers."""
    return [email for lookup in _department_heads for email in lookup(department_id, on)]


def _order(payload: dict) -> WorkOrder:
    return WorkOrder.objects.select_related(
        "case", "case__category", "case__district", "contractor", "contract", "issued_by"
    ).get(pk=payload["work_order"])


def order_url(order: WorkOrder) -> str:
    return settings.SITE_URL + reverse("contractors:order", args=[order.pk])


def issued_text(order: WorkOrder) -> str:
    case = order.case
    return _(
        "New work order #%(order)s under contract %(contract)s: %(category)s, %(address)s. "
        "Acknowledge it by %(ack)s; the repair is due by %(due)s. Open it here: %(url)s"
    ) % {
        "order": order.pk,
        "contract": order.contract.number,
        "category": case.category.name,
        "address": case.address or case.district.name,
        "ack": timezone.localtime(order.acknowledge_due_at).strftime("%d.%m.%Y %H:%M")
        if order.acknowledge_due_at
        else "—",
        "due": timezone.localtime(order.due_at).strftime("%d.%m.%Y"),
        "url": order_url(order),
    }


def returned_text(order: WorkOrder, reason: str) -> str:
    case = order.case
    return _(
        "The inspector returned the repair on work order #%(order)s (%(category)s, "
        "%(address)s) for rework: %(reason)s The repair is due by %(due)s. The reason and the "
        "inspection photos are here: %(url)s"
    ) % {
        "order": order.pk,
        "category": case.category.name,
        "address": case.address or case.district.name,
        "reason": reason,
        # The rework runs to the case's new stage deadline, set when the repair came back.
        "due": timezone.localtime(case.stage_due_at or order.due_at).strftime("%d.%m.%Y"),
        "url": order_url(order),
    }


def overdue_text(order: WorkOrder) -> str:
    case = order.case
    return _(
        "The repair on work order #%(order)s (%(category)s, %(address)s) is overdue: it was due "
        "by %(due)s. Report it done with its photos here: %(url)s"
    ) % {
        "order": order.pk,
        "category": case.category.name,
        "address": case.address or case.district.name,
        "due": timezone.localtime(case.stage_due_at or order.due_at).strftime("%d.%m.%Y %H:%M"),
        "url": order_url(order),
    }


def _returned_reason(payload: dict) -> str:
    event = CaseEvent.objects.filter(pk=payload.get("event")).first()
    return event.reason if event is not None else ""


def _portal_notices(order: WorkOrder, members: list, payload: dict, reason: str) -> None:
    """The bell in the portal, for the company's people, beside the e-mail."""
    notice = payload.get("notice") or "issued"
    kind = notice_kinds.BY_NOTICE.get(notice, notice_kinds.ISSUED)
    params = {"work_order": order.pk}
    if kind == notice_kinds.RETURNED:
        params["reason"] = reason
    # One notice per order, and one more per return or escalation (their events).
    about = f"{notice}:{payload['event']}" if payload.get("event") else notice
    staff_notices_send(
        members, kind=kind, case=order.case, key=f"work_order:{order.pk}:{about}", params=params
    )


@outbox.handler("contractor_work_order_notice", queue=outbox.QUEUE_NOTIFY)
def contractor_work_order_notice(payload: dict) -> None:
    """The contractor's one notice about an order (and one more each time its repair is
    returned, or its step escalates for lateness), linking to the order in the portal:
    contractors work there, not in /staff/."""
    order = _order(payload)
    reason = _returned_reason(payload) if payload.get("notice") == "returned" else ""
    with translation.override(settings.LANGUAGE_CODE):
        if payload.get("notice") == "returned":
            text = returned_text(order, reason)
            subject = _("Work order #%(order)s returned for rework") % {"order": order.pk}
        elif payload.get("notice") == "overdue":
            text = overdue_text(order)
            subject = _("Work order #%(order)s is overdue") % {"order": order.pk}
        else:
            text = issued_text(order)
            subject = _("Work order #%(order)s") % {"order": order.pk}
    recipients = {order.contractor.email} if order.contractor.email else set()
    members = [m.user for m in order.contractor.members.select_related("user")]
    recipients |= {user.email for user in members if user.email}
    _portal_notices(order, members, payload, reason)
    if recipients:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
    for channel, sender in _senders.items():
        for user in members:
            try:
                sender(user, text)
            except Exception:
                log.exception("contractor notice on %s failed for user %s", channel, user.pk)
                raise
    log.info("work order %s: contractor told (%d e-mail addresses)", order.pk, len(recipients))


@outbox.handler("work_order_escalation")
def work_order_escalation(payload: dict) -> None:
    order = _order(payload)
    department = order.contract.department
    recipients = {order.issued_by.email, department.email}
    # The head in post when the order became overdue, not the old `Department.head` field.
    moment = order.acknowledge_escalated_at or timezone.now()
    recipients.update(department_head_addresses(department.pk, moment))
    recipients.discard("")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Work order #%(order)s was not acknowledged in time") % {"order": order.pk}
        text = _(
            "%(contractor)s has not acknowledged work order #%(order)s (case %(code)s) issued on "
            "%(issued)s; it was due by %(due)s. Please contact the contractor or reissue the "
            "order."
        ) % {
            "contractor": order.contractor.legal_name,
            "order": order.pk,
            "code": order.case.tracking_code,
            "issued": timezone.localtime(order.issued_at).strftime("%d.%m.%Y %H:%M"),
            "due": timezone.localtime(order.acknowledge_due_at).strftime("%d.%m.%Y %H:%M"),
        }
    if recipients:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
