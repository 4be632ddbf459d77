"""Races on PostgreSQL: many actors take the same transition at once; exactly one wins."""

import threading
from collections import Counter

import pytest
from django.db import connection

from casework import services
from casework.audit import chain_verify
from casework.models import Case, CaseEvent
from casework.services import TransitionConflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

THREADS = 8
ROUNDS = 100


def race(attempts):
    """Run each callable in its own thread, released together; return their outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(index, attempt):
        try:
            barrier.wait()
            attempt()
            outcomes[index] = "won"
        except TransitionConflict:
            outcomes[index] = "conflict"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[index] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_eight_clerks_rejecting_the_same_case_one_wins(requires_postgres, world):
    for _ in range(ROUNDS):
        case = world.case()
        outcomes = race(
            [
                lambda: services.case_reject(
                    case.pk, actor=world.clerk, reason_code="spam", reason="Реклама"
                )
            ]
            * THREADS
        )
        assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
        assert CaseEvent.objects.filter(case=case, action="reject").count() == 1
        assert Case.objects.get(pk=case.pk).state == "rejected"
    assert chain_verify().ok


def test_different_transitions_racing_from_one_state_one_wins(requires_postgres, world):
    for _ in range(20):
        case = world.advance(world.case(), "repaired")
        attempts = [
            lambda: services.case_verify(case.pk, actor=world.inspector),
            lambda: services.case_return_for_rework(case.pk, actor=world.inspector, reason="Швы"),
        ] * (THREADS // 2)
        outcomes = race(attempts)
        assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
        events = CaseEvent.objects.filter(case=case, action__in=["verify", "return_for_rework"])
        assert events.count() == 1
    assert chain_verify().ok


def test_redirects_with_the_same_version_one_wins(requires_postgres, world):
    """assigned -> assigned is legal, so only the version tells a lost update apart."""
    case = world.advance(world.case(), "assigned")
    version = Case.objects.get(pk=case.pk).event_seq
    outcomes = race(
        [
            lambda: services.case_assign(
                case.pk,
                actor=world.officer,
                department=world.dep_a1_build,
                reason="Не наш профиль",
                version=version,
            )
        ]
        * THREADS
    )
    assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
    assert Case.objects.get(pk=case.pk).reroute_count == 1
