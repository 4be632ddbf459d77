"""Chat messages that answer something other than a complaint draft.

A citizen replying "5 4" to a vote request, or sending the one-time code shown on a web page, is
not starting a complaint. Apps above intake register a claimer here; the normaliser asks each in
turn, in its transaction with the sender's conversation locked, before the message joins a draft.
The first claimer that returns a `Claim` takes the message: its reply (if any) is queued to the
sender and the message is finished. A claimer that raises rolls the whole message back, and the
outbox job retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from intake.channels.base import Incoming
from intake.models import Conversation


@dataclass(frozen=True)
class Claim:
    """What a claimer did with a message: `outcome` is logged and returned by the normaliser."""

    outcome: str
    reply: str = ""


Claimer = Callable[[Conversation, Incoming], "Claim | None"]

_claimers: dict[str, Claimer] = {}


def claimer(name: str) -> Callable[[Claimer], Claimer]:
    """Register a claimer under a name (registering the same name again replaces it)."""

    def register(function: Claimer) -> Claimer:
        _claimers[name] = function
        return function

    return register


def message_claim(conversation: Conversation, incoming: Incoming) -> Claim | None:
    """The first registered claimer's claim on this message, or None: it is complaint text."""
    for function in list(_claimers.values()):
        claim = function(conversation, incoming)
        if claim is not None:
            return claim
    return None
