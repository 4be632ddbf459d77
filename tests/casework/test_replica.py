"""The database router: heavy reads go to the replica only when asked, never after a write of
the same request or task, never inside a transaction on the primary, and writes never."""

import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Case
from casework.replica import (
    REPLICA,
    ReplicaRouter,
    read_alias,
    replica_reads,
    unit_of_work_start,
    write_noted,
)


@pytest.fixture(scope="module", autouse=True)
def replica_alias():
    """A `replica` alias: a second connection to the test database, as settings make one from
    DATABASE_REPLICA_URL (the real streaming replica is exercised by `make smoke`). Module-wide,
    so that it exists before pytest-django checks each test's databases."""
    connections.settings[REPLICA] = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
    }
    yield
    if hasattr(connections._connections, REPLICA):
        connections[REPLICA].close()
        del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    unit_of_work_start()
    yield
    unit_of_work_start()


def test_without_a_replica_everything_reads_from_default():
    unit_of_work_start()
    saved = connections.settings.pop(REPLICA)
    try:
        with replica_reads():
            assert read_alias() == DEFAULT_DB_ALIAS
    finally:
        connections.settings[REPLICA] = saved


def test_only_reads_that_ask_go_to_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(Case) == REPLICA
    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS


def test_writes_and_migrations_stay_on_the_primary(replica):
    router = ReplicaRouter()
    with replica_reads(after_own_writes=True):
        assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "casework") is True
    assert router.allow_migrate(REPLICA, "casework") is False


def test_a_read_after_a_write_in_the_same_request_stays_on_the_primary(replica):
    with replica_reads():
        assert read_alias() == REPLICA
        write_noted()
        assert read_alias() == DEFAULT_DB_ALIAS
    unit_of_work_start()  # the next request
    with replica_reads():
        assert read_alias() == REPLICA


@pytest.mark.django_db(transaction=True)
def test_a_write_through_the_orm_is_noticed(replica, world):
    unit_of_work_start()
    with replica_reads():
        assert read_alias() == REPLICA
    world.case()
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reads_stay_there(replica):
    with transaction.atomic(), replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS


def test_work_that_never_reads_its_own_writes_may_keep_the_replica(replica):
    write_noted()
    with replica_reads(after_own_writes=True):
        assert read_alias() == REPLICA


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_scorecards_are_read_from_the_replica(replica, client, world):
    world.advance(world.case(), "verified")
    today = timezone.localdate()
    first = today.replace(day=1)
    client.force_login(world.manager)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        # The page opens on the last full month; the case above was verified this month.
        response = client.get("/contractor/scorecards/", {"start": first, "end": today})
    assert response.status_code == 200
    assert world.contractor.legal_name in response.content.decode()
    aggregates = [q["sql"] for q in on_replica if "contractors_workorder" in q["sql"]]
    assert aggregates, "the scorecard aggregates ran on the replica"
    assert not [q for q in on_primary if "contractors_workorder" in q["sql"]]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_monthly_report_reads_its_figures_from_the_replica(replica, world):
    from reports import services
    from reports.models import ReportRun
    from tests.reports.month_data import seed_month

    seed_month(world)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MONTHLY, month=dt.date(2025, 3, 1), region=world.region_a,
        requested_by=world.manager,
    )  # fmt: skip
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        done = services.report_run_execute(run.pk, claim="task-1")
    assert done.status == ReportRun.Status.DONE, done.error
    assert any("casework_caseevent" in q["sql"] for q in on_replica)
    written = [q["sql"] for q in on_primary if q["sql"].startswith("UPDATE")]
    assert written, "progress and the finished run are written to the primary"
    assert not any("casework_caseevent" in q["sql"] for q in on_primary)
