"""The deadline sweep: finds breached deadlines with set-based SQL and escalates each one once.

Escalation levels (Administrative Procedural Code deadlines, `casework.deadlines`):

1. the stage deadline passed: a reminder to whoever holds the step;
2. one working day after that: the head of the department and the district akim's office;
3. the answer deadline (15 working days, or as extended) passed: flagged for the
   anti-corruption investigators.

Every deadline a case has right now is scheduled as a pending `Escalation` row, written in the
same transaction as the change that set it (a `case_changed` receiver below), with the moment it
fires computed here with Kazakh working days. The sweep then only reads the pending rows whose
moment has come -- through a partial index, so its cost follows the number of new breaches, not
the number of open cases -- locks those cases, and in one transaction has
`casework.services.case_escalations_fire` fire the rows, append one `CaseEvent` per escalation to
the audit chain, record the new level on the case (with its history row) and queue the
notifications in the outbox. A fired row is never fired again, so running the sweep twice
escalates nothing twice; two sweeps at once serialise on the case locks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import receiver

from casework import clock, deadlines
from casework.models import Case, Escalation, EscalationLevel
from casework.services import DueEscalation, case_escalations_fire
from casework.signals import case_changed
from casework.states import CLOSED_STATES

BATCH_SIZE = 2000


def _wanted(case: Case) -> dict[tuple[int, dt.datetime], dt.datetime]:
    """(level, deadline) -> moment it fires, for the deadlines the case has now."""
    if case.state in CLOSED_STATES:
        return {}
    wanted = {}
    if case.stage_due_at is not None:
        wanted[(EscalationLevel.REMINDER.value, case.stage_due_at)] = case.stage_due_at
        wanted[(EscalationLevel.MANAGEMENT.value, case.stage_due_at)] = deadlines.add_working_days(
            case.stage_due_at, 1
        )
    if case.due_at is not None:
        wanted[(EscalationLevel.INVESTIGATORS.value, case.due_at)] = case.due_at
    return wanted


def escalation_schedule(case: Case) -> None:
    """Bring the case's pending escalations in line with its deadlines. Call with the case locked,
    inside the transaction that changed it."""
    wanted = _wanted(case)
    existing = {(row.level, row.deadline_at): row for row in Escalation.objects.filter(case=case)}
    obsolete = [
        row.pk for key, row in existing.items() if row.fired_at is None and key not in wanted
    ]
    if obsolete:
        Escalation.objects.filter(pk__in=obsolete, fired_at__isnull=True).delete()
    missing = [
        Escalation(case=case, level=level, deadline_at=deadline, fire_at=fire_at, stage=case.state)
        for (level, deadline), fire_at in wanted.items()
        if (level, deadline) not in existing
    ]
    if missing:
        Escalation.objects.bulk_create(missing)


@receiver(case_changed, dispatch_uid="casework.sweep.escalation_schedule")
def _schedule_on_change(sender, case: Case, **kwargs) -> None:
    escalation_schedule(case)


def schedule_rebuild() -> int:
    """Schedule the deadlines of every open case (for data that predates the schedule)."""
    count = 0
    for pk in Case.objects.open().values_list("pk", flat=True).iterator(chunk_size=2000):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            escalation_schedule(case)
        count += 1
    return count


@dataclass
class SweepReport:
    fired: int = 0
    dropped: int = 0
    by_level: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        levels = ", ".join(f"level {lvl}: {n}" for lvl, n in sorted(self.by_level.items()))
        return f"{self.fired} escalated ({levels or 'none'}), {self.dropped} stale dropped"


def sweep_run(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepReport:
    """Escalate every deadline breached by `now` (default: the clock). Safe to run at any time,
    as often as wanted, from several workers at once."""
    report = SweepReport()
    frozen = clock.frozen_at(now) if now is not None else contextlib.nullcontext()
    with frozen:
        moment = clock.now()
        while _sweep_batch(moment, batch_size, report) >= batch_size:
            pass
    return report


def _still_holds(row: DueEscalation, case: dict) -> bool:
    if case["state"] in CLOSED_STATES:
        return False
    if row.level == EscalationLevel.INVESTIGATORS:
        return case["due_at"] == row.deadline_at
    return case["stage_due_at"] == row.deadline_at


def _sweep_batch(now: dt.datetime, batch_size: int, report: SweepReport) -> int:
    """Fire up to `batch_size` due rows in one transaction. Returns how many rows it looked at."""
    with transaction.atomic():
        due = (
            Escalation.objects.filter(fired_at__isnull=True, fire_at__lte=now)
            .order_by("fire_at", "id")
            .values_list("case_id", flat=True)[:batch_size]
        )
        case_ids = sorted(set(due))
        if not case_ids:
            return 0
        # Lock the cases (in id order, as any other sweep does) before touching their rows:
        # services change a case's schedule only while holding the same lock.
        cases = {
            row["id"]: row
            for row in Case.objects.select_for_update()
            .filter(pk__in=case_ids)
            .order_by("pk")
            .values("id", "state", "event_seq", "escalation_level", "stage_due_at", "due_at")
        }
        rows = [
            DueEscalation(*values)
            for values in Escalation.objects.filter(
                case_id__in=case_ids, fired_at__isnull=True, fire_at__lte=now
            )
            .order_by("case_id", "level", "deadline_at")
            .values_list("pk", "case_id", "level", "deadline_at")
        ]
        stale = {row.pk for row in rows if not _still_holds(row, cases[row.case_id])}
        if stale:
            Escalation.objects.filter(pk__in=stale, fired_at__isnull=True).delete()
            report.dropped += len(stale)
        firing = [row for row in rows if row.pk not in stale]
        if firing:
            case_escalations_fire(firing, cases, now)
            report.fired += len(firing)
            report.by_level.update(row.level for row in firing)
        return len(rows)
