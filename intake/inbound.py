"""Storing what a channel delivered, before it gets its 200.

One transaction per webhook call: every item of the body is inserted (a redelivered external id
is skipped by the unique constraint), and each message gets an outbox job that processes it after
commit. Nothing else is read or written here, so a webhook costs one commit.

On PostgreSQL a body with one item (nearly every webhook) is stored by a single statement: the
message and its outbox job are inserted together by one `INSERT ... ON CONFLICT DO NOTHING` with a
data-modifying CTE, which commits on its own. That is one round trip instead of four (BEGIN, two
INSERTs, COMMIT), which is most of a webhook's cost.
"""

from __future__ import annotations

import functools
import json
import threading

import psycopg
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest
from django.utils import timezone

from casework import outbox
from casework.crypto import sender_index
from casework.models import OutboxJob
from intake.channels.base import KIND_MESSAGE, Item
from intake.models import InboundMessage

# Headers worth keeping with a message, by their WSGI environ keys (read directly: building
# request.headers parses every header of the request); secrets such as the Telegram secret token
# are not among them.
KEPT_HEADERS = {
    "CONTENT_TYPE": "Content-Type",
    "HTTP_USER_AGENT": "User-Agent",
    "HTTP_X_HUB_SIGNATURE_256": "X-Hub-Signature-256",
    "HTTP_X_FORWARDED_FOR": "X-Forwarded-For",
}


def request_headers(request: HttpRequest) -> dict[str, str]:
    meta = request.META
    kept = {name: meta[key][:500] for key, name in KEPT_HEADERS.items() if meta.get(key)}
    kept["Remote-Addr"] = meta.get("REMOTE_ADDR", "")
    return kept


def _sender_index(channel: str, item: Item) -> str:
    """Senders are kept as blind indexes: a phone number or chat id never lands in a column."""
    return sender_index(channel, item.sender_key) if item.sender_key else ""


def _store_alias() -> str:
    """Behind PgBouncer (transaction mode) a prepared statement may not outlive its transaction:
    the store statement then goes to PostgreSQL directly, through the `direct` alias
    (DATABASE_DIRECT_URL); without it, it shares `default`."""
    return "direct" if "direct" in connections.settings else DEFAULT_DB_ALIAS


def messages_store(channel: str, body: bytes, headers: dict[str, str], items: list[Item]) -> int:
    """Insert the items; return how many were new (redeliveries are left out)."""
    database = connections[_store_alias()]  # once: each use of `connection` looks it up
    if database.vendor == "postgresql" and len(items) == 1 and not database.in_atomic_block:
        return int(_store_one_postgresql(database, channel, body, headers, items[0]))
    now = timezone.now()
    stored = 0
    # One item (the usual case) needs no savepoint: a redelivery simply rolls the whole back.
    savepoint = len(items) > 1
    try:
        with transaction.atomic():
            for item in items:
                message = InboundMessage(
                    channel=channel,
                    external_id=item.external_id,
                    kind=item.kind,
                    sender_key=_sender_index(channel, item),
                    position=item.position,
                    raw_body=body,
                    headers=headers,
                    received_at=now,
                    error=item.error,
                    processed_at=None if item.kind == KIND_MESSAGE else now,
                )
                try:
                    with transaction.atomic(savepoint=savepoint):
                        message.save(force_insert=True)
                except IntegrityError:
                    if not savepoint:
                        raise
                    continue  # the same external id again: a redelivery
                if item.kind == KIND_MESSAGE:
                    outbox.enqueue("intake_message", {"message": message.pk})
                stored += 1
    except IntegrityError:
        return 0  # the single item was a redelivery
    return stored


def _columns(model, *names: str) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)


@functools.cache
def _store_one_statement() -> str:
    """The message and its outbox job in one statement (identifiers from the models' metadata;
    every value is a named parameter, each sent once). Built once per process."""
    quote = connection.ops.quote_name
    message_table, job_table = InboundMessage._meta.db_table, OutboxJob._meta.db_table
    message_columns = _columns(
        InboundMessage, "channel", "external_id", "kind", "sender_key", "position", "raw_body",
        "headers", "received_at", "processed_at", "error",
    )  # fmt: skip
    job_columns = _columns(
        OutboxJob, "kind", "payload", "status", "created_at", "available_at", "queued_at",
        "attempts", "last_error",
    )  # fmt: skip
    return f"""
        WITH message AS (
            INSERT INTO {quote(message_table)} ({message_columns})
            VALUES (
                %(channel)s, %(external_id)s, %(kind)s, %(sender_key)s, %(position)s, %(body)s,
                %(headers)s::jsonb, %(now)s,
                CASE WHEN %(is_message)s THEN NULL ELSE %(now)s END, %(error)s
            )
            ON CONFLICT ON CONSTRAINT {quote("one_inbound_message_per_external_id")} DO NOTHING
            RETURNING id
        ), job AS (
            INSERT INTO {quote(job_table)} ({job_columns})
            SELECT %(job_kind)s, jsonb_build_object('message', message.id), %(pending)s,
                %(now)s, %(now)s, %(now)s, 0, ''
            FROM message WHERE %(is_message)s
            RETURNING id
        )
        SELECT (SELECT id FROM message), (SELECT id FROM job)
    """  # noqa: S608


_thread = threading.local()


def _store_cursor(database: BaseDatabaseWrapper) -> psycopg.Cursor:
    """This thread's cursor for the store statement, kept while the connection lasts.

    Server-side binding (psycopg's own Cursor, not the client-side one Django's connection
    makes): psycopg prepares the statement once per connection and each webhook sends only its
    values. A new cursor for every webhook was a quarter of the store's own CPU."""
    database.ensure_connection()
    cursor = getattr(_thread, "store_cursor", None)
    if cursor is None or cursor.closed or cursor.connection is not database.connection:
        cursor = _thread.store_cursor = psycopg.Cursor(database.connection)
    return cursor


def _store_one_postgresql(
    database: BaseDatabaseWrapper, channel: str, body: bytes, headers: dict[str, str], item: Item
) -> bool:
    """One statement, one commit (the connection is in autocommit, so the statement is its own
    transaction): the message and, for a message, its outbox job. False for a redelivery."""
    statement = _store_one_statement()
    params = {
        "channel": channel,
        "external_id": item.external_id,
        "kind": item.kind,
        "sender_key": _sender_index(channel, item),
        "position": item.position,
        "body": body,
        "headers": json.dumps(headers),
        "now": timezone.now(),
        "is_message": item.kind == KIND_MESSAGE,
        "error": item.error,
        "job_kind": "intake_message",
        "pending": OutboxJob.Status.PENDING.value,
    }
    cursor = CursorWrapper(_store_cursor(database), database)
    cursor.execute(statement, params)
    message_id, job_id = cursor.fetchone()
    if message_id is None:
        return False  # the same external id again: a redelivery
    if job_id is not None:
        outbox.dispatch(job_id, "intake_message")  # already committed: hand it to Celery now
    return True
