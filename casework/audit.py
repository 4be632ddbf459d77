"""Appending to and checking the audit chain.

Every `CaseEvent` hash is sha256(prev_hash + canonical JSON of the event). There is one chain for
the whole database; `AuditHead` is locked for each append so that appends are serialised and the
chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery

from casework import clock
from casework.models import AuditHead, Case, CaseEvent
from casework.models.audit import GENESIS_HASH
from casework.roles import primary_role


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_document(event: CaseEvent) -> dict[str, Any]:
    """The fields an event's hash covers, in a form that survives a database round trip."""
    return {
        "case": event.case_id,
        "seq": event.seq,
        "actor": event.actor_id,
        "role": event.role,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "payload": event.payload,
        "created_at": _moment(event.created_at),
    }


def chain_hash(prev_hash: str, document: dict[str, Any]) -> str:
    """The hash of one link of a chain: sha256(prev_hash + canonical JSON of its document)."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode())
    digest.update(canonical_json(document).encode())
    return digest.hexdigest()


def event_hash(prev_hash: str, event: CaseEvent) -> str:
    return chain_hash(prev_hash, event_document(event))


def event_append(
    case: Case,
    *,
    actor,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    role: str | None = None,
) -> CaseEvent:
    """Write the next event of `case`. Call inside the service's transaction with `case` locked."""
    assert transaction.get_connection().in_atomic_block, "event_append needs a transaction"
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    case.event_seq += 1
    event = CaseEvent(
        case=case,
        seq=case.event_seq,
        actor=actor,
        role=role or primary_role(actor),
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        # Stored exactly as hashed: a JSON round trip now, so that reading it back matches.
        payload=json.loads(canonical_json(payload or {})),
        created_at=clock.now(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(head.last_hash, event)
    event.save()
    head.last_event_id = event.pk
    head.last_hash = event.hash
    head.count += 1
    head.save(update_fields=["last_event_id", "last_hash", "count"])
    return event


@dataclass(frozen=True)
class NewEvent:
    """One event for `events_append_many`: the caller has locked its case and numbered it."""

    case_id: int
    seq: int
    action: str
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    payload: dict[str, Any] | None = None
    role: str = "system"
    actor_id: int | None = None


def events_append_many(new_events: list[NewEvent]) -> list[CaseEvent]:
    """Append several events with one head lock and one INSERT: the chain is exactly what
    `event_append` would make one by one. For set-based writers (the deadline sweep), which
    lock the cases, number the events (`seq`) and store each case's last `seq` themselves."""
    assert transaction.get_connection().in_atomic_block, "events_append_many needs a transaction"
    if not new_events:
        return []
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    moment = clock.now()
    prev_hash = head.last_hash
    events = []
    for new in new_events:
        event = CaseEvent(
            case_id=new.case_id,
            seq=new.seq,
            actor_id=new.actor_id,
            role=new.role,
            action=new.action,
            from_state=new.from_state,
            to_state=new.to_state,
            reason=new.reason,
            payload=json.loads(canonical_json(new.payload or {})),
            created_at=moment,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(prev_hash, event)
        prev_hash = event.hash
        events.append(event)
    if connection.vendor == "postgresql":
        _insert_in_chain_order(events)
    else:
        # One multi-row INSERT: ids follow list order; the head lock keeps others out meanwhile.
        CaseEvent.objects.bulk_create(events)
    head.last_event_id = events[-1].pk
    head.last_hash = prev_hash
    head.count += len(events)
    head.save(update_fields=["last_event_id", "last_hash", "count"])
    return events


def _insert_in_chain_order(events: list[CaseEvent]) -> None:
    """PostgreSQL: take the ids first (ascending, so id order is chain order, which
    `chain_verify` walks), then insert every row with one statement over arrays."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('casework_caseevent', 'id')) "
            "FROM generate_series(1, %s)",
            [len(events)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        for event, pk in zip(events, ids, strict=True):
            event.pk = pk
        # One JSON document for all the rows: far cheaper to send than a dozen arrays.
        cursor.execute(
            """
            INSERT INTO casework_caseevent (id, case_id, seq, actor_id, role, action, from_state,
                to_state, reason, payload, created_at, prev_hash, hash)
            SELECT id, case_id, seq, actor_id, role, action, from_state, to_state, reason,
                payload, created_at, prev_hash, hash
            FROM json_to_recordset(%s::json) AS u(id bigint, case_id bigint, seq int,
                actor_id bigint, role text, action text, from_state text, to_state text,
                reason text, payload jsonb, created_at timestamptz, prev_hash text, hash text)
            """,
            [
                json.dumps(
                    [
                        {
                            "id": e.pk,
                            "case_id": e.case_id,
                            "seq": e.seq,
                            "actor_id": e.actor_id,
                            "role": e.role,
                            "action": e.action,
                            "from_state": e.from_state,
                            "to_state": e.to_state,
                            "reason": e.reason,
                            "payload": e.payload,
                            "created_at": e.created_at.isoformat(),
                            "prev_hash": e.prev_hash,
                            "hash": e.hash,
                        }
                        for e in events
                    ],
                    ensure_ascii=False,
                )
            ],
        )
        for event in events:
            event._state.adding = False
            event._state.db = "default"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_hash: str
    bad_event_id: int | None = None
    problem: str = ""


def chain_end_report(
    head_hash: str | None, head_row_id: int | None, prev_hash: str, checked: int, rows: str
) -> ChainReport:
    """The last check of every chain: the walk must end on the hash its head table recorded
    (`head_hash` None: no head row yet, so the genesis hash). `rows` names them in the message."""
    if (head_hash or GENESIS_HASH) != prev_hash:
        return ChainReport(
            False,
            checked,
            prev_hash,
            head_row_id,
            f"the chain ends before the recorded head (the newest {rows} were deleted)",
        )
    return ChainReport(True, checked, prev_hash)


def chain_verify(batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; report the first event that does not match."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    per_case_seq: dict[int, int] = {}
    while True:
        batch = list(CaseEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    checked,
                    prev_hash,
                    event.pk,
                    "does not follow the event before it (a row was deleted or inserted)",
                )
            if event_hash(prev_hash, event) != event.hash:
                return ChainReport(False, checked, prev_hash, event.pk, "content was changed")
            expected_seq = per_case_seq.get(event.case_id, 0) + 1
            if event.seq != expected_seq:
                return ChainReport(
                    False,
                    checked,
                    prev_hash,
                    event.pk,
                    f"is number {event.seq} on its case, expected {expected_seq}",
                )
            per_case_seq[event.case_id] = event.seq
            prev_hash = event.hash
            checked += 1
            last_id = event.pk
    head = AuditHead.objects.filter(id=1).first()
    return chain_end_report(
        head and head.last_hash, head and head.last_event_id, prev_hash, checked, "events"
    )


@dataclass(frozen=True)
class StateMismatch:
    case_id: int
    problem: str


def case_states_verify() -> tuple[int, StateMismatch | None]:
    """Compare every case with its last event: the case's counter names that event, and the
    event leaves the case in the state the row holds. Returns the number of cases checked and
    the first (by id) that does not match."""
    last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-seq")
    cases = Case.objects.annotate(
        last_seq=Subquery(last.values("seq")[:1]),
        last_state=Subquery(last.values("to_state")[:1]),
    )
    checked = cases.count()
    mismatch = (
        cases.filter(
            Q(last_seq__isnull=True) | ~Q(last_seq=F("event_seq")) | ~Q(last_state=F("state"))
        )
        .order_by("pk")
        .values("pk", "state", "event_seq", "last_seq", "last_state")
        .first()
    )
    if mismatch is None:
        return checked, None
    if mismatch["last_seq"] is None:
        problem = f"is {mismatch['state']} and has no event"
    elif mismatch["last_seq"] != mismatch["event_seq"]:
        problem = (
            f"counts {mismatch['event_seq']} events but its last event is #{mismatch['last_seq']}"
        )
    else:
        problem = (
            f"is {mismatch['state']} but its last event (#{mismatch['last_seq']}) leaves it "
            f"{mismatch['last_state']}"
        )
    return checked, StateMismatch(mismatch["pk"], problem)


# Other hash chains (apps above casework keep their own, e.g. oversight's inquiry log): each
# registers a function that walks its chain, and `verify_audit` walks them after this one.
_chains: dict[str, Callable[[], ChainReport]] = {}


def register_chain(name: str, verify: Callable[[], ChainReport]) -> None:
    _chains[name] = verify


def registered_chains() -> dict[str, Callable[[], ChainReport]]:
    return dict(_chains)


def chain_head() -> tuple[str, int]:
    """The current tip of the chain and its length, for report covers."""
    head = AuditHead.objects.filter(id=1).first()
    return (head.last_hash, head.count) if head else (GENESIS_HASH, 0)
