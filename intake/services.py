"""Intake's own writers (the case itself is written only by `casework.services`)."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import outbox, roles
from intake.models import InboundMessage, Open311Client


def inbound_message_retry(message_id: int, *, actor) -> InboundMessage:
    """A clerk sends a message that was never processed through the pipeline again."""
    if roles.CLERK not in roles.user_roles(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only clerks look after intake errors."))
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
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
