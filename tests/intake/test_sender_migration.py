"""The data migration seals what older versions stored in clear: conversations' sender keys and
addresses, messages' sender keys."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.crypto import sender_index

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0005_draft_district")]
AFTER = [("intake", "0006_sender_keys_encrypted")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_clear_senders():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("intake")
    yield migrate(BEFORE)
    migrate(latest)


def test_existing_senders_are_sealed_and_found_again(back_to_clear_senders):
    apps = back_to_clear_senders
    Conversation = apps.get_model("intake", "Conversation")
    InboundMessage = apps.get_model("intake", "InboundMessage")
    Conversation.objects.create(
        channel="whatsapp", sender_key="p:77017654321", address={"to": "77017654321"}
    )
    InboundMessage.objects.create(
        channel="whatsapp",
        external_id="wamid.legacy",
        kind="message",
        sender_key="p:77017654321",
        raw_body=b"{}",
    )
    apps = migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender_key, address FROM intake_conversation")
        ((key, sealed_address),) = cursor.fetchall()
        cursor.execute("SELECT sender_key FROM intake_inboundmessage")
        ((message_key,),) = cursor.fetchall()
    expected = sender_index("whatsapp", "p:77017654321")
    assert key == message_key == expected
    assert "7701" not in sealed_address
    conversation = apps.get_model("intake", "Conversation").objects.get(sender_key=expected)
    assert conversation.address == {"to": "77017654321"}
