"""Storing what a channel delivered, before it gets its 200.

One transaction per webhook call: every item of the body is inserted (a redelivered external id
is skipped by the unique constraint), and each message gets an outbox job that processes it after
commit. Nothing else is read or written here, so a webhook costs one commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from casework import outbox
from intake.channels.base import KIND_MESSAGE, Item
from intake.models import InboundMessage

# Headers worth keeping with a message; secrets (the Telegram secret token) are not among them.
KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Hub-Signature-256", "X-Forwarded-For")


def request_headers(request: HttpRequest) -> dict[str, str]:
    kept = {name: request.headers[name][:500] for name in KEPT_HEADERS if name in request.headers}
    kept["Remote-Addr"] = request.META.get("REMOTE_ADDR", "")
    return kept


def messages_store(
    channel: str, body: bytes, headers: dict[str, str], items: list[Item]
) -> list[InboundMessage]:
    """Insert the items; return those that were new (redeliveries are left out)."""
    now = timezone.now()
    stored = []
    with transaction.atomic():
        for item in items:
            message = InboundMessage(
                channel=channel,
                external_id=item.external_id,
                kind=item.kind,
                sender_key=item.sender_key[:255],
                position=item.position,
                raw_body=body,
                headers=headers,
                received_at=now,
                error=item.error,
                processed_at=None if item.kind == KIND_MESSAGE else now,
            )
            try:
                with transaction.atomic():
                    message.save(force_insert=True)
            except IntegrityError:
                continue  # the same external id again: a redelivery
            if item.kind == KIND_MESSAGE:
                outbox.enqueue("intake_message", {"message": message.pk})
            stored.append(message)
    return stored
