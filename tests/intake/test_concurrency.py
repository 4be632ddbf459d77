"""Races on PostgreSQL: the same message delivered twice at once, and one sender's messages
processed at the same moment, still make exactly one case."""

import threading

import pytest
from django.db import connection
from django.test import Client

from casework.models import Case
from intake.models import Draft, InboundMessage
from tests.intake.conftest import WA_SECRET, body_of, sign, wa_location, wa_text

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def post_together(payloads: list[dict]) -> list[int]:
    """POST each payload from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(payloads))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(payload):
        body = body_of(payload)
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                "/intake/whatsapp/",
                body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=sign(body, WA_SECRET),
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return statuses


def test_concurrent_redelivery_from_two_threads_makes_one_case(requires_postgres, channels):
    Client().post(
        "/intake/whatsapp/",
        body_of(wa_text("wamid.c1", "Яма на дороге")),
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body_of(wa_text("wamid.c1", "Яма на дороге")), WA_SECRET),
    )
    statuses = post_together([wa_location("wamid.c2"), wa_location("wamid.c2")])
    assert statuses == [200, 200]
    assert InboundMessage.objects.filter(external_id="wamid.c2").count() == 1
    assert Case.objects.count() == 1


def test_one_senders_messages_arriving_at_once_make_one_case(requires_postgres, channels):
    statuses = post_together([wa_text("wamid.s1", "Не горит фонарь"), wa_location("wamid.s2")])
    assert statuses == [200, 200]
    assert Case.objects.count() == 1
    assert Draft.objects.get().case is not None
    assert not InboundMessage.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.parametrize("messages", [1, 3], ids=["one-message", "batched-body"])
def test_a_webhook_costs_exactly_one_commit(requires_postgres, channels, monkeypatch, messages):
    """What the benchmark measures, proven here: storing a webhook is one database commit."""
    from django.db import connections

    from casework import outbox

    database = connections["default"]
    commits: list[str] = []
    dispatched: list[int] = []
    real_commit = database.commit

    def commit():
        commits.append("COMMIT")
        real_commit()

    def count_autocommit(execute, sql, params, many, context):
        if not database.in_atomic_block:
            commits.append(sql.split()[0])
        return execute(sql, params, many, context)

    monkeypatch.setattr(database, "commit", commit)
    # No processing after commit.
    monkeypatch.setattr(outbox, "dispatch", lambda job_id, kind: dispatched.append(job_id))
    payload = wa_text("wamid.one", "Яма")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [{**value["messages"][0], "id": f"wamid.one.{i}"} for i in range(messages)]
    body = body_of(payload)
    with database.execute_wrapper(count_autocommit):
        response = Client().post(
            "/intake/whatsapp/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign(body, WA_SECRET),
        )
    assert response.status_code == 200
    assert len(commits) == 1, commits
    assert InboundMessage.objects.count() == messages and len(dispatched) == messages


def test_the_store_cursor_lasts_as_long_as_its_connection(requires_postgres, channels):
    """The store statement's cursor is kept between webhooks and made anew after the database
    connection was closed (as CONN_MAX_AGE and broken connections do)."""
    from intake import inbound

    def post(message_id: str) -> int:
        body = body_of(wa_text(message_id, "Яма"))
        signature = sign(body, WA_SECRET)
        return (
            Client()
            .post(
                "/intake/whatsapp/",
                body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=signature,
            )
            .status_code
        )

    assert post("wamid.cursor.1") == 200
    first = inbound._thread.store_cursor
    assert post("wamid.cursor.2") == 200
    assert inbound._thread.store_cursor is first
    connection.close()
    assert post("wamid.cursor.3") == 200
    assert inbound._thread.store_cursor is not first and first.connection.closed
    assert InboundMessage.objects.filter(external_id__startswith="wamid.cursor.").count() == 3
