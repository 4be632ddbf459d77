"""8. A case rejected and then reopened on appeal.

A rejection that the citizen's appeal overturned (a `reopen` event from the `rejected` state):
the complaint was closed without a repair that it deserved. (A verified repair reopened on the
citizen's dispute is "accepted work failed", on the act.)
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import CaseEvent
from casework.states import CaseState
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    case_filter,
    evidence_item,
)
from oversight.red_flags.common import case_name, cases_info, event_label, persons_of_users

CODE = "rejected_then_reopened"


def find(scope: Scope | None) -> list[Found]:
    reopened = CaseEvent.objects.filter(
        case_filter(scope, "case_id"),
        action="reopen",
        from_state=CaseState.REJECTED,
    )
    rows = (
        CaseEvent.objects.filter(
            Q(action="reject") | Q(action="reopen", from_state=CaseState.REJECTED),
            case_id__in=reopened.values("case_id"),
        )
        .values("id", "case_id", "seq", "action", "actor_id", "created_at")
        .order_by("case_id", "seq")
    )
    by_case: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_case[row["case_id"]].append(row)
    info = cases_info(by_case)
    persons = persons_of_users(
        row["actor_id"]
        for events in by_case.values()
        for row in events
        if row["action"] == "reject"
    )
    found = []
    for case_id, events in by_case.items():
        case = info[case_id]
        appeals = [e for e in events if e["action"] == "reopen"]
        rejections = [
            e for e in events if e["action"] == "reject" and e["seq"] < appeals[-1]["seq"]
        ]
        overturned = rejections[-1] if rejections else None
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
                        action=e["action"],
                    )
                    for e in rejections + appeals
                ],
                money_kzt=0,
                score=50 + 10 * (len(appeals) - 1),
                details={"appeals": len(appeals), "rejections": len(rejections)},
                region_id=case["region_id"],
                district_id=case["district_id"],
                department_id=case["department_id"],
                case_id=case_id,
                person_id=persons.get(overturned["actor_id"]) if overturned else None,
                occurred_at=appeals[-1]["created_at"],
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return case_filter(scope, "case_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Rejected, then reopened on appeal"),
    why=_(
        "A complaint closed without a repair was reopened on the citizen's appeal: the "
        "rejection did not hold. Rejections that keep being overturned hide work that was due, "
        "or that someone did not want done."
    ),
    legal_basis=_(
        "Administrative Procedural Code of 29 June 2020 No. 350-VI: an administrative act "
        "(here, the refusal) may be appealed, and the appeal body reviews whether it was lawful "
        "and reasoned."
    ),
    threshold=_("Any rejection overturned on appeal fires; each further appeal adds to the score."),
    false_positives=_(
        "New facts brought with the appeal that the official could not have known (a photo, "
        "a precise address)."
    ),
    subject_kinds=("case",),
    actions=frozenset({"reopen"}),
    find=find,
    stored_within=stored_within,
    by_case=True,
)
