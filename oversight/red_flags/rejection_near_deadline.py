"""9. A case closed by rejection within one working day of its deadline.

A rejection recorded on the answer deadline's working day or the working day before it (the
deadline in force is on the event, `answer_due_at`): the case was left to the last moment and then
closed without a repair, which stops the clock without doing the work.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import deadlines
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

CODE = "rejection_near_deadline"
# Days off in a row never reach this many (the New Year and Nauryz holidays with a weekend and
# a transfer make about a week): a rejection further from its deadline than this plus two
# calendar days per working day of the threshold is skipped without walking the calendar.
DAYS_OFF_IN_A_ROW_MAX = 10


def _working_days() -> int:
    return int(setting("REJECTION_NEAR_DEADLINE_DAYS", 1))


def working_days_left(rejected_at: dt.datetime, due_at: dt.datetime) -> int | None:
    """Working days between the rejection and the deadline (0: on the deadline's day); None when
    the rejection came after the deadline (a breach, escalated by the deadline sweep)."""
    if rejected_at > due_at:
        return None
    return deadlines.working_days_between(rejected_at, due_at)


def find(scope: Scope | None) -> list[Found]:
    limit = _working_days()
    far = dt.timedelta(days=DAYS_OFF_IN_A_ROW_MAX + 2 * (limit + 1))
    rows = (
        CaseEvent.objects.filter(case_filter(scope, "case_id"), action="reject")
        .values_list("id", "case_id", "seq", "actor_id", "created_at", "payload")
        .order_by("case_id", "seq")
    )
    near: dict[int, list[tuple]] = defaultdict(list)
    for pk, case_id, seq, actor_id, created_at, payload in rows.iterator(chunk_size=2000):
        due_text = (payload or {}).get("answer_due_at")
        if not due_text:
            continue
        due_at = dt.datetime.fromisoformat(due_text)
        if due_at - created_at > far:
            continue
        left = working_days_left(created_at, due_at)
        if left is not None and left <= limit:
            near[case_id].append((pk, seq, actor_id, created_at, left, due_text))
    info = cases_info(near)
    persons = persons_of_users(item[2] for items in near.values() for item in items)
    found = []
    for case_id, items in near.items():
        case = info[case_id]
        last = items[-1]
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:case:{case_id}",
                subject_kind="case",
                subject_id=case_id,
                subject_name=case_name(case),
                evidence=[
                    evidence_item(
                        "event", pk, event_label(case["tracking_code"], seq), action="reject"
                    )
                    for pk, seq, *_rest in items
                ],
                money_kzt=0,
                score=45 + (10 if last[4] == 0 else 0),
                details={
                    "working_days_left": last[4],
                    "answer_due_at": last[5],
                    "threshold_working_days": limit,
                },
                region_id=case["region_id"],
                district_id=case["district_id"],
                department_id=case["department_id"],
                case_id=case_id,
                person_id=persons.get(last[2]),
                occurred_at=last[3],
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return case_filter(scope, "case_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Rejected at the deadline"),
    why=_(
        "A complaint left unanswered until its legal deadline and then closed without a repair: "
        "a rejection at the last moment stops the clock that would otherwise have escalated the "
        "case, without the work being done."
    ),
    legal_basis=_(
        "Administrative Procedural Code of 29 June 2020 No. 350-VI: an appeal is considered "
        "within 15 working days; the deadline may be extended only by a motivated decision, "
        "with the applicant told."
    ),
    threshold=_(
        "Rejected on the deadline's working day or within RED_FLAG_REJECTION_NEAR_DEADLINE_DAYS "
        "(1) working day before it, on the Kazakh working-day calendar (weekends, public "
        "holidays, government day transfers)."
    ),
    false_positives=_(
        "Complaints that needed the full time to check (an on-site visit, a request to another "
        "body) and were rightly rejected; spam found late."
    ),
    subject_kinds=("case",),
    actions=frozenset({"reject"}),
    find=find,
    stored_within=stored_within,
    by_case=True,
    current=lambda: {"working_days": _working_days()},
)
