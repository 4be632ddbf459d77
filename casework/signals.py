"""Signals sent inside a service's transaction, after the case and its event are written.

Receivers run in the same transaction (the workflow layer moves its process here, so that the
flow never disagrees with the case). Anything slow or external belongs in an outbox job instead.
"""

from django.dispatch import Signal

# kwargs: case, event, actor, transition (name, or "open" / "extend_deadline" ...)
case_changed = Signal()
