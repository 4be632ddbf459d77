"""The inquiry log: appending to it and checking it.

Each entry's hash is casework's `chain_hash(prev_hash, document)`, one chain for every inquiry,
serialised by locking `InquiryLogHead`. Each append-only record (evidence, custody transfer,
note, finding) is written with an entry whose payload holds the record's kind and content (the
`*_document` functions), so `log_verify` finds a record changed or deleted behind the log's back
as well as a changed, inserted or deleted entry. Registered with casework (`register_chain`), so
`manage.py verify_audit` walks it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction

from casework import clock
from casework.audit import ChainReport, canonical_json, chain_end_report, chain_hash
from casework.models.audit import GENESIS_HASH
from oversight.models import (
    CustodyTransfer,
    EvidenceItem,
    Finding,
    Inquiry,
    InquiryLogEntry,
    InquiryLogHead,
    InquiryNote,
)

CHAIN_NAME = "inquiry log"


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def entry_document(entry: InquiryLogEntry) -> dict[str, Any]:
    """The fields an entry's hash covers, in a form that survives a database round trip."""
    return {
        "inquiry": entry.inquiry_id,
        "seq": entry.seq,
        "actor": entry.actor_id,
        "action": entry.action,
        "reason": entry.reason,
        "payload": entry.payload,
        "created_at": _moment(entry.created_at),
    }


# What the log records of each append-only record: everything the record says (a note's text as
# its SHA-256, so the log can be shown without the interview itself).


def evidence_document(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number,
        "kind": item.kind,
        "description": item.description,
        "file": item.file.name or "",
        "original_name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "case_event": item.case_event_id,
        "attachment": item.attachment_id,
        "act": item.act_id,
        "sha256": item.sha256,
        "custodian": item.custodian_id,
        "added_by": item.added_by_id,
        "added_at": _moment(item.added_at),
    }


def custody_document(transfer: CustodyTransfer) -> dict[str, Any]:
    return {
        "id": transfer.pk,
        "evidence": transfer.evidence_id,
        "from": transfer.from_user_id,
        "to": transfer.to_user_id,
        "at": _moment(transfer.transferred_at),
        "reason": transfer.reason,
        "recorded_by": transfer.recorded_by_id,
    }


def note_document(note: InquiryNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "party": note.party_id,
        "text_sha256": text_sha256(note.text),
        "held_at": _moment(note.held_at),
        "written_by": note.written_by_id,
        "written_at": _moment(note.written_at),
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "party": finding.party_id,
        "conclusion": finding.conclusion,
        "reasoning": finding.reasoning,
        "recorded_by": finding.recorded_by_id,
        "recorded_at": _moment(finding.recorded_at),
    }


# kind named in the entry's payload -> (model, its document, how to name it in a report)
RECORDS = {
    "evidence": (EvidenceItem, evidence_document, "evidence item"),
    "custody": (CustodyTransfer, custody_document, "custody transfer"),
    "note": (InquiryNote, note_document, "note"),
    "finding": (Finding, finding_document, "finding"),
}
_DOCUMENTS = {model: (kind, document) for kind, (model, document, _label) in RECORDS.items()}


def log_append(
    inquiry: Inquiry,
    *,
    actor,
    action: str,
    payload: dict[str, Any] | None = None,
    reason: str = "",
) -> InquiryLogEntry:
    """Write the next entry of `inquiry`'s log. Call inside the service's transaction with the
    inquiry row locked."""
    assert transaction.get_connection().in_atomic_block, "log_append needs a transaction"
    head, _ = InquiryLogHead.objects.select_for_update().get_or_create(id=1)
    last = InquiryLogEntry.objects.filter(inquiry=inquiry).order_by("-seq").values("seq").first()
    entry = InquiryLogEntry(
        inquiry=inquiry,
        seq=(last["seq"] if last else 0) + 1,
        actor=actor,
        action=action,
        reason=reason,
        # Stored exactly as hashed: a JSON round trip now, so that reading it back matches.
        payload=json.loads(canonical_json(payload or {})),
        created_at=clock.now(),
        prev_hash=head.last_hash,
    )
    entry.hash = chain_hash(head.last_hash, entry_document(entry))
    entry.save()
    head.last_entry_id = entry.pk
    head.last_hash = entry.hash
    head.count += 1
    head.save(update_fields=["last_entry_id", "last_hash", "count"])
    return entry


def record_append(
    inquiry: Inquiry, record, *, actor, action: str, reason: str = "", **extra
) -> InquiryLogEntry:
    """Store an append-only `record` and log it: the entry's payload holds the record's kind and
    content (`record`), which `log_verify` compares with the row."""
    record.save()
    kind, document = _DOCUMENTS[type(record)]
    return log_append(
        inquiry,
        actor=actor,
        action=action,
        reason=reason,
        payload={**extra, "record_kind": kind, "record": document(record)},
    )


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def log_verify(batch_size: int = 5000) -> ChainReport:
    """Walk the inquiry log in id order and report the first entry that does not match, then
    check every evidence item, custody transfer, note and finding against its entry."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    per_inquiry_seq: dict[int, int] = {}
    recorded: dict[tuple[str, int], tuple[str, int]] = {}
    while True:
        batch = list(InquiryLogEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    checked,
                    prev_hash,
                    entry.pk,
                    "does not follow the entry before it (a row was deleted or inserted)",
                )
            if chain_hash(prev_hash, entry_document(entry)) != entry.hash:
                return ChainReport(False, checked, prev_hash, entry.pk, "content was changed")
            expected = per_inquiry_seq.get(entry.inquiry_id, 0) + 1
            if entry.seq != expected:
                return ChainReport(
                    False,
                    checked,
                    prev_hash,
                    entry.pk,
                    f"is number {entry.seq} on its inquiry, expected {expected}",
                )
            per_inquiry_seq[entry.inquiry_id] = entry.seq
            kind = entry.payload.get("record_kind")
            if kind in RECORDS:
                record = entry.payload.get("record") or {}
                recorded[(kind, record.get("id"))] = (_digest(record), entry.pk)
            prev_hash = entry.hash
            checked += 1
            last_id = entry.pk
    head = InquiryLogHead.objects.filter(id=1).first()
    end = chain_end_report(
        head and head.last_hash, head and head.last_entry_id, prev_hash, checked, "entries"
    )
    if not end.ok:
        return end
    return _records_verify(recorded, checked, prev_hash)


def _records_verify(
    recorded: dict[tuple[str, int], tuple[str, int]], checked: int, head_hash: str
) -> ChainReport:
    """Every record row matches what its entry recorded, and every recorded row is there."""
    for kind, (model, document, label) in RECORDS.items():
        for record in model.objects.order_by("pk").iterator():
            seen = recorded.pop((kind, record.pk), None)
            if seen is None:
                return ChainReport(
                    False, checked, head_hash, None, f"{label} {record.pk} is not in the log"
                )
            if seen[0] != _digest(json.loads(canonical_json(document(record)))):
                return ChainReport(
                    False,
                    checked,
                    head_hash,
                    seen[1],
                    f"{label} {record.pk} does not match what log entry {seen[1]} recorded",
                )
    if recorded:
        (kind, pk), (_digest_, entry_id) = min(recorded.items(), key=lambda item: item[1][1])
        return ChainReport(
            False,
            checked,
            head_hash,
            entry_id,
            f"{RECORDS[kind][2]} {pk} recorded by log entry {entry_id} is missing",
        )
    return ChainReport(True, checked, head_hash)
