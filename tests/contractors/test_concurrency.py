"""Two workers running the acknowledgement sweep at once escalate each order once (PostgreSQL:
row locks, real concurrent transactions)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from contractors.selectors import current_work_order
from contractors.services import work_orders_escalate_unacknowledged
from tests.factories import World


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_order_once(requires_postgres):
    world = World()
    orders = [
        current_work_order(
            world.advance(
                world.case(latitude=f"50.{i:06d}", longitude="57.1"), "contractor_notified"
            )
        )
        for i in range(4)
    ]
    after = max(o.acknowledge_due_at for o in orders) + dt.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(work_orders_escalate_unacknowledged(after))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results) in ([0, 4], [1, 3], [2, 2]) and sum(results) == 4
    for order in orders:
        order.refresh_from_db()
        assert order.acknowledge_escalated_at == after
        assert order.case.events.filter(action="work_order_acknowledgement_overdue").count() == 1
