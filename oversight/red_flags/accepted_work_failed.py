"""1. Accepted work failed: per act, and per signatory over 12 months.

An act whose work failed later (`AcceptedWorkFailure`: reopened after acceptance, a warranty
claim, a new complaint of the same category within 30 m during the warranty) is a hit on the act.
A person who signed (as the inspector or the customer's representative) at least
RED_FLAG_SIGNATORY_FAILURES acts whose work failed within any 12 months is a hit on the person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oversight.models import AcceptanceAct, AcceptanceActSignatory, AcceptedWorkFailure
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    evidence_item,
    ids_of,
    narrowed,
    setting,
)
from oversight.red_flags.common import (
    event_label,
    event_seqs,
    inspectors_of_acts,
    person_names,
)

CODE = "accepted_work_failed"
WINDOW = dt.timedelta(days=365)
OFFICIAL_ROLES = (AcceptanceActSignatory.Role.INSPECTOR, AcceptanceActSignatory.Role.CUSTOMER)
# A failure is an outcome, not a warning: money was paid for work that did not last. Its score
# starts above the most any warning about the evidence can reach (photo_evidence.MAX_SCORE, the
# rubber stamp's 60), so on the same money a failed act is ranked first (docs/oversight.md).
ACT_SCORE = 80


def _signatory_threshold() -> int:
    return int(setting("SIGNATORY_FAILURES", 2))


def _acts(act_ids) -> dict[int, dict]:
    rows = AcceptanceAct.objects.filter(pk__in=sorted(act_ids)).values(
        "id",
        "number",
        "amount_kzt",
        "case_id",
        "case__tracking_code",
        "case__region_id",
        "case__district_id",
        "contract__department_id",
        "contract__contractor_id",
    )
    return {row["id"]: row for row in rows}


def _failures(act_filter: Q) -> dict[int, list[dict]]:
    rows = (
        AcceptedWorkFailure.objects.filter(act_filter)
        .values(
            "id",
            "act_id",
            "kind",
            "case_id",
            "event_id",
            "detected_at",
            "case__tracking_code",
        )
        .order_by("detected_at", "id")
    )
    by_act: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_act[row["act_id"]].append(row)
    return _with_seqs(by_act)


def _with_seqs(by_act: dict[int, list[dict]]) -> dict[int, list[dict]]:
    seqs = event_seqs(f["event_id"] for rows in by_act.values() for f in rows)
    for rows in by_act.values():
        for failure in rows:
            failure["event_seq"] = seqs.get(failure["event_id"])
    return by_act


def _failure_evidence(failure: dict) -> list[dict]:
    return [
        evidence_item(
            "failure", failure["id"], failure["case__tracking_code"], failure=failure["kind"]
        ),
        evidence_item(
            "event",
            failure["event_id"],
            event_label(failure["case__tracking_code"], failure["event_seq"]),
        ),
        evidence_item("case", failure["case_id"], failure["case__tracking_code"]),
    ]


def _act_hits(act_ids: frozenset[int] | None) -> list[Found]:
    failures = _failures(narrowed(act_ids, "act_id"))
    acts = _acts(failures)
    inspectors = inspectors_of_acts(acts)
    found = []
    for act_id, rows in failures.items():
        act = acts[act_id]
        evidence = [evidence_item("act", act_id, act["number"])]
        for failure in rows:
            evidence += _failure_evidence(failure)
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:act:{act_id}",
                subject_kind="act",
                subject_id=act_id,
                subject_name=f"№ {act['number']}",
                evidence=evidence,
                money_kzt=act["amount_kzt"],
                score=ACT_SCORE + 10 * (len(rows) - 1),
                details={"failures": len(rows), "kinds": sorted({r["kind"] for r in rows})},
                region_id=act["case__region_id"],
                district_id=act["case__district_id"],
                department_id=act["contract__department_id"],
                case_id=act["case_id"],
                contractor_id=act["contract__contractor_id"],
                person_id=inspectors.get(act_id),
                occurred_at=rows[-1]["detected_at"],
            )
        )
    return found


def _window_acts(first_failed: list[tuple[dt.datetime, int]], threshold: int) -> set[int]:
    """The acts that fall in some 12-month window holding at least `threshold` failed acts."""
    first_failed.sort()
    members: set[int] = set()
    start = 0
    for end in range(len(first_failed)):
        while first_failed[end][0] - first_failed[start][0] > WINDOW:
            start += 1
        if end - start + 1 >= threshold:
            members.update(act for _when, act in first_failed[start : end + 1])
    return members


def _person_hits(person_ids: frozenset[int] | None) -> list[Found]:
    threshold = _signatory_threshold()
    signed = AcceptanceActSignatory.objects.filter(
        narrowed(person_ids, "person_id"), role__in=OFFICIAL_ROLES, act__failures__isnull=False
    ).values_list("person_id", "act_id")
    acts_of: dict[int, set[int]] = defaultdict(set)
    for person_id, act_id in signed:
        acts_of[person_id].add(act_id)
    candidates = {p: a for p, a in acts_of.items() if len(a) >= threshold}
    if not candidates:
        return []
    all_acts = set().union(*candidates.values())
    failures = _failures(Q(act_id__in=sorted(all_acts)))
    acts = _acts(all_acts)
    names = person_names(candidates)
    found = []
    for person_id, act_ids in candidates.items():
        first = [(failures[a][0]["detected_at"], a) for a in act_ids if failures.get(a)]
        members = _window_acts(first, threshold)
        if not members:
            continue
        evidence = []
        for act_id in members:
            evidence.append(evidence_item("act", act_id, acts[act_id]["number"]))
            for failure in failures[act_id]:
                evidence += _failure_evidence(failure)
        latest = max(members, key=lambda a: (failures[a][-1]["detected_at"], a))
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:person:{person_id}",
                subject_kind="person",
                subject_id=person_id,
                subject_name=names.get(person_id, ""),
                evidence=evidence,
                money_kzt=sum((acts[a]["amount_kzt"] for a in members), Decimal("0")),
                score=60 + 10 * len(members),
                details={
                    "failed_acts": len(members),
                    "threshold": threshold,
                    "window_days": WINDOW.days,
                },
                region_id=acts[latest]["case__region_id"],
                district_id=acts[latest]["case__district_id"],
                department_id=acts[latest]["contract__department_id"],
                person_id=person_id,
                occurred_at=failures[latest][-1]["detected_at"],
            )
        )
    return found


def find(scope: Scope | None) -> list[Found]:
    return _act_hits(ids_of(scope, "acts")) + _person_hits(ids_of(scope, "persons"))


def stored_within(scope: Scope | None) -> Q:
    acts = Q(subject_kind="act") & narrowed(ids_of(scope, "acts"), "subject_id")
    persons = Q(subject_kind="person") & narrowed(ids_of(scope, "persons"), "subject_id")
    return acts | persons


INDICATOR = Indicator(
    code=CODE,
    name=_("Accepted work failed"),
    why=_(
        "Work that an inspector and the customer's representative signed off, and that the "
        "budget paid for, failed again: it was reopened, claimed under warranty, or a new "
        "complaint of the same kind came from the same spot during the warranty. Either the "
        "work was not done as accepted or it was accepted without looking. A signatory whose "
        "accepted work fails again and again is the pattern the anti-corruption department "
        "looks for."
    ),
    legal_basis=_(
        "Civil Code of the Republic of Kazakhstan (Special Part) of 1 July 1999 No. 409-I: the "
        "contractor's warranty for the result of construction work (the customer may demand "
        "the defects be removed at no cost); Law «On Combating Corruption» of 18 November 2015 "
        "No. 410-V: officials' accountability for decisions that let budget money be spent on "
        "work not done."
    ),
    threshold=_(
        "Per act: any failure of accepted work fires. Per signatory: at least "
        "RED_FLAG_SIGNATORY_FAILURES (2) acts signed by the same person whose work failed "
        "within any 12 months; one failure can be bad luck, two in a year are a pattern worth "
        "an investigator's look."
    ),
    false_positives=_(
        "Damage by a third party (a utility digging up a new repair), an accident or extreme "
        "weather; a nearby complaint about a different defect of the same category."
    ),
    subject_kinds=("act", "person"),
    actions=frozenset({"open", "reopen"}),
    find=find,
    stored_within=stored_within,
    reads=frozenset({"acts", "persons"}),
    current=lambda: {"signatory_failures": _signatory_threshold(), "window_days": WINDOW.days},
)
