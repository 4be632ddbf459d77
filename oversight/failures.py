"""Finding accepted work that failed, and linking it to the act that accepted it.

Three kinds of evidence, each read from one case event:
- `reopened`: a verified case is reopened (a defect, the citizen's dispute): the act in force on
  that case when it was reopened failed;
- `warranty_claim`: a new complaint became a warranty claim on an accepted work order
  (`contractors.warranty`): that order's act failed;
- `nearby_complaint`: a new complaint of the same category within the warranty radius
  (`WARRANTY_RADIUS_M`, 30 m) of any other repair still under warranty when it came: those acts
  failed too (the claim itself goes to the nearest repair only).

`failures_for_event` decides from the event alone and what stood at its moment (the act signed by
then, the warranty running then), so the outbox job that runs when the event happens
(`oversight.handlers`) and `failures_recompute`, which walks every event again, find the same
set. Both only add rows; a failure found stays found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from casework.models import CaseEvent
from casework.states import CaseState
from contractors.models import WarrantyClaim
from contractors.warranty import warranty_candidates
from oversight.models import AcceptanceAct, AcceptedWorkFailure
from oversight.selectors import act_in_force

Kind = AcceptedWorkFailure.Kind
WATCHED = ("open", "reopen")


@dataclass(frozen=True)
class FailureFound:
    act_id: int
    kind: str
    case_id: int
    event_id: int
    detected_at: Any
    warranty_claim_id: int | None = None
    distance_m: float | None = None

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.act_id, self.kind, self.event_id)


def failures_for_event(event: CaseEvent) -> list[FailureFound]:
    """The failures of accepted work that `event` shows (none for most events)."""
    if event.action == "reopen" and event.from_state == CaseState.VERIFIED:
        act = (
            AcceptanceAct.objects.filter(case_id=event.case_id, signed_at__lte=event.created_at)
            .order_by("-signed_at", "-id")
            .first()
        )
        if act is None:
            return []
        return [FailureFound(act.pk, Kind.REOPENED, event.case_id, event.pk, event.created_at)]
    if event.action != "open":
        return []
    case = event.case
    if case.latitude is None or case.longitude is None:
        return []
    claim = WarrantyClaim.objects.filter(case_id=case.pk).first()
    found = []
    for order, distance in warranty_candidates(
        case.category_id,
        float(case.latitude),
        float(case.longitude),
        event.created_at,
        exclude_case=case.pk,
    ):
        act = act_in_force(order.pk, event.created_at)
        if act is None:
            continue
        claimed = claim is not None and claim.original_order_id == order.pk
        found.append(
            FailureFound(
                act.pk,
                Kind.WARRANTY_CLAIM if claimed else Kind.NEARBY_COMPLAINT,
                case.pk,
                event.pk,
                event.created_at,
                warranty_claim_id=claim.pk if claimed else None,
                distance_m=round(distance, 2),
            )
        )
    return found


def failures_record(found: list[FailureFound]) -> list[AcceptedWorkFailure]:
    """Store the failures not stored yet."""
    made = []
    for item in found:
        if AcceptedWorkFailure.objects.filter(
            act_id=item.act_id, kind=item.kind, event_id=item.event_id
        ).exists():
            continue
        made.append(
            AcceptedWorkFailure.objects.create(
                act_id=item.act_id,
                kind=item.kind,
                case_id=item.case_id,
                event_id=item.event_id,
                warranty_claim_id=item.warranty_claim_id,
                distance_m=item.distance_m,
                detected_at=item.detected_at,
            )
        )
    return made


def _watched_events():
    first_act = AcceptanceAct.objects.order_by("signed_at").values_list("signed_at", flat=True)
    since = first_act.first()
    if since is None:
        return CaseEvent.objects.none()
    return (
        CaseEvent.objects.filter(action__in=WATCHED, created_at__gte=since)
        .select_related("case")
        .order_by("id")
    )


def failures_expected() -> set[tuple[int, str, int]]:
    """Every failure a full pass over the events finds, as (act, kind, event) keys."""
    keys: set[tuple[int, str, int]] = set()
    for event in _watched_events().iterator(chunk_size=1000):
        keys.update(item.key for item in failures_for_event(event))
    return keys


def failures_recompute() -> int:
    """Walk every event again and store the failures not stored yet. Returns how many."""
    made = 0
    for event in _watched_events().iterator(chunk_size=1000):
        found = failures_for_event(event)
        if found:
            with transaction.atomic():
                made += len(failures_record(found))
    return made
