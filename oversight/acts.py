"""An acceptance act's canonical content and its hash, and who signs it.

The hash covers what the act says and nothing that may change later: numbers, dates, amounts,
the photos' SHA-256, and the signatories as ids of person, occupancy and post (a person's name
may be corrected; who signed in which post may not). `act_hash(act)` recomputes it from the
stored rows, so anyone can check an act against the `act_signed` event in the audit chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db.models import Q

from casework.audit import canonical_json
from casework.models import Attachment, Case, CaseEvent
from oversight.models import AcceptanceAct, AcceptanceActSignatory, Occupancy, Person, Position
from oversight.people import person_for_user
from oversight.selectors import department_head_on, local_day, post_held

Role = AcceptanceActSignatory.Role


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def act_document(
    *,
    number: str,
    signed_on: dt.date,
    signed_at: dt.datetime,
    case: Case,
    work_order_id: int,
    contract_id: int,
    quantity: Decimal,
    unit: str,
    amount_kzt: Decimal,
    description: str,
    photos: list[tuple[int, str, str]],
    signatories: list[tuple[str, int, int | None, int | None]],
    supersedes: str | None,
    correction_reason: str,
) -> dict[str, Any]:
    """The act as hashed. `photos`: (attachment id, kind, sha256); `signatories`: (role, person
    id, occupancy id, position id)."""
    return {
        "act": number,
        "signed_on": signed_on.isoformat(),
        "signed_at": _moment(signed_at),
        "case": case.tracking_code,
        "work_order": work_order_id,
        "contract": contract_id,
        "quantity": f"{Decimal(quantity):.3f}",
        "unit": unit,
        "amount_kzt": f"{Decimal(amount_kzt):.2f}",
        "description": description,
        "photos": [
            {"attachment": pk, "kind": kind, "sha256": sha} for pk, kind, sha in sorted(photos)
        ],
        "signatories": [
            {"role": role, "person": person, "occupancy": occupancy, "position": position}
            for role, person, occupancy, position in sorted(signatories, key=lambda s: s[0])
        ],
        "supersedes": supersedes,
        "correction_reason": correction_reason,
    }


def document_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def act_hash(act: AcceptanceAct) -> str:
    """The hash of a stored act, recomputed from its rows."""
    return document_hash(
        act_document(
            number=act.number,
            signed_on=act.signed_on,
            signed_at=act.signed_at,
            case=act.case,
            work_order_id=act.work_order_id,
            contract_id=act.contract_id,
            quantity=act.quantity,
            unit=act.unit,
            amount_kzt=act.amount_kzt,
            description=act.description,
            photos=[(p.attachment_id, p.kind, p.sha256) for p in act.photos.all()],
            signatories=[
                (s.role, s.person_id, s.occupancy_id, s.position_id) for s in act.signatories.all()
            ],
            supersedes=act.supersedes.number if act.supersedes_id else None,
            correction_reason=act.correction_reason,
        )
    )


def act_photos(case: Case, verify_event: CaseEvent | None) -> list[Attachment]:
    """The repair's evidence: the photos of the latest repair report and the inspector's own."""
    ids: list[int] = []
    report = CaseEvent.objects.filter(case=case, action="report_repaired").order_by("-seq").first()
    if report is not None:
        ids += list(report.payload.get("photos") or [])
    if verify_event is not None:
        ids += list(verify_event.payload.get("photos") or [])
    return list(Attachment.objects.filter(case=case, pk__in=ids).order_by("pk"))


def repair_reporter(case: Case):
    """The contractor's user who reported the repair last."""
    report = (
        CaseEvent.objects.filter(case=case, action="report_repaired")
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    return report.actor if report is not None else None


Signer = tuple[str, Person, Occupancy | None, Position | None]


def _signer(role: str, person: Person | None, occupancy: Occupancy | None) -> Signer | None:
    if person is None:
        return None
    return (role, person, occupancy, occupancy.position if occupancy is not None else None)


def signatories_resolve(
    case: Case,
    *,
    inspector: Person,
    at: dt.datetime,
    customer: Person | None = None,
    contractor: Person | None = None,
) -> list[Signer]:
    """Who signs, each with the post held on the act's day. The customer's representative is the
    one named, else whoever held the department's customer-representative post, else its head;
    the contractor's representative is the one named, else the person who reported the repair."""
    signers = [_signer(Role.INSPECTOR, inspector, post_held(inspector, at, role="inspector"))]
    if customer is not None:
        signers.append(
            _signer(
                Role.CUSTOMER,
                customer,
                post_held(customer, at, kinds=(Position.Kind.CUSTOMER_REPRESENTATIVE,)),
            )
        )
    elif case.department_id:
        held = _customer_post_holder(case.department_id, at) or department_head_on(
            case.department_id, at
        )
        if held is not None and held.person_id != inspector.pk:
            signers.append(_signer(Role.CUSTOMER, held.person, held))
    if contractor is None and (reporter := repair_reporter(case)) is not None:
        contractor = person_for_user(reporter)
    if contractor is not None:
        signers.append(
            _signer(
                Role.CONTRACTOR,
                contractor,
                post_held(contractor, at, kinds=(Position.Kind.CONTRACTOR_REPRESENTATIVE,)),
            )
        )
    return [s for s in signers if s is not None]


def _customer_post_holder(department_id: int, at: dt.datetime) -> Occupancy | None:
    day = local_day(at)
    return (
        Occupancy.objects.filter(
            position__department_id=department_id,
            position__kind=Position.Kind.CUSTOMER_REPRESENTATIVE,
            started_on__lte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("person", "position")
        .order_by("-started_on", "-id")
        .first()
    )
