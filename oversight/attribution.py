"""Attributing decisions to the person and the post held at the moment.

Casework publishes every event it records on the `case.event` topic of the outbox (in the same
transaction as the event). Oversight's job for it (`oversight.handlers`) runs after commit and
writes one
`DecisionAttribution` per decision: the actor's person and the occupancy they held on the local
day of the event (`oversight.selectors.post_held`, preferring the post that fits the role the
event records). The moment is the event's own, so a job that runs late, twice, or as part of the
backfill for old events (`attributions_backfill`) attributes exactly the same way.
"""

from __future__ import annotations

from django.db import transaction

from casework.models import CaseEvent
from oversight.models import DecisionAttribution
from oversight.people import person_for_user
from oversight.selectors import post_held

DECISIONS = frozenset(
    {
        "assign",  # routed (or redirected) to a department
        "notify_contractor",  # work order issued
        "verify",  # repair accepted
        "return_for_rework",  # repair rejected
        "reject",  # complaint rejected
        "extend_deadline",
        "reopen",
    }
)


def attribution_write(event: CaseEvent) -> DecisionAttribution | None:
    """The attribution of one decision event (made once; the existing one if already made).
    Events that are not decisions, or that no staff member took, get none."""
    if event.action not in DECISIONS or event.actor_id is None:
        return None
    existing = DecisionAttribution.objects.filter(event_id=event.pk).first()
    if existing is not None:
        return existing
    person = person_for_user(event.actor)
    occupancy = post_held(person, event.created_at, role=event.role)
    return DecisionAttribution.objects.create(
        event_id=event.pk,
        case_id=event.case_id,
        action=event.action,
        decided_at=event.created_at,
        person=person,
        occupancy=occupancy,
        position=occupancy.position if occupancy is not None else None,
    )


def attributions_backfill(batch_size: int = 1000) -> int:
    """Attribute every past decision that has no attribution yet. Returns how many were made."""
    made = 0
    last_id = 0
    while True:
        batch = list(
            CaseEvent.objects.filter(
                id__gt=last_id, action__in=DECISIONS, actor__isnull=False, attribution__isnull=True
            )
            .select_related("actor")
            .order_by("id")[:batch_size]
        )
        if not batch:
            return made
        for event in batch:
            with transaction.atomic():
                if attribution_write(event) is not None:
                    made += 1
        last_id = batch[-1].pk
