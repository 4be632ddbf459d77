"""What every red-flag indicator is made of, and what it finds.

An `Indicator` is a small documented unit: its code, its name in kk/ru/en (gettext), why it is a
red flag, its legal basis where one exists, its threshold and how that was chosen, its known false
positives, and `find(scope)`: every hit within `scope`, computed set-based from the stored facts
(never from the current time, so the check run when an event happens and the nightly full pass
find the same hits). `scope=None` is everything (the full pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Which subjects to recompute. A field left None is not narrowed by; an empty set narrows to
    nothing. `Scope.everything()` (or None where a scope is taken) is the full pass."""

    cases: frozenset[int] | None = None
    acts: frozenset[int] | None = None
    persons: frozenset[int] | None = None
    regions: frozenset[int] | None = None
    contractors: frozenset[int] | None = None
    contracts: frozenset[int] | None = None
    # Cases with ids in [low, high): how the full pass walks the case indicators in chunks.
    case_range: tuple[int, int] | None = None

    FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"cases", "acts", "persons", "regions", "contractors", "contracts"}
    )

    @staticmethod
    def of(**ids: Iterable[int]) -> Scope:
        return Scope(**{name: frozenset(int(i) for i in values) for name, values in ids.items()})


def ids_of(scope: Scope | None, name: str) -> frozenset[int] | None:
    """The ids the scope narrows `name` to; None for the full pass."""
    if scope is None:
        return None
    values = getattr(scope, name)
    return frozenset() if values is None else values


def narrowed(ids: frozenset[int] | None, lookup: str) -> Q:
    """A filter for the ids (everything when None)."""
    if ids is None:
        return Q()
    return Q(**{f"{lookup}__in": sorted(ids)}) if ids else NOTHING


def case_filter(scope: Scope | None, lookup: str) -> Q:
    """A filter on a case id (`lookup`) for the scope's cases or its range of cases."""
    if scope is not None and scope.case_range is not None:
        low, high = scope.case_range
        return Q(**{f"{lookup}__gte": low, f"{lookup}__lt": high})
    return narrowed(ids_of(scope, "cases"), lookup)


def evidence_item(kind: str, pk: int, label: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "id": int(pk), "label": label, **extra}


@dataclass
class Found:
    """One hit as an indicator computed it (not stored yet)."""

    indicator: str
    key: str
    subject_kind: str
    subject_id: int
    subject_name: str
    evidence: list[dict[str, Any]]
    money_kzt: Decimal
    score: int
    details: dict[str, Any] = field(default_factory=dict)
    region_id: int | None = None
    district_id: int | None = None
    department_id: int | None = None
    case_id: int | None = None
    contractor_id: int | None = None
    person_id: int | None = None
    occurred_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        unique = {(item["kind"], int(item["id"])): item for item in self.evidence}
        self.evidence = [unique[k] for k in sorted(unique)]
        self.money_kzt = Decimal(self.money_kzt or 0).quantize(Decimal("0.01"))
        self.score = max(0, min(100, int(self.score)))

    @property
    def evidence_keys(self) -> set[tuple[str, int]]:
        return {(item["kind"], int(item["id"])) for item in self.evidence}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    why: Promise
    legal_basis: Promise
    threshold: Promise
    false_positives: Promise
    # The subjects this indicator's hits are about (for the registry page and the API).
    subject_kinds: tuple[str, ...]
    # The case events (casework's `case.event` topic, plus `act_signed`) after which it is checked,
    # and whether contract changes (contractors' `contract.changed` topic) trigger it.
    actions: frozenset[str]
    find: Callable[[Scope | None], list[Found]]
    # The stored hits a run over `scope` recomputes (those it does not find any more resolve).
    stored_within: Callable[[Scope | None], Q]
    on_contract_change: bool = False
    # An event of one of `actions` that cannot change its hits (checked before any query).
    skips: Callable[[Any], bool] = lambda event: False
    # Which fields of a `Scope` its `find` reads (an event's scope computes only those).
    reads: frozenset[str] = frozenset({"cases"})
    # Hits are about cases: the full pass walks them in ranges of case ids (bounded memory).
    by_case: bool = False
    # What the thresholds are set to now (read from settings), for the registry page.
    current: Callable[[], dict[str, Any]] = dict


def setting(name: str, default):
    """A threshold from settings (RED_FLAG_<NAME>), read when used so tests may change it."""
    return getattr(settings, f"RED_FLAG_{name}", default)
