"""Finding hits: when the underlying event happens, and in the nightly full pass.

- `red_flags_for_event(event)`: the outbox job for case events (`oversight.handlers`) runs the
  indicators concerned by the event's action over the subjects it touches (its case, the case's
  acts and the signatories of acts that failed, its contractors, its region);
- `red_flags_for_contract(contract_id)`: the job for contractors' `contract.changed` topic (a
  contract signed or modified) runs the contract indicators for that contractor and contract;
- `red_flags_full_pass()`: every indicator over everything, stored; returns hits per indicator;
- `red_flags_check()`: the same computation, stored nothing; names every stored hit that differs.

Each indicator's `find(scope)` computes every hit within the scope from stored facts only, so the
event-driven runs and the full pass find the same hits.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min, Q

from casework.models import Case, CaseEvent
from contractors.models import Contract, WorkOrder
from oversight.models import AcceptanceAct, AcceptanceActSignatory, AcceptedWorkFailure, RedFlagHit
from oversight.red_flags.base import Found, Indicator, Scope
from oversight.red_flags.registry import (
    INDICATORS,
    indicators_for_action,
    indicators_for_contracts,
)
from oversight.red_flags.store import Stored, hits_store_many


def run(indicator: Indicator, scope: Scope | None) -> Stored:
    return run_many([indicator], scope)[indicator.code]


def run_many(indicators: list[Indicator], scope: Scope | None) -> dict[str, Stored]:
    """Find the hits of `indicators` within `scope` and store them together (one read and one
    write of each kind for all of them: what a job after an event costs is mostly round trips)."""
    within = (lambda i: i.stored_within(scope)) if scope is not None else (lambda i: Q())
    return hits_store_many([(i, i.find(scope), within(i)) for i in indicators])


def event_scope(event: CaseEvent, reads: frozenset[str] | None = None) -> Scope:
    """The subjects a case event can change hits of; only the fields in `reads` (all without),
    so that the job after an event runs no query it does not need."""
    reads = Scope.FIELDS if reads is None else reads
    case = event.case
    ids: dict[str, set[int]] = {"cases": {case.pk}, "regions": {case.region_id}}
    if reads & {"acts", "persons"}:
        acts = set(AcceptanceAct.objects.filter(case_id=case.pk).values_list("id", flat=True))
        acts |= set(
            AcceptedWorkFailure.objects.filter(event_id=event.pk).values_list("act_id", flat=True)
        )
        ids["acts"] = acts
        ids["persons"] = set(
            AcceptanceActSignatory.objects.filter(
                act_id__in=sorted(acts), act__failures__isnull=False
            ).values_list("person_id", flat=True)
        )
    if reads & {"contractors", "contracts"}:
        orders = list(
            WorkOrder.objects.filter(case_id=case.pk).values_list("contractor_id", "contract_id")
        )
        ids["contractors"] = {contractor for contractor, _contract in orders}
        ids["contracts"] = {contract for _contractor, contract in orders}
    return Scope.of(**{name: values for name, values in ids.items() if name in reads})


def red_flags_for_event(event: CaseEvent) -> dict[str, int]:
    """Check the indicators concerned by `event`; returns hits found per indicator."""
    concerned = [i for i in indicators_for_action(event.action) if not i.skips(event)]
    if not concerned:
        return {}
    scope = event_scope(event, frozenset().union(*(i.reads for i in concerned)))
    # One transaction for all of them (the outbox job's own, when run by it).
    with transaction.atomic(savepoint=False):
        stored = run_many(concerned, scope)
    return {code: len(result.keys) for code, result in stored.items()}


def red_flags_for_contract(contract_id: int) -> dict[str, int]:
    contract = Contract.objects.filter(pk=contract_id).only("contractor_id").first()
    if contract is None:
        return {}
    scope = Scope.of(contracts=[contract_id], contractors=[contract.contractor_id])
    stored = run_many(indicators_for_contracts(), scope)
    return {code: len(result.keys) for code, result in stored.items()}


# Case indicators walk the cases in ranges of this many ids, so that what is held in memory at
# once (the facts read, the hits found and stored) stays bounded however many cases there are.
CASE_CHUNK = 50_000


def passes(indicator: Indicator) -> Iterator[Scope | None]:
    """The scopes a full pass of `indicator` runs over: everything at once, or ranges of case ids
    (the last one open-ended, so that hits on cases made meanwhile are not left out)."""
    if not indicator.by_case:
        yield None
        return
    bounds = Case.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"] or 0, bounds["high"] or 0
    start = 0
    while start <= high:
        end = start + CASE_CHUNK if start + CASE_CHUNK <= high else 2**62
        if end > low:
            yield Scope(case_range=(start, end))
        start = end


def red_flags_full_pass(codes: list[str] | None = None) -> dict[str, int]:
    """Every indicator over everything, stored (upserted); hits found per indicator."""
    counts = {}
    for code, indicator in INDICATORS.items():
        if codes and code not in codes:
            continue
        counts[code] = sum(len(run(indicator, scope).keys) for scope in passes(indicator))
    return counts


def _compared(hit: RedFlagHit | Found) -> tuple:
    return (
        hit.subject_kind,
        int(hit.subject_id),
        Decimal(hit.money_kzt).quantize(Decimal("0.01")),
        int(hit.score),
        tuple(sorted(hit.evidence_keys)),
    )


def red_flags_check(codes: list[str] | None = None) -> list[str]:
    """What a full pass would change, stored nothing: one line per difference."""
    differences = []
    for code, indicator in INDICATORS.items():
        if codes and code not in codes:
            continue
        for scope in passes(indicator):
            differences += _differences(indicator, scope)
    return differences


def _differences(indicator: Indicator, scope: Scope | None) -> list[str]:
    expected = {f.key: f for f in indicator.find(scope)}
    within = indicator.stored_within(scope) if scope is not None else Q()
    stored = {
        hit.key: hit
        for hit in RedFlagHit.objects.filter(within, indicator=indicator.code).exclude(
            status=RedFlagHit.Status.RESOLVED
        )
    }
    differences = [f"missing: {key}" for key in sorted(expected.keys() - stored.keys())]
    differences += [
        f"not found by a full pass: {key}" for key in sorted(stored.keys() - expected.keys())
    ]
    differences += [
        f"differs: {key}"
        for key in sorted(expected.keys() & stored.keys())
        if _compared(expected[key]) != _compared(stored[key])
    ]
    return differences
