"""Chat senders are no longer stored in clear: conversations' and messages' sender keys become
blind indexes (casework.crypto.sender_index) and conversations' platform addresses (phone
numbers, chat ids) are encrypted like complainant data."""

import re

from django.db import migrations

import casework.crypto

DIGEST = re.compile(r"^[0-9a-f]{64}$")
BATCH = 2000


def _indexed(channel, key):
    # Already a digest (the migration ran before, or the row is new): keep it.
    if not key or DIGEST.match(key):
        return key
    return casework.crypto.sender_index(channel, key)


def seal_senders(apps, schema_editor):
    Conversation = apps.get_model("intake", "Conversation")
    for conversation in Conversation.objects.order_by("pk").iterator(chunk_size=BATCH):
        conversation.address_sealed = conversation.address or {}
        conversation.sender_key = _indexed(conversation.channel, conversation.sender_key)
        conversation.save(update_fields=["address_sealed", "sender_key"])
    InboundMessage = apps.get_model("intake", "InboundMessage")
    rows = InboundMessage.objects.exclude(sender_key="").order_by("pk")
    batch = []
    for message in rows.only("pk", "channel", "sender_key").iterator(chunk_size=BATCH):
        indexed = _indexed(message.channel, message.sender_key)
        if indexed != message.sender_key:
            message.sender_key = indexed
            batch.append(message)
        if len(batch) >= BATCH:
            InboundMessage.objects.bulk_update(batch, ["sender_key"])
            batch = []
    if batch:
        InboundMessage.objects.bulk_update(batch, ["sender_key"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_draft_district")]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="address_sealed",
            field=casework.crypto.EncryptedJSONField(blank=True, default=dict),
        ),
        # Backwards, the clear sender ids and addresses are not restored: they are gone (the raw
        # bodies keep them until those are purged).
        migrations.RunPython(seal_senders, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="conversation", name="address"),
        migrations.RenameField(
            model_name="conversation", old_name="address_sealed", new_name="address"
        ),
    ]
