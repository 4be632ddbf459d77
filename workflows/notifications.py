"""Staff and citizen notifications (filled in below)."""

from __future__ import annotations

from casework import outbox


def task_created_notice(task) -> None:
    outbox.enqueue(
        "staff_task_created", {"task": task.pk}, dedupe_key=f"staff_task_created:{task.pk}"
    )
