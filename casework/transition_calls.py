"""Each case action as one call from validated input.

The REST API (serializers) and the staff application (forms) both perform actions through
`transition_perform`, so the same input reaches the same service whichever door it came through.
Apps above casework register the actions they own with `register_transition_call`: contractors
issues work orders (`notify_contractor`) and takes repair reports through its evidence checks
(`report_repaired`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from casework import services
from casework.models import Case

TransitionCall = Callable[[Case, Any, dict[str, Any]], Any]
_calls: dict[str, TransitionCall] = {}


def register_transition_call(name: str, call: TransitionCall) -> None:
    _calls[name] = call


def transition_perform(name: str, case: Case, actor, data: dict[str, Any]) -> Any:
    """Run action `name` on `case` as `actor` with already validated `data`."""
    return _calls[name](case, actor, data)


def transition_call(name: str) -> TransitionCall:
    """`transition_perform` for one action, looked up when it runs: the apps above casework
    register theirs after the API and the staff application have built their tables."""
    return functools.partial(transition_perform, name)


register_transition_call(
    "assign",
    lambda case, actor, d: services.case_assign(
        case,
        actor=actor,
        department=d["department"],
        reason=d.get("reason", ""),
        version=d.get("version"),
    ),
)
register_transition_call(
    "report_repaired",
    lambda case, actor, d: services.case_report_repaired(
        case,
        actor=actor,
        before=d["before"],
        after=d["after"],
        note=d.get("note", ""),
        version=d.get("version"),
    ),
)
register_transition_call(
    "verify",
    lambda case, actor, d: services.case_verify(
        case,
        actor=actor,
        note=d.get("note", ""),
        photos=d.get("photos"),
        version=d.get("version"),
    ),
)
register_transition_call(
    "return_for_rework",
    lambda case, actor, d: services.case_return_for_rework(
        case,
        actor=actor,
        reason=d["reason"],
        photos=d.get("photos"),
        version=d.get("version"),
    ),
)
register_transition_call(
    "reject",
    lambda case, actor, d: services.case_reject(
        case,
        actor=actor,
        reason_code=d["reason_code"],
        reason=d["reason"],
        duplicate_of=d.get("duplicate_of"),
        version=d.get("version"),
    ),
)
register_transition_call(
    "reopen",
    lambda case, actor, d: services.case_reopen(
        case,
        actor=actor,
        reason=d["reason"],
        kind=d.get("kind"),
        version=d.get("version"),
    ),
)
register_transition_call(
    "extend_deadline",
    lambda case, actor, d: services.case_extend_deadline(
        case,
        actor=actor,
        new_due_at=d["new_due_at"],
        decision=d["decision"],
        version=d.get("version"),
    ),
)
