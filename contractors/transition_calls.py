"""The two case actions contractors owns, for casework.transition_calls: issuing a work order
(`notify_contractor`) and reporting a repair through the evidence checks (`report_repaired`).
Both the REST API and the staff application perform them through that table."""

from casework.transition_calls import register_transition_call
from contractors.services import work_order_issue, work_order_report_repair


def transition_calls_register() -> None:
    register_transition_call(
        "notify_contractor",
        lambda case, actor, d: work_order_issue(
            case,
            actor=actor,
            contract=d["contract"],
            due_at=d.get("due_at"),
            note=d.get("note", ""),
            version=d.get("version"),
        ),
    )
    register_transition_call(
        "report_repaired",
        lambda case, actor, d: work_order_report_repair(
            case,
            actor=actor,
            before=d["before"],
            after=d["after"],
            note=d.get("note", ""),
            version=d.get("version"),
        ),
    )
