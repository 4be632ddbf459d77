"""Helpers for the red-flag tests: run the outbox as the worker would, read the hits, and check
that the stored hits are exactly what a full pass finds."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from casework import clock
from contractors.models import WorkOrder
from oversight.models import AcceptanceAct, AcceptanceActSignatory, RedFlagHit
from oversight.red_flags.run import red_flags_check
from tests.oversight.conftest import deliver_all

_fake_event = iter(range(900_000, 10_000_000))


def hits(code: str, status: str = RedFlagHit.Status.OPEN) -> dict[str, RedFlagHit]:
    return {h.key: h for h in RedFlagHit.objects.filter(indicator=code, status=status)}


def settled() -> None:
    """Every job run; then the stored hits must be exactly what a full pass finds."""
    deliver_all()
    assert red_flags_check() == []


def superuser():
    return get_user_model().objects.create_superuser("root", password="pw-root")


def order_for(world, case, contract, *, issued_at=None) -> WorkOrder:
    """A work order row (for indicators that count acts, not the lifecycle)."""
    moment = issued_at or clock.now()
    return WorkOrder.objects.create(
        case=case,
        contract=contract,
        contractor_id=contract.contractor_id,
        issued_by=world.officer,
        issued_at=moment,
        due_at=moment + dt.timedelta(days=10),
        status=WorkOrder.Status.ACCEPTED,
    )


def act_row(world, order: WorkOrder, inspector, *, number: str, amount="1000") -> AcceptanceAct:
    """An acceptance act stored directly (append-only rows may be created), signed by
    `inspector` (a Person). Its audit event id is a placeholder: no chain is checked here."""
    act = AcceptanceAct.objects.create(
        work_order=order,
        case=order.case,
        contract=order.contract,
        number=number,
        signed_on=clock.now().date(),
        signed_at=clock.now(),
        quantity="1",
        unit="m2",
        amount_kzt=amount,
        content_sha256="0" * 64,
        event_id=next(_fake_event),
        created_by=world.inspector,
    )
    AcceptanceActSignatory.objects.create(
        act=act, role=AcceptanceActSignatory.Role.INSPECTOR, person=inspector
    )
    return act
