"""The vote chain: appending a vote and checking every vote against the chain.

Each vote's hash is casework's `chain_hash(prev_hash, vote_document(vote))`, one chain for all
votes, serialised by locking `VoteChainHead`. Registered with casework (`register_chain`), so
`manage.py verify_audit` walks it after the case events and names the first vote that does not
match.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from casework.audit import ChainReport, chain_end_report, chain_hash
from casework.models.audit import GENESIS_HASH
from ratings.models import Vote, VoteChainHead

CHAIN_NAME = "votes"


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def vote_document(vote: Vote) -> dict[str, Any]:
    """The fields a vote's hash covers, in a form that survives a database round trip."""
    return {
        "case": vote.case_id,
        "closing_event": vote.closing_event_id,
        "result_score": vote.result_score,
        "answer_score": vote.answer_score,
        "comment": vote.comment,
        "channel": vote.channel,
        "recorded_by": vote.recorded_by_id,
        "source_key": vote.source_key,
        "cast_at": _moment(vote.cast_at),
    }


def vote_append(vote: Vote) -> Vote:
    """Chain and store an unsaved `vote`. Call inside the service's transaction."""
    assert transaction.get_connection().in_atomic_block, "vote_append needs a transaction"
    head, _ = VoteChainHead.objects.select_for_update().get_or_create(id=1)
    vote.prev_hash = head.last_hash
    vote.hash = chain_hash(head.last_hash, vote_document(vote))
    vote.save()
    head.last_vote_id = vote.pk
    head.last_hash = vote.hash
    head.count += 1
    head.save(update_fields=["last_vote_id", "last_hash", "count"])
    return vote


def votes_verify(batch_size: int = 5000) -> ChainReport:
    """Walk the votes in id order; report the first that does not match the chain."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(Vote.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for vote in batch:
            if vote.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    checked,
                    prev_hash,
                    vote.pk,
                    "does not follow the vote before it (a row was deleted or inserted)",
                )
            if chain_hash(prev_hash, vote_document(vote)) != vote.hash:
                return ChainReport(False, checked, prev_hash, vote.pk, "content was changed")
            prev_hash = vote.hash
            checked += 1
            last_id = vote.pk
    head = VoteChainHead.objects.filter(id=1).first()
    return chain_end_report(
        head and head.last_hash, head and head.last_vote_id, prev_hash, checked, "votes"
    )
