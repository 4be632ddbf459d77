"""Writes of oversight data.

`act_sign` is how a repair is accepted from the staff application: in one transaction the case is
verified (`casework.services.case_verify`), the act is made with its photos and signatories, and
its hash is appended to the case's audit chain as an `act_signed` event. `act_correct` makes a new
act that supersedes an old one, with a reason; acts themselves are never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from casework import clock, roles, scopes, services
from casework.models import Case, CaseEvent
from contractors.models import Contract, WorkOrder
from oversight import acts, handlers
from oversight.models import (
    AcceptanceAct,
    AcceptanceActPhoto,
    AcceptanceActSignatory,
    Occupancy,
    Person,
    Position,
    Unit,
)
from oversight.people import person_for_user
from oversight.selectors import local_day

REASON_MAX = 4000


def _quantity(value) -> Decimal:
    try:
        quantity = Decimal(str(value)).quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"quantity": _("Enter the quantity accepted.")}) from None
    if not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e9"):
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    return quantity


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount_kzt": _("Enter the amount in tenge.")}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ValidationError({"amount_kzt": _("Enter the amount in tenge.")})
    return amount


def _unit(value) -> str:
    if value not in Unit.values:
        raise ValidationError({"unit": _("Choose one of the listed units.")})
    return value


def _accepted_order(case: Case) -> WorkOrder | None:
    return (
        WorkOrder.objects.filter(case=case)
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .select_related("contract")
        .order_by("-issued_at", "-id")
        .first()
    )


def _charged(contract: Contract, *, without: AcceptanceAct | None = None) -> Decimal:
    """What acts in force (not superseded) have charged against the contract."""
    in_force = AcceptanceAct.objects.filter(contract=contract, superseded_by__isnull=True)
    if without is not None:
        in_force = in_force.exclude(pk=without.pk)
    return in_force.aggregate(total=Sum("amount_kzt"))["total"] or Decimal("0")


def _check_budget(contract: Contract, amount: Decimal, *, without=None) -> None:
    # A contract recorded with no amount (a framework agreement) has no ceiling to check.
    if contract.amount_kzt and _charged(contract, without=without) + amount > contract.amount_kzt:
        raise ValidationError(
            {
                "amount_kzt": _("This would charge more than the contract's amount (%(amount)s ₸).")
                % {"amount": contract.amount_kzt}
            }
        )


def _act_number(case: Case) -> str:
    made = AcceptanceAct.objects.filter(case=case).count()
    return f"{case.tracking_code}/{made + 1}"


def _act_write(
    case: Case,
    *,
    actor,
    order: WorkOrder,
    quantity: Decimal,
    unit: str,
    amount: Decimal,
    description: str,
    verify_event: CaseEvent | None,
    photos_from: AcceptanceAct | None = None,
    customer: Person | None,
    contractor: Person | None,
    supersedes: AcceptanceAct | None = None,
    correction_reason: str = "",
) -> AcceptanceAct:
    """Hash the act, append its `act_signed` event, store it. `case` is locked."""
    now = clock.now()
    number = _act_number(case)
    if photos_from is not None:
        photos = [(p.attachment_id, p.kind, p.sha256) for p in photos_from.photos.all()]
    else:
        photos = [(a.pk, a.kind, a.sha256) for a in acts.act_photos(case, verify_event)]
    signers = acts.signatories_resolve(
        case, inspector=person_for_user(actor), at=now, customer=customer, contractor=contractor
    )
    document = acts.act_document(
        number=number,
        signed_on=local_day(now),
        signed_at=now,
        case=case,
        work_order_id=order.pk,
        contract_id=order.contract_id,
        quantity=quantity,
        unit=unit,
        amount_kzt=amount,
        description=description,
        photos=photos,
        signatories=[
            (role, person.pk, occ.pk if occ else None, pos.pk if pos else None)
            for role, person, occ, pos in signers
        ],
        supersedes=supersedes.number if supersedes else None,
        correction_reason=correction_reason,
    )
    sha = acts.document_hash(document)
    event = services.case_note(
        case,
        actor=actor,
        role=roles.INSPECTOR,
        action="act_signed",
        reason=correction_reason,
        payload={
            "act": number,
            "sha256": sha,
            "work_order": order.pk,
            "contract": order.contract_id,
            "amount_kzt": document["amount_kzt"],
            "supersedes": document["supersedes"],
        },
    )
    act = AcceptanceAct.objects.create(
        work_order=order,
        case=case,
        contract_id=order.contract_id,
        number=number,
        signed_on=local_day(now),
        signed_at=now,
        description=description,
        quantity=quantity,
        unit=unit,
        amount_kzt=amount,
        supersedes=supersedes,
        correction_reason=correction_reason,
        content_sha256=sha,
        event=event,
        created_by=actor,
    )
    AcceptanceActPhoto.objects.bulk_create(
        [
            AcceptanceActPhoto(act=act, attachment_id=pk, kind=kind, sha256=sha256)
            for pk, kind, sha256 in photos
        ]
    )
    AcceptanceActSignatory.objects.bulk_create(
        [
            AcceptanceActSignatory(act=act, role=role, person=person, occupancy=occ, position=pos)
            for role, person, occ, pos in signers
        ]
    )
    # The red-flag indicators about acts run after commit (casework does not publish this event).
    handlers.case_event_enqueue(event)
    return act


def act_sign(
    case: Case | int,
    *,
    actor,
    quantity,
    unit: str,
    amount_kzt,
    description: str = "",
    note: str = "",
    photos: Iterable | None = None,
    version: int | None = None,
    customer_representative: Person | None = None,
    contractor_representative: Person | None = None,
) -> AcceptanceAct:
    """Accept the repair and sign its act: the case is verified, the act records the quantity
    and unit accepted, the amount charged against the contract, the photos with their SHA-256
    and the signatories with their posts of the day, and its hash enters the audit chain."""
    quantity = _quantity(quantity)
    unit = _unit(unit)
    amount = _amount(amount_kzt)
    description = (description or "").strip()[:REASON_MAX]
    pk = case.pk if isinstance(case, Case) else case
    with transaction.atomic():
        # Everything that can refuse is checked before the verification stores any photo.
        locked = services.case_lock(pk)
        services.check_version(locked, version)
        services.transition_authorise("verify", locked, actor)
        order = _accepted_order(locked)
        if order is None:
            raise ValidationError({"work_order": _("The case has no work order to accept.")})
        contract = Contract.objects.select_for_update().get(pk=order.contract_id)
        _check_budget(contract, amount)
        services.case_verify(locked, actor=actor, note=note, photos=photos, version=version)
        locked = services.case_lock(pk)
        verify_event = (
            CaseEvent.objects.filter(case=locked, action="verify").order_by("-seq").first()
        )
        return _act_write(
            locked,
            actor=actor,
            order=WorkOrder.objects.get(pk=order.pk),
            quantity=quantity,
            unit=unit,
            amount=amount,
            description=description,
            verify_event=verify_event,
            customer=customer_representative,
            contractor=contractor_representative,
        )


def act_correct(
    act: AcceptanceAct | int,
    *,
    actor,
    reason: str,
    quantity=None,
    unit: str | None = None,
    amount_kzt=None,
    description: str | None = None,
) -> AcceptanceAct:
    """Correct an act: a new act, signed now by `actor` (an inspector covering the case), that
    supersedes the old one and says why. Unchanged values are carried over; the old act stays."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why the act is corrected.")})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(n)d characters, please.") % {"n": REASON_MAX}}
        )
    act_pk = act.pk if isinstance(act, AcceptanceAct) else act
    with transaction.atomic():
        row = AcceptanceAct.objects.filter(pk=act_pk).only("case_id").first()
        if row is None:
            raise ValidationError({"act": _("No such act.")})
        locked = services.case_lock(row.case_id)
        old = AcceptanceAct.objects.select_related("work_order", "contract").get(pk=act_pk)
        if roles.INSPECTOR not in roles.user_roles(actor) or not scopes.role_covers(
            roles.INSPECTOR, actor, locked
        ):
            raise PermissionDenied(_("Only an inspector of the case's department corrects acts."))
        if AcceptanceAct.objects.filter(supersedes=old).exists():
            raise services.TransitionConflict(
                _("This act was already corrected; correct the newest one."), state=locked.state
            )
        new_quantity = _quantity(quantity) if quantity not in (None, "") else old.quantity
        new_unit = _unit(unit) if unit else old.unit
        new_amount = _amount(amount_kzt) if amount_kzt not in (None, "") else old.amount_kzt
        contract = Contract.objects.select_for_update().get(pk=old.contract_id)
        _check_budget(contract, new_amount, without=old)
        signers = {s.role: s.person for s in old.signatories.select_related("person")}
        return _act_write(
            locked,
            actor=actor,
            order=old.work_order,
            quantity=new_quantity,
            unit=new_unit,
            amount=new_amount,
            description=old.description if description is None else description.strip(),
            verify_event=None,
            photos_from=old,
            customer=signers.get(AcceptanceActSignatory.Role.CUSTOMER),
            contractor=signers.get(AcceptanceActSignatory.Role.CONTRACTOR),
            supersedes=old,
            correction_reason=text,
        )


def occupancy_start(
    person: Person,
    position: Position,
    *,
    started_on: dt.date,
    order_number: str = "",
    order_date: dt.date | None = None,
) -> Occupancy:
    """Appoint `person` to `position` from `started_on` (the person's other posts go on)."""
    return Occupancy.objects.create(
        person=person,
        position=position,
        started_on=started_on,
        order_number=(order_number or "").strip(),
        order_date=order_date,
    )


def occupancy_end(occupancy: Occupancy, *, ended_on: dt.date) -> Occupancy:
    """`occupancy` ends on `ended_on` (the last day held)."""
    if ended_on < occupancy.started_on:
        raise ValidationError({"ended_on": _("A post cannot be left before it is taken.")})
    occupancy.ended_on = ended_on
    occupancy.save(update_fields=["ended_on"])
    return occupancy


# Dismissing a red-flag hit lives with the indicators; named here with the other writes.
from oversight.red_flags.queue import red_flag_dismiss  # noqa: E402, F401
