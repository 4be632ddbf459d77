"""Outbox topics the contractors app publishes (`casework.outbox.publish`): apps above it
subscribe without contractors knowing them."""

from __future__ import annotations

import uuid

from casework import outbox

# A contract was signed (stored) or modified: payload {"contract": id, "change": ...}.
CONTRACT_TOPIC = "contract.changed"


def contract_changed(contract_id: int, change: str) -> None:
    """Publish that a contract changed, in the current transaction."""
    outbox.publish(
        CONTRACT_TOPIC,
        {"contract": contract_id, "change": change},
        key=f"contract:{contract_id}:{change}:{uuid.uuid4().hex}",
    )
