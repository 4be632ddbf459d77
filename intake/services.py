"""Intake's own writers (the case itself is written only by `casework.services`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import outbox, roles, services
from casework.models import Case
from casework.services import reveal_reason_clean
from intake.models import (
    Conversation,
    FilingSource,
    InboundMessage,
    Open311Client,
    Open311Submission,
    SenderReveal,
)
from intake.selectors import inbound_messages_visible_to
from intake.sources import address_key


def inbound_message_retry(message_id: int, *, actor) -> InboundMessage:
    """A clerk sends a message that was never processed through the pipeline again."""
    if roles.CLERK not in roles.user_roles(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only clerks look after intake errors."))
    with transaction.atomic():
        visible = inbound_messages_visible_to(actor).filter(pk=message_id)
        message = InboundMessage.objects.select_for_update().filter(pk__in=visible).first()
        if message is None:
            raise ValidationError({"message": _("No such message.")})
        if message.processed_at is not None:
            raise ValidationError({"message": _("This message was already processed.")})
        outbox.enqueue(
            "intake_message",
            {"message": message.pk},
            dedupe_key=f"intake_message:retry:{message.pk}:{timezone.now().timestamp()}",
        )
        return message


PURGE_BATCH = 2000
log = logging.getLogger(__name__)


def raw_messages_purge(*, now: dt.datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Empty the raw bodies and headers of messages older than RAW_MESSAGE_RETENTION_DAYS (they
    carry senders' phone numbers and names); what was derived from them stays. Short batches,
    each its own transaction, so that the webhooks never wait on a long lock. Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.RAW_MESSAGE_RETENTION_DAYS)
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(
                InboundMessage.objects.filter(received_at__lt=cutoff, body_purged_at__isnull=True)
                .order_by("received_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            purged += InboundMessage.objects.filter(pk__in=ids).update(
                raw_body=b"", headers={}, body_purged_at=timezone.now()
            )
    if purged:
        log.info("purged the raw bodies of %d messages received before %s", purged, cutoff)
    return purged


def sender_reveal(message_id: int, *, actor, reason: str) -> dict[str, object]:
    """An administrator reads who sent a message and what the platform delivered, with a reason
    that is kept (`SenderReveal`)."""
    if not (actor.is_superuser or actor.has_perm("intake.reveal_sender")):
        raise PermissionDenied(_("You may not see who sent this message."))
    text = reveal_reason_clean(reason)
    with transaction.atomic():
        message = InboundMessage.objects.filter(pk=message_id).first()
        if message is None:
            raise ValidationError({"message": _("No such message.")})
        SenderReveal.objects.create(actor=actor, message=message, reason=text)
    log.info("user %s revealed the sender of inbound message %s", actor.pk, message.pk)
    conversation = None
    if message.sender_key:  # found by its blind index: the message need not have a draft
        conversation = Conversation.objects.filter(
            channel=message.channel, sender_key=message.sender_key
        ).first()
    return {
        "message": message,
        "name": conversation.name if conversation else "",
        "phone": conversation.phone if conversation else "",
        "address": conversation.address if conversation else {},
        "body": message.body_text(),
    }


def filing_source_record(case: Case, address: str) -> FilingSource | None:
    """Keep the digest of the client address `case` was filed from (nothing when unknown).
    Call in the transaction that opened the case."""
    key = address_key(address)
    if not key:
        return None
    return FilingSource.objects.create(case=case, source_key=key, filed_at=case.received_at)


def web_complaint_file(*, source_address: str, **case_fields) -> Case:
    """File a complaint from the web form: the case (`casework.services.case_open`, channel web)
    and the digest of the client address it came from, in one transaction."""
    with transaction.atomic():
        case = services.case_open(channel="web", **case_fields)
        filing_source_record(case, source_address)
        return case


def open311_request_file(
    client: Open311Client, *, source_address: str = "", **case_fields
) -> Open311Submission:
    """File an Open311 client's service request: the case (`casework.services.case_open`, channel
    open311), the token the client follows it by and the digest of the client address it came
    from, in one transaction."""
    with transaction.atomic():
        case = services.case_open(channel="open311", **case_fields)
        filing_source_record(case, source_address)
        return Open311Submission.objects.create(
            token=secrets.token_urlsafe(16), client=client, case=case
        )


def open311_key_hash(key: str) -> str:
    # The key is 256 random bits: a plain digest is enough, no slow password hash is needed.
    return hashlib.sha256(key.encode()).hexdigest()


def open311_client_create(name: str) -> tuple[Open311Client, str]:
    """A new client and its key (returned once, stored only as a hash)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the client a name of at most 100 characters.")})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Open311Client.objects.filter(name=name).exists():
            raise ValidationError({"name": _("A client with this name already exists.")})
        client = Open311Client.objects.create(name=name, key_hash=open311_key_hash(key))
    return client, key


def open311_client_revoke(name: str) -> Open311Client:
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().filter(name=name).first()
        if client is None:
            raise ValidationError({"name": _("No client with this name.")})
        if client.revoked_at is not None:
            raise ValidationError({"name": _("This client's key is already revoked.")})
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        return client


def open311_client_by_key(key: str) -> Open311Client | None:
    if not key:
        return None
    return Open311Client.objects.filter(
        key_hash=open311_key_hash(key), revoked_at__isnull=True
    ).first()
