"""2. Photo evidence that does not prove the repair.

Reads what the contractors app found when each repair photo was stored (`PhotoCheck`,
`PhotoReuse`, the checks the inspector sees on the case): a photo taken before the work order, far
from the site, without a time or a place, the "after" photo being the "before" one again, or the
same picture as a photo on another case. One hit per case, naming every such photo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Case
from contractors import conf
from contractors.models import PhotoCheck, PhotoReuse, WorkOrder
from oversight.models import AcceptanceAct, AcceptanceActSignatory
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    case_filter,
    evidence_item,
)
from oversight.red_flags.common import (
    ActsInForce,
    case_conditions,
    case_name,
    decimal_of,
    moment_of,
)

CODE = "photo_evidence"
INSPECTOR = AcceptanceActSignatory.Role.INSPECTOR.value
REPAIR_KINDS = ("before", "after", "inspection")
# How much each finding weighs: a picture that proves nothing (the same as "before", or another
# case's) most; a missing time or place least, since many cameras simply do not record it. Each
# further reason adds 5, up to MAX_SCORE: a warning about the proof stays below a failure of the
# accepted work itself (accepted_work_failed.ACT_SCORE), which is an outcome.
WEIGHTS = {
    "same_as_before": 70,
    "reused": 70,
    "taken_before_order": 65,
    "far_from_site": 60,
    "no_time": 20,
    "no_location": 20,
}
MAX_SCORE = 75
FLAGS = ("taken_before_order", "far_from_site", "same_as_before", "no_time", "no_location")


CASE_FIELDS = ("tracking_code", "title", "region_id", "district_id", "department_id")


# Static SQL (the checks after every acceptance run it; built by the ORM, building it cost more
# Python than the database answering it): the repair photos with a finding, and any photo that is
# the same picture as an earlier one (a row per earlier photo), each with its case's name and
# place and the acts in force on its case (their money, the latest of them and its inspector:
# `common.acts_in_force_by_case`, joined instead of read apart).
_CHECK = PhotoCheck._meta.db_table
_REUSE = PhotoReuse._meta.db_table
_CASE = Case._meta.db_table
_ACT = AcceptanceAct._meta.db_table
_FLAG_COLUMNS = ", ".join(f"p.{flag}" for flag in FLAGS)
_CASE_COLUMNS = ", ".join(f"c.{name}" for name in CASE_FIELDS)
_ANY_FLAG = " OR ".join(f"p.{flag}" for flag in FLAGS)
_KINDS = ", ".join(f"'{kind}'" for kind in REPAIR_KINDS)
_SQL = f"""
SELECT p.case_id, p.attachment_id, p.kind, p.checked_at, w.contractor_id, {_FLAG_COLUMNS},
       {_CASE_COLUMNS}, e.attachment_id, ec.tracking_code, x.money, x.id, x.inspector
FROM {_CHECK} p
JOIN {_CASE} c ON c.id = p.case_id
LEFT JOIN {_REUSE} r ON r.photo_id = p.id
LEFT JOIN {_CHECK} e ON e.id = r.earlier_id
LEFT JOIN {_CASE} ec ON ec.id = e.case_id
LEFT JOIN {WorkOrder._meta.db_table} w ON w.id = p.work_order_id
LEFT JOIN (
    SELECT a.case_id, a.id,
           (SELECT s.person_id FROM {AcceptanceActSignatory._meta.db_table} s
            WHERE s.act_id = a.id AND s.role = %s LIMIT 1) AS inspector,
           SUM(a.amount_kzt) OVER (PARTITION BY a.case_id) AS money,
           ROW_NUMBER() OVER (PARTITION BY a.case_id ORDER BY a.signed_at DESC, a.id DESC) AS n
    FROM {_ACT} a
    WHERE {{acts}} AND NOT EXISTS (SELECT 1 FROM {_ACT} b WHERE b.supersedes_id = a.id)
) x ON x.case_id = p.case_id AND x.n = 1
WHERE {{cases}}
  AND ((({_ANY_FLAG}) AND p.kind IN ({_KINDS}))
       OR EXISTS (SELECT 1 FROM {_REUSE} u WHERE u.photo_id = p.id))
ORDER BY p.id
"""  # noqa: S608 (table and column names from the models, fixed values)
_COLUMNS = (
    "case_id",
    "attachment_id",
    "kind",
    "checked_at",
    "contractor_id",
    *FLAGS,
    *CASE_FIELDS,
    "earlier",
    "earlier_code",
    "money",
    "latest_act",
    "inspector",
)


def _rows(scope: Scope | None) -> Iterator[dict]:
    with connection.cursor() as cursor:
        for cases, ids in case_conditions(scope, "p.case_id"):
            acts = cases.replace("p.case_id", "a.case_id")
            cursor.execute(_SQL.format(acts=acts, cases=cases), [INSPECTOR, *ids, *ids])
            for row in cursor.fetchall():
                yield dict(zip(_COLUMNS, row, strict=True))


def find(scope: Scope | None) -> list[Found]:
    reasons: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    contractor: dict[int, int] = {}
    latest: dict[int, object] = {}
    info: dict[int, dict] = {}
    acts: dict[int, ActsInForce] = {}
    others: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(scope):
        case_id = row["case_id"]
        if case_id not in info:
            info[case_id] = {name: row[name] for name in CASE_FIELDS}
            if row["latest_act"] is not None:
                acts[case_id] = ActsInForce(
                    decimal_of(row["money"]), row["latest_act"], row["inspector"]
                )
        photo = reasons[case_id][row["attachment_id"]]
        if row["kind"] in REPAIR_KINDS:
            photo.update(flag for flag in FLAGS if row[flag])
        if row["earlier"] is not None:
            photo.add("reused")
            others[case_id].append((row["earlier"], row["earlier_code"]))
        if row["contractor_id"]:
            contractor.setdefault(case_id, row["contractor_id"])
        checked = moment_of(row["checked_at"])
        latest[case_id] = max(latest.get(case_id) or checked, checked)
    if not reasons:
        return []
    found = []
    for case_id, photos in reasons.items():
        case = info[case_id]
        evidence = [
            evidence_item("photo", attachment, case["tracking_code"], reasons=sorted(flags))
            for attachment, flags in photos.items()
        ]
        evidence += [
            evidence_item("photo", attachment, code, reasons=["reused_original"])
            for attachment, code in others[case_id]
        ]
        act = acts.get(case_id)
        if act is not None:
            evidence.append(evidence_item("act", act.latest_id, case["tracking_code"]))
        all_reasons = set().union(*photos.values())
        weights = sorted((WEIGHTS[r] for r in all_reasons), reverse=True)
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:case:{case_id}",
                subject_kind="case",
                subject_id=case_id,
                subject_name=case_name(case),
                evidence=evidence,
                money_kzt=act.money_kzt if act is not None else 0,
                score=min(MAX_SCORE, weights[0] + 5 * (len(weights) - 1)),
                details={
                    "reasons": sorted(all_reasons),
                    "photos": len(photos),
                    "max_distance_m": conf.EVIDENCE_MAX_DISTANCE_M,
                    "clock_tolerance_min": conf.EVIDENCE_CLOCK_TOLERANCE_MIN,
                    "reuse_max_bits": conf.PHOTO_REUSE_MAX_BITS,
                },
                region_id=case["region_id"],
                district_id=case["district_id"],
                department_id=case["department_id"],
                case_id=case_id,
                contractor_id=contractor.get(case_id),
                person_id=act.inspector_id if act is not None else None,
                occurred_at=latest.get(case_id),
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return case_filter(scope, "case_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Photo evidence does not prove the repair"),
    why=_(
        "The photos are the only proof that the work was done where and when it was paid for. "
        "A photo taken before the work order, far from the site, the same picture as the "
        "«before» photo or as a photo on another case proves nothing about this repair; a photo "
        "without a time or a place cannot be checked."
    ),
    legal_basis=_(
        "None specific: acceptance of work is documented by the acceptance act, which must "
        "reflect work actually done (Civil Code, contract of construction works)."
    ),
    threshold=_(
        "Any such photo fires. Far from the site: more than EVIDENCE_MAX_DISTANCE_M (100 m, "
        "above a phone's GPS error in a city); before the work order: more than "
        "EVIDENCE_CLOCK_TOLERANCE_MIN (10 min) earlier, for camera clock drift; the same "
        "picture: perceptual hashes at most 3 bits apart. A missing time or place weighs least."
    ),
    false_positives=_(
        "A camera with a wrong clock or no GPS; a messenger that strips the photo's metadata; "
        "a «before» photo legitimately taken at the inspection before the order; two repairs "
        "of one spot under two cases."
    ),
    subject_kinds=("case",),
    actions=frozenset({"report_repaired", "return_for_rework", "verify", "act_signed"}),
    # Accepting a repair verifies the case and signs its act in one transaction: the job of its
    # `verify` event already sees the act. Only a correction's act (money may change) counts.
    skips=lambda event: event.action == "act_signed" and not event.payload.get("supersedes"),
    find=find,
    stored_within=stored_within,
    by_case=True,
    current=lambda: {
        "max_distance_m": conf.EVIDENCE_MAX_DISTANCE_M,
        "clock_tolerance_min": conf.EVIDENCE_CLOCK_TOLERANCE_MIN,
        "reuse_max_bits": conf.PHOTO_REUSE_MAX_BITS,
    },
)
