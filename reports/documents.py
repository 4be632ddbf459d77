"""Build the two documents: gather (SQL), lay out (template), render (WeasyPrint).

The template only lays out what it is given; labels and names are looked up here, figures come
from `reports.monthly` untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from casework.audit import canonical_json, chain_head
from casework.deadlines import local_zone
from casework.models import Case, Department, District
from casework.roles import ROLE_LABELS
from casework.states import CaseState, RejectReason
from reports import charts, monthly
from reports.fetcher import static_url
from reports.periods import Period, Scope
from reports.render import FileToAttach, RenderedPdf, page_counter_css, pdf_render
from reports.sql import report_snapshot

Progress = Callable[[int], None]


@dataclass(frozen=True)
class BuiltDocument:
    pdf: RenderedPdf
    data_sha256: str
    chain_head: str
    html: str


def person_name(user) -> str:
    if user is None:
        return _("the monthly schedule")
    if isinstance(user, str):
        return user
    return user.get_full_name() or user.get_username()


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return formats.date_format(value.astimezone(local_zone()), "DATETIME_FORMAT")


def stage_label(stage: str) -> str:
    return {
        "received": _("Triage (received → assigned)"),
        "assigned": _("Work order (assigned → contractor notified)"),
        "contractor_notified": _("Repair (contractor notified → repaired)"),
        "repaired": _("Verification (repaired → verified)"),
    }[stage]


def flag_texts() -> dict[str, tuple[str, str]]:
    return {
        "overdue_open": (
            _("Open beyond the legal deadline"),
            _("Open at the end of the period with the answer deadline passed; date: the deadline."),
        ),
        "repeated_extensions": (
            _("Repeated deadline extensions"),
            _("Two or more extensions, at least one in the period; number: extensions so far."),
        ),
        "closed_on_deadline_reopened": (
            _("Closed on the deadline day, then reopened"),
            _("Reopened in the period after being closed on the day its deadline fell."),
        ),
        "bounced": (
            _("Bounced between departments more than twice"),
            _("More than two re-routings, at least one in the period; number: re-routings."),
        ),
        "verified_reopened": (
            _("Verified, then reopened"),
            _("A verified repair reopened in the period; date: the reopening."),
        ),
        "photo_reused": (
            _("The same photo on two cases"),
            _("Repair evidence whose photo also appears on another case (listed)."),
        ),
    }


def _csv_bytes(rows) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(monthly.CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    # A byte-order mark so that spreadsheet programs read Cyrillic and Kazakh letters right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def _names(model, ids) -> dict[int, Any]:
    return {obj.pk: obj for obj in model.objects.filter(pk__in=[i for i in ids if i])}


def monthly_context(
    scope: Scope, period: Period, data: dict[str, Any], *, generated_by, moment: dt.datetime
) -> dict[str, Any]:
    figures = data["figures"]
    districts = _names(District, [row["id"] for row in data["by_district"]])
    departments = _names(Department, [row["id"] for row in data["by_department"]])
    reasons = dict(RejectReason.choices)
    texts = flag_texts()
    stage_rows = [{**row, "label": stage_label(row["stage"])} for row in figures["stages"]]
    trend = data["trend"]
    officials = data["officials"]
    if officials:
        ids = {i for row in officials for i in (row["failed_case_ids"] or [])}
        codes = dict(Case.objects.filter(pk__in=ids).values_list("pk", "tracking_code"))
        officials = [
            {
                **row,
                "role_label": ROLE_LABELS.get(row["role"], row["role"]),
                "failed_codes": [codes.get(i, str(i)) for i in row["failed_case_ids"] or []],
            }
            for row in officials
        ]
    return {
        "scope": scope,
        "period": period,
        "filters": scope.filters(),
        "generated_by": person_name(generated_by),
        "generated_at": _moment(moment),
        "period_start": _moment(period.start),
        "period_end": _moment(period.end),
        "key_figures": [
            (_("Received"), figures["received"]),
            (_("Assigned to a department"), figures["assigned"]),
            (_("Re-routed to another department"), figures["rerouted"]),
            (_("Closed as verified"), figures["verified"]),
            (_("Rejected"), figures["rejected"]),
            (_("Reopened"), sum(figures["reopened_from"].values())),
            (_("Deadline extensions"), figures["extensions"]),
            (_("Escalations"), sum(figures["escalations_by_level"].values())),
            (_("Open at the end of the period"), figures["open_at_end"]),
            (_("Open beyond the legal deadline at the end of the period"), figures["overdue_open"]),
        ],
        "rejected_rows": [
            (reasons.get(code, code or "—"), n) for code, n in figures["rejected_by_reason"].items()
        ],
        "escalation_rows": [
            (_("Level %(level)s") % {"level": level}, n)
            for level, n in figures["escalations_by_level"].items()
        ],
        "stage_rows": stage_rows,
        "district_rows": [
            {**row, "name": districts[row["id"]].name, "code": districts[row["id"]].code}
            for row in data["by_district"]
        ],
        "department_rows": [
            {
                **row,
                "name": departments[row["id"]].name if row["id"] else _("Not yet assigned"),
                "code": departments[row["id"]].code if row["id"] else "—",
            }
            for row in data["by_department"]
        ],
        "flag_sections": [
            {"key": key, "title": texts[key][0], "help": texts[key][1], "rows": rows}
            for key, rows in data["flags"].items()
        ],
        "trend_svg": charts.line_chart(
            [row["month"] for row in trend],
            [
                (_("Received"), [row["received"] for row in trend]),
                (_("Closed as verified"), [row["verified"] for row in trend]),
            ],
            title=_("Month on month: received and verified"),
        ),
        "stages_svg": charts.bar_chart(
            [stage_label(row["stage"]).split(" (")[0] for row in stage_rows],
            [
                (_("Median working days"), [row["median_days"] or 0 for row in stage_rows]),
                (_("Finished late"), [row["late"] for row in stage_rows]),
            ],
            title=_("Stages finished in the period"),
        ),
        "contractors": data["contractors"],
        "officials": officials,
        "page_counter": page_counter_css(_("Page {page} of {pages}")),
        "stylesheet": static_url("reports/report.css"),
    }


def monthly_build(
    scope: Scope,
    period: Period,
    *,
    language: str,
    generated_by=None,
    moment: dt.datetime,
    progress: Progress | None = None,
) -> BuiltDocument:
    step = progress or (lambda value: None)
    with translation.override(language):
        with report_snapshot():
            # The chain head read in the same snapshot as the figures it vouches for.
            head, count = chain_head()
            data, query = monthly.monthly_gather(scope, period, step)
            csv_content, csv_count = _csv_bytes(monthly.case_rows(query, data["flags"]))
        step(60)
        csv_sha = hashlib.sha256(csv_content).hexdigest()
        data_sha = hashlib.sha256(
            canonical_json({"data": data, "case_list_sha256": csv_sha}).encode()
        ).hexdigest()
        context = monthly_context(scope, period, data, generated_by=generated_by, moment=moment)
        csv_name = f"cases-{period.code}-{scope.key().replace('/', '-').strip('-')}.csv"
        context.update(
            chain_head=head,
            chain_count=count,
            data_sha256=data_sha,
            csv_name=csv_name,
            csv_count=csv_count,
            language=language,
        )
        html = render_to_string("reports/pdf/monthly.html", context)
        step(70)
        pdf = pdf_render(
            html,
            moment=moment,
            attachments=(
                FileToAttach(
                    csv_name,
                    csv_content,
                    _("All cases of the period, one row each (CSV, UTF-8)"),
                ),
            ),
            identifier=data_sha[:32],
        )
    step(95)
    return BuiltDocument(pdf, data_sha, head, html)


# ---------------------------------------------------------------------------------------------
# The dossier


def action_label(action: str) -> str:
    return {
        "open": _("Complaint received"),
        "assign": _("Routed to a department"),
        "notify_contractor": _("Work order issued"),
        "report_repaired": _("Repair reported"),
        "verify": _("Repair verified"),
        "return_for_rework": _("Returned for rework"),
        "reject": _("Rejected"),
        "reopen": _("Reopened"),
        "extend_deadline": _("Deadline extended"),
        "escalate": _("Escalated"),
        "complainant_revealed": _("Complainant's contact data revealed"),
    }.get(action, action)


def _event_rows(case: Case) -> list[dict[str, Any]]:
    from casework.selectors import case_events

    labels = dict(CaseState.choices)
    rows = []
    for event in case_events(case):
        rows.append(
            {
                "seq": event.seq,
                "when": _moment(event.created_at),
                "actor": person_name(event.actor) if event.actor_id else _("citizen or system"),
                "role": event.role,
                "action": event.action,
                "action_label": action_label(event.action),
                "from": labels.get(event.from_state, event.from_state),
                "to": labels.get(event.to_state, event.to_state),
                "reason": event.reason,
                "payload": _payload_text(event.payload),
                "hash": event.hash,
            }
        )
    return rows


def _payload_text(payload: dict[str, Any]) -> str:
    hidden = {"photos"}
    return "; ".join(f"{k}: {v}" for k, v in sorted(payload.items()) if k not in hidden and v)


def _history_rows(case: Case) -> list[dict[str, Any]]:
    records = list(case.history.order_by("history_date", "history_id"))
    rows = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = Case._meta.get_field(change.field)
                changes.append(
                    {
                        "field": str(getattr(field, "verbose_name", change.field)),
                        "old": _field_value(field, change.old),
                        "new": _field_value(field, change.new),
                    }
                )
        rows.append(
            {
                "when": _moment(record.history_date),
                "who": person_name(record.history_user) if record.history_user_id else "—",
                "why": record.history_change_reason or ("create" if previous is None else ""),
                "changes": changes,
            }
        )
        previous = record
    return rows


def _field_value(field, value) -> str:
    if value not in (None, "") and getattr(field, "many_to_one", False):
        related = field.related_model.objects.filter(pk=value).first()
        if related is not None:
            return person_name(related) if hasattr(related, "get_username") else str(related)
    if value not in (None, "") and getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, dt.datetime):
        return _moment(value)
    return "—" if value in (None, "") else str(value)


def _photos(case: Case) -> list[dict[str, Any]]:
    from reports.fetcher import URLRefused, file_url

    photos = []
    for attachment in case.attachments.filter(content_type__startswith="image/"):
        try:
            url = file_url(attachment.file.path)
        except (URLRefused, NotImplementedError, ValueError):
            url = ""
        photos.append(
            {
                "url": url,
                "kind": attachment.get_kind_display(),
                "when": _moment(attachment.uploaded_at),
                "sha256": attachment.sha256,
            }
        )
    return photos


def _warranty_claims(case: Case) -> list[str]:
    """Warranty claims from the contractors app, when it has them: any claim row that points at
    this case (as the new complaint or as the repair under warranty)."""
    from django.apps import apps
    from django.db.models import Q

    try:
        model = apps.get_model("contractors", "WarrantyClaim")
    except LookupError:
        return []
    links = Q(pk__in=[])
    for field in model._meta.get_fields():
        linked = getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)
        if linked and field.concrete and field.related_model is Case:
            links |= Q(**{field.name: case})
    return [str(claim) for claim in model.objects.filter(links)]


def dossier_context(case: Case, *, complainant: dict[str, str] | None) -> dict[str, Any]:
    from contractors.models import WorkOrder

    events = _event_rows(case)
    orders = WorkOrder.objects.filter(case=case).select_related(
        "contract", "contractor", "issued_by"
    )
    signoffs = [
        row
        for row in events
        if row["action"] in ("notify_contractor", "verify", "return_for_rework")
    ]
    extensions = [row for row in events if row["action"] == "extend_deadline"]
    reopenings = [row for row in events if row["action"] == "reopen"]
    return {
        "case": case,
        "state_label": CaseState(case.state).label,
        "received_at": _moment(case.received_at),
        "due_at": _moment(case.due_at),
        "stage_due_at": _moment(case.stage_due_at),
        "closed_at": _moment(case.closed_at),
        "events": events,
        "history": _history_rows(case),
        "orders": [
            {
                "id": order.pk,
                "contract": order.contract.number,
                "contractor": order.contractor.legal_name,
                "issued_by": person_name(order.issued_by),
                "issued_at": _moment(order.issued_at),
                "due_at": _moment(order.due_at),
                "acknowledged_at": _moment(order.acknowledged_at),
                "completed_at": _moment(order.completed_at),
                "status": order.get_status_display(),
            }
            for order in orders
        ],
        "signoffs": signoffs,
        "extensions": extensions,
        "reopenings": reopenings,
        "photos": _photos(case),
        "duplicate_of": case.duplicate_of,
        "duplicates": list(case.duplicates.order_by("id")),
        "warranty_reopenings": [r for r in reopenings if "warranty_defect" in r["payload"]],
        "warranty_claims": _warranty_claims(case),
        "complainant": complainant,
        "page_counter": page_counter_css(_("Page {page} of {pages}")),
        "stylesheet": static_url("reports/report.css"),
    }


def dossier_build(
    case: Case,
    *,
    language: str,
    generated_by=None,
    moment: dt.datetime,
    complainant: dict[str, str] | None = None,
    reason: str = "",
    progress: Progress | None = None,
) -> BuiltDocument:
    step = progress or (lambda value: None)
    head, count = chain_head()
    with translation.override(language):
        context = dossier_context(case, complainant=complainant)
        step(40)
        data = {
            "case": case.tracking_code,
            "events": [row["hash"] for row in context["events"]],
            "history": len(context["history"]),
            "photos": [p["sha256"] for p in context["photos"]],
            "orders": [o["id"] for o in context["orders"]],
            "complainant": bool(complainant),
        }
        data_sha = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        context.update(
            chain_head=head,
            chain_count=count,
            data_sha256=data_sha,
            generated_by=person_name(generated_by),
            generated_at=_moment(moment),
            reason=reason,
            language=language,
        )
        html = render_to_string("reports/pdf/dossier.html", context)
        step(60)
        pdf = pdf_render(html, moment=moment, identifier=data_sha[:32])
    step(95)
    return BuiltDocument(pdf, data_sha, head, html)


def user_by_name(username: str):
    return get_user_model().objects.filter(username=username).first()
