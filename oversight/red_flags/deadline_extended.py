"""10. A deadline extended more than once.

The law allows the answer deadline to be extended by a motivated decision; a case whose deadline
was extended twice or more is being kept open on paper.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from casework.models import CaseEvent
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    case_filter,
    evidence_item,
    setting,
)
from oversight.red_flags.common import case_name, cases_info, event_label, persons_of_users

CODE = "deadline_extended_twice"


def _times() -> int:
    return int(setting("EXTENSIONS", 2))


def find(scope: Scope | None) -> list[Found]:
    times = _times()
    extended = (
        CaseEvent.objects.filter(case_filter(scope, "case_id"), action="extend_deadline")
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gte=times)
        .values("case_id")
    )
    rows = (
        CaseEvent.objects.filter(action="extend_deadline", case_id__in=extended)
        .values("id", "case_id", "seq", "actor_id", "created_at")
        .order_by("case_id", "seq")
    )
    by_case: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_case[row["case_id"]].append(row)
    info = cases_info(by_case)
    persons = persons_of_users(e["actor_id"] for events in by_case.values() for e in events)
    found = []
    for case_id, events in by_case.items():
        case = info[case_id]
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:case:{case_id}",
                subject_kind="case",
                subject_id=case_id,
                subject_name=case_name(case),
                evidence=[
                    evidence_item(
                        "event",
                        e["id"],
                        event_label(case["tracking_code"], e["seq"]),
                        action="extend_deadline",
                    )
                    for e in events
                ],
                money_kzt=0,
                score=40 + 10 * (len(events) - times),
                details={"extensions": len(events), "threshold": times},
                region_id=case["region_id"],
                district_id=case["district_id"],
                department_id=case["department_id"],
                case_id=case_id,
                person_id=persons.get(events[times - 1]["actor_id"]),
                occurred_at=events[-1]["created_at"],
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return case_filter(scope, "case_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Deadline extended more than once"),
    why=_(
        "The law allows one motivated extension of the answer deadline; a second one keeps the "
        "case open without an answer and out of the escalation that a missed deadline brings."
    ),
    legal_basis=_(
        "Administrative Procedural Code of 29 June 2020 No. 350-VI: the 15-working-day term may "
        "be extended by a motivated decision of the head, the applicant told within 3 working "
        "days; Baqylau caps all extensions at two months from receipt."
    ),
    threshold=_(
        "RED_FLAG_EXTENSIONS (2) or more extensions of one case's deadline: the first is what "
        "the law provides for, the second is the anomaly."
    ),
    false_positives=_(
        "A case that waits on another authority's answer or on the season (asphalt is not laid "
        "in winter), each extension properly motivated."
    ),
    subject_kinds=("case",),
    actions=frozenset({"extend_deadline"}),
    find=find,
    stored_within=stored_within,
    by_case=True,
    current=lambda: {"extensions": _times()},
)
