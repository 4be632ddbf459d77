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
the number of open cases -- locks those cases, and in one transaction fires the rows, appends one
`CaseEvent` per escalation to the audit chain, records the new level on the case (with its history
row) and queues the notifications in the outbox. A fired row is never fired again, so running the
sweep twice escalates nothing twice; two sweeps at once serialise on the case locks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.dispatch import receiver

from casework import audit, clock, deadlines, outbox
from casework.models import Case, Escalation, EscalationLevel
from casework.signals import case_changed
from casework.states import CLOSED_STATES

BATCH_SIZE = 2000
CASE_EVENT_TOPIC = "case.event"
ESCALATE = "escalate"


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


class Due(NamedTuple):
    """A pending escalation whose moment has come."""

    pk: int
    case_id: int
    level: int
    deadline_at: dt.datetime


def _still_holds(row: Due, case: dict) -> bool:
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
            Due(*values)
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
            _fire(firing, cases, now, report)
        return len(rows)


def _fire(rows: list[Due], cases: dict[int, dict], now: dt.datetime, report) -> None:
    new_events = []
    levels: dict[int, int] = {}
    for row in rows:
        case = cases[row.case_id]
        case["event_seq"] += 1
        levels[row.case_id] = max(levels.get(row.case_id, case["escalation_level"]), row.level)
        new_events.append(
            audit.NewEvent(
                case_id=row.case_id,
                seq=case["event_seq"],
                action=ESCALATE,
                from_state=case["state"],
                to_state=case["state"],
                role="system",
                payload={
                    "escalation": row.pk,
                    "level": row.level,
                    "deadline": "answer" if row.level == EscalationLevel.INVESTIGATORS else "stage",
                    "deadline_at": row.deadline_at.isoformat(),
                    "stage": case["state"],
                },
            )
        )
    events = audit.events_append_many(new_events)
    fired = [(row.pk, event.pk) for row, event in zip(rows, events, strict=True)]
    cases_now = [(pk, cases[pk]["event_seq"], level) for pk, level in levels.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement each, as a plain UPDATE of these rows would be.
            cursor.execute(
                "UPDATE casework_escalation AS e SET fired_at = %s, event_id = u.event_id "
                "FROM json_to_recordset(%s::json) AS u(id bigint, event_id bigint) "
                "WHERE e.id = u.id",
                [now, json.dumps([{"id": pk, "event_id": event} for pk, event in fired])],
            )
            # Case.objects.update() is refused because it would skip the history; this writes
            # the history rows itself, below, for exactly these cases.
            cursor.execute(
                "UPDATE casework_case AS c SET event_seq = u.seq, escalation_level = u.level "
                "FROM json_to_recordset(%s::json) AS u(id bigint, seq int, level int) "
                "WHERE c.id = u.id",
                [json.dumps([{"id": pk, "seq": seq, "level": lvl} for pk, seq, lvl in cases_now])],
            )
        else:
            cursor.executemany(
                "UPDATE casework_escalation SET fired_at = %s, event_id = %s WHERE id = %s",
                [(now, event, pk) for pk, event in fired],
            )
            cursor.executemany(
                "UPDATE casework_case SET event_seq = %s, escalation_level = %s WHERE id = %s",
                [(seq, level, pk) for pk, seq, level in cases_now],
            )
        _history_snapshot(cursor, list(levels), now)
    outbox.publish_many(
        CASE_EVENT_TOPIC,
        [
            (
                {
                    "case": event.case_id,
                    "event": event.pk,
                    "action": ESCALATE,
                    "to_state": event.to_state,
                    "level": row.level,
                },
                str(event.pk),
            )
            for row, event in zip(rows, events, strict=True)
        ],
    )
    report.fired += len(rows)
    report.by_level.update(row.level for row in rows)


def _history_snapshot(cursor, case_ids: list[int], now: dt.datetime) -> None:
    """One django-simple-history row per escalated case, copied from the case row in SQL."""
    historical = Case.history.model
    quote = connection.ops.quote_name
    columns = [
        f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")
    ]
    column_list = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(case_ids))
    cursor.execute(
        f"INSERT INTO {quote(historical._meta.db_table)} ({column_list}, history_date, "  # noqa: S608
        f"history_change_reason, history_type, history_user_id) "
        f"SELECT {column_list}, %s, %s, '~', NULL FROM casework_case WHERE id IN ({marks})",
        [now, ESCALATE, *case_ids],
    )
