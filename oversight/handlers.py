"""Oversight's outbox jobs.

`oversight_case_event`, one job per case event (casework's `case.event` topic, and the
`act_signed` events oversight records itself): attribute a decision to its person and post, link a
failure of accepted work to its act, and check the red-flag indicators the event concerns. One
job, not one per concern: every case event pays for each subscriber's job row and broker message.

`oversight_contract_changed` (contractors' `contract.changed` topic: a contract signed or
modified): check the contract indicators for it.
"""

from __future__ import annotations

from typing import Any

from casework import outbox
from casework.models import CaseEvent
from casework.services import CASE_EVENT_TOPIC
from contractors.topics import CONTRACT_TOPIC
from oversight.attribution import DECISIONS, attribution_write
from oversight.failures import WATCHED, failures_for_event, failures_record
from oversight.red_flags.registry import ACTIONS as RED_FLAG_ACTIONS
from oversight.red_flags.run import red_flags_for_contract, red_flags_for_event

JOB_KIND = "oversight_case_event"
CONTRACT_JOB_KIND = "oversight_contract_changed"


@outbox.handler(JOB_KIND, topics=(CASE_EVENT_TOPIC,))
def oversight_case_event(payload: dict[str, Any]) -> None:
    action = payload.get("action")
    if action not in DECISIONS and action not in WATCHED and action not in RED_FLAG_ACTIONS:
        return
    event = CaseEvent.objects.select_related("actor", "case").filter(pk=payload["event"]).first()
    if event is None:
        return
    attribution_write(event)
    failures_record(failures_for_event(event))
    red_flags_for_event(event)


def case_event_enqueue(event: CaseEvent) -> None:
    """Queue the job for an event oversight records itself (not published by casework)."""
    outbox.enqueue(
        JOB_KIND,
        {"case": event.case_id, "event": event.pk, "action": event.action},
        dedupe_key=f"{JOB_KIND}:{event.pk}",
    )


@outbox.handler(CONTRACT_JOB_KIND, topics=(CONTRACT_TOPIC,))
def oversight_contract_changed(payload: dict[str, Any]) -> None:
    red_flags_for_contract(int(payload["contract"]))
