"""Build the monthly report: gather (SQL), lay out (template), render (WeasyPrint).

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
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from casework.audit import canonical_json, chain_head
from casework.deadlines import local_zone
from casework.models import Case, Department, District, Region
from casework.roles import role_label
from contractors.models import Contractor
from oversight.models import Inquiry, Person, Position, RedFlagHit, Sanction
from oversight.red_flags.registry import INDICATORS
from reports import charts, labels, maps, monthly
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
        "photo_evidence": (
            _("Doubtful repair photos"),
            _("Repair photos stored in the period that their checks doubt (listed)."),
        ),
    }


def csv_headers() -> dict[str, str]:
    """The case list's column headers in the report's language."""
    return {
        "tracking_code": _("Tracking code"),
        "category": _("Category"),
        "district": _("District"),
        "department": _("Department at the end of the period"),
        "received_at": _("Received"),
        "state_at_period_end": _("State at the end of the period"),
        "answer_due_at_period_end": _("Answer due (in force at the end of the period)"),
        "overdue_at_period_end": _("Overdue at the end of the period (1 = yes)"),
        "working_days_overdue": _("Working days overdue"),
        "contractor": _("Contractor"),
        "work_order": _("Work order"),
        "work_order_due_at": _("Work order due"),
        "accepted_by": _("Repair accepted by"),
        "closed_at": _("Closed"),
        "reroutes": _("Re-routings"),
        "extensions": _("Deadline extensions"),
        "returns_for_rework": _("Returns for rework"),
        "reopenings": _("Reopenings"),
        "highest_escalation": _("Highest escalation level"),
        "red_flags": _("Red flags"),
    }


def _case_list(rows) -> tuple[bytes, str, int]:
    """The CSV for people (headers and labels in the report's language, names instead of ids)
    and the hash of its language-neutral rows (codes and ids), which goes into the data hash."""
    neutral = hashlib.sha256()
    rows = list(rows)
    for row in rows:
        neutral.update(canonical_json([row[c] for c in monthly.CSV_COLUMNS]).encode() + b"\n")
    departments = _names(Department, [r["department"] for r in rows])
    contractors = _names(Contractor, [r["contractor"] for r in rows])
    people = _names(get_user_model(), [r["accepted_by"] for r in rows])
    flag_titles = {key: title for key, (title, _help) in flag_texts().items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers = csv_headers()
    writer.writerow([headers[c] for c in monthly.CSV_COLUMNS])
    for row in rows:
        shown = dict(row)
        shown["department"] = departments[row["department"]].code if row["department"] else ""
        shown["state_at_period_end"] = labels.state_label(row["state_at_period_end"])
        shown["contractor"] = contractors[row["contractor"]].legal_name if row["contractor"] else ""
        shown["work_order"] = f"№ {row['work_order']}" if row["work_order"] else ""
        shown["accepted_by"] = (
            person_name(people.get(row["accepted_by"])) if row["accepted_by"] else ""
        )
        shown["red_flags"] = "; ".join(
            flag_titles[f] for f in row["red_flags"].split(";") if f in flag_titles
        )
        writer.writerow([shown[c] for c in monthly.CSV_COLUMNS])
    # A byte-order mark so that spreadsheet programs read Cyrillic and Kazakh letters right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), neutral.hexdigest(), len(rows)


def _names(model, ids) -> dict[int, Any]:
    return {obj.pk: obj for obj in model.objects.filter(pk__in={i for i in ids if i})}


def figure_labels() -> dict[str, str]:
    return {
        "received": _("Received"),
        "assigned": _("Assigned to a department"),
        "rerouted": _("Re-routed to another department"),
        "verified": _("Closed as verified"),
        "rejected": _("Rejected"),
        "reopened": _("Reopened"),
        "extensions": _("Deadline extensions"),
        "escalations": _("Escalations"),
    }


def _change(now: int, before: int) -> str:
    if before == 0:  # nothing to compare with
        return "—"
    percent = (now - before) * 100 / before
    return f"{percent:+.0f} %"


def _comparison_rows(comparisons: dict[str, Any]) -> list[dict[str, Any]]:
    names = figure_labels()
    return [
        {
            **row,
            "label": names[row["figure"]],
            "change_previous": _change(row["this"], row["previous"]),
            "change_year": _change(row["this"], row["year_before"]),
        }
        for row in comparisons["rows"]
    ]


def _what_changed(rows: list[dict[str, Any]], limit: int = 3) -> list[str]:
    """The figures that moved most against the previous month, as sentences."""
    moved = [r for r in rows if r["this"] != r["previous"]]
    moved.sort(key=lambda r: (-abs(r["this"] - r["previous"]), r["figure"]))
    return [
        _("%(figure)s: %(now)s, against %(before)s the month before (%(change)s).")
        % {
            "figure": r["label"],
            "now": formats.number_format(r["this"], force_grouping=True),
            "before": formats.number_format(r["previous"], force_grouping=True),
            "change": r["change_previous"],
        }
        for r in moved[:limit]
    ]


def _most_late(contractors: list[dict[str, Any]] | None, limit: int = 5) -> list[dict[str, Any]]:
    late = [row for row in contractors or [] if row.get("late")]
    late.sort(key=lambda r: (-r["late"], -(r["avg_working_days_late"] or 0), r["legal_name"]))
    return late[:limit]


def _most_failed(officials: list[dict[str, Any]] | None, limit: int = 5) -> list[dict[str, Any]]:
    failed = [row for row in officials or [] if row.get("failed")]
    return failed[:limit]  # already ordered: most failed first


def _group_rows(data: list[dict[str, Any]], model, unassigned: str = "") -> list[dict[str, Any]]:
    found = _names(model, [row["id"] for row in data])
    return [
        {
            **row,
            "name": found[row["id"]].name if row["id"] else unassigned,
            "code": found[row["id"]].code if row["id"] else "—",
        }
        for row in data
    ]


def _rate(done: int, late: int) -> float | None:
    return round((done - late) * 100 / done, 1) if done else None


def monthly_context(
    scope: Scope,
    period: Period,
    data: dict[str, Any],
    *,
    generated_by,
    moment: dt.datetime,
    recommendations: str = "",
) -> dict[str, Any]:
    figures = data["figures"]
    texts = flag_texts()
    stage_rows = [
        {
            **row,
            "label": stage_label(row["stage"]),
            "on_time_rate": _rate(row["done"], row["late"]),
        }
        for row in figures["stages"]
    ]
    trend = data["trend"]
    officials = data["officials"]
    if officials:
        ids = {i for row in officials for i in (row["failed_case_ids"] or [])}
        codes = dict(Case.objects.filter(pk__in=ids).values_list("pk", "tracking_code"))
        posts = Position.objects.in_bulk({row.get("post_id") for row in officials} - {None})
        officials = [
            {
                **row,
                "post": posts[row["post_id"]].title if row.get("post_id") in posts else "",
                "role_label": role_label(row["role"]),
                "failed_codes": [codes.get(i, "") for i in row["failed_case_ids"] or []],
            }
            for row in officials
        ]
    comparison_rows = _comparison_rows(data["comparisons"])
    districts = _group_rows(data["by_district"], District)
    flag_sections = [
        {"key": key, "title": texts[key][0], "help": texts[key][1], "rows": rows}
        for key, rows in data["flags"].items()
    ]
    for section in flag_sections:
        if section["key"] == "photo_evidence":
            names = photo_check_labels()
            section["rows"] = [
                {**row, "detail": ", ".join(names[c] for c in row["detail"].split(",") if c)}
                for row in section["rows"]
            ]
    partial = "" if period.complete else f" ({_('partial')})"
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
        "comparison_rows": comparison_rows,
        "comparison_months": data["comparisons"]["months"],
        "what_changed": _what_changed(comparison_rows),
        "most_late": _most_late(data["contractors"]),
        "most_failed": _most_failed(officials),
        "recommendations": recommendations,
        "flag_counts": [(s["title"], len(s["rows"])) for s in flag_sections if s["rows"]],
        "rejected_rows": [
            (labels.reject_reason_label(code) or "—", n)
            for code, n in figures["rejected_by_reason"].items()
        ],
        "escalation_rows": [
            (_("Level %(level)s") % {"level": level}, n)
            for level, n in figures["escalations_by_level"].items()
        ],
        "stage_rows": stage_rows,
        "region_rows": _group_rows(data["by_region"], Region),
        "district_rows": districts,
        "department_rows": _group_rows(data["by_department"], Department, _("Not yet assigned")),
        "flag_sections": flag_sections,
        "trend_svg": charts.line_chart(
            [row["month"] for row in trend],
            [
                (_("Received"), [row["received"] for row in trend]),
                (_("Closed as verified"), [row["verified"] for row in trend]),
            ],
            title=_("Month on month: received and verified") + partial,
        ),
        "stages_svg": charts.bar_chart(
            [stage_label(row["stage"]).split(" (")[0] for row in stage_rows],
            [(_("Finished on time"), [row["on_time_rate"] or 0 for row in stage_rows])],
            title=_("Stages finished in the period: share on time"),
            unit=" %",
            axis_max=100,
        ),
        "map_svg": maps.map_svg(
            data["map"],
            {row["code"]: row["name"] for row in districts},
            title=_("Overdue and failed repairs of the period"),
        ),
        "map_count": len({p["code"] for p in data["map"]}),
        "contractors": [
            {**row, "contracts_amount": _amount(row.get("contracts_amount_kzt"))}
            for row in data["contractors"] or []
        ],
        "officials": officials,
        "ratings": data.get("ratings") or [],
        **red_flag_context(data["red_flag_hits"]),
        **inquiry_context(data["inquiries"]),
        "page_counter": page_counter_css(_("Page {page} of {pages}")),
        "stylesheet": static_url("reports/report.css"),
    }


def _amount(text: str | None) -> str:
    if not text:
        return "—"
    return formats.number_format(Decimal(text), decimal_pos=0, force_grouping=True)


def indicator_label(code: str) -> str:
    found = INDICATORS.get(code)
    return str(found.name) if found else code


def _hit_rows(rows: list[dict[str, Any]], subjects: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "indicator_label": indicator_label(row["indicator"]),
            "subject": subjects.get(row["id"], ""),
            "money": _amount(row["money_kzt"]),
        }
        for row in rows
    ]


def red_flag_context(hits: dict[str, Any]) -> dict[str, Any]:
    """The ranked hits with their indicators' names in the report's language and their
    subjects' names (stored on the hit)."""
    ids = {row["id"] for key in ("worst", "top_by_money") for row in hits[key]}
    subjects = dict(RedFlagHit.objects.filter(pk__in=ids).values_list("pk", "subject_name"))
    return {
        "worst_hits": _hit_rows(hits["worst"], subjects),
        "hits_by_money": _hit_rows(hits["top_by_money"], subjects),
        "hits_by_indicator": [
            {
                **row,
                "indicator_label": indicator_label(row["indicator"]),
                "money": _amount(row["money_kzt"]),
            }
            for row in hits["by_indicator"]
        ],
    }


def inquiry_context(inquiries: dict[str, Any]) -> dict[str, Any]:
    """Inquiries and sanctions with labels; the sanctioned named only where publishable."""
    outcomes = dict(Inquiry.Outcome.choices)
    kinds = dict(Sanction.Kind.choices)
    named = inquiries["sanctions_named"]
    people = Person.objects.in_bulk({row["person_id"] for row in named} - {None})
    firms = Contractor.objects.in_bulk({row["contractor_id"] for row in named} - {None})
    posts = Position.objects.in_bulk({row["post_id"] for row in named} - {None})
    named_rows = []
    for row in named:
        if row["person_id"] in people:
            who = people[row["person_id"]].full_name
            if row["post_id"] in posts:
                who = f"{who}, {posts[row['post_id']].title}"
        elif row["contractor_id"] in firms:
            who = firms[row["contractor_id"]].legal_name
        else:
            continue
        named_rows.append({"who": who, "kind": str(kinds.get(row["kind"], row["kind"]))})
    return {
        "inquiries_opened": inquiries["opened"],
        "inquiries_closed": [
            (str(outcomes.get(code, "")) or _("No outcome recorded"), n)
            for code, n in inquiries["closed"].items()
        ],
        "inquiries_closed_total": sum(inquiries["closed"].values()),
        "sanction_rows": [
            (str(kinds.get(code, code)), n) for code, n in inquiries["sanctions_imposed"].items()
        ],
        "sanctions_total": sum(inquiries["sanctions_imposed"].values()),
        "sanctions_named": named_rows,
    }


def photo_check_labels() -> dict[str, str]:
    return {
        "taken_before_order": _("taken before the work order"),
        "far_from_site": _("taken far from the site"),
        "same_as_before": _("the same picture as a “before” photo"),
    }


@dataclass(frozen=True)
class MonthlyDocument:
    html: str
    csv_name: str
    csv_content: bytes
    data_sha256: str
    chain_head: str


def monthly_document(
    scope: Scope,
    period: Period,
    *,
    language: str,
    generated_by=None,
    moment: dt.datetime,
    progress: Progress | None = None,
    recommendations: str = "",
) -> MonthlyDocument:
    """The report's HTML and its case list, ready for rendering."""
    step = progress or (lambda value: None)
    with translation.override(language):
        with report_snapshot():
            # The chain head read in the same snapshot as the figures it vouches for.
            head, count = chain_head()
            data, query = monthly.monthly_gather(scope, period, step)
            csv_content, rows_sha, csv_count = _case_list(
                monthly.case_rows(query, data["flags"], period)
            )
        step(60)
        data_sha = hashlib.sha256(
            canonical_json({"data": data, "case_list_sha256": rows_sha}).encode()
        ).hexdigest()
        context = monthly_context(
            scope,
            period,
            data,
            generated_by=generated_by,
            moment=moment,
            recommendations=recommendations,
        )
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
    return MonthlyDocument(html, csv_name, csv_content, data_sha, head)


def monthly_build(
    scope: Scope,
    period: Period,
    *,
    language: str,
    generated_by=None,
    moment: dt.datetime,
    progress: Progress | None = None,
    recommendations: str = "",
) -> BuiltDocument:
    step = progress or (lambda value: None)
    document = monthly_document(
        scope,
        period,
        language=language,
        generated_by=generated_by,
        moment=moment,
        progress=step,
        recommendations=recommendations,
    )
    step(70)
    with translation.override(language):
        pdf = pdf_render(
            document.html,
            moment=moment,
            attachments=(
                FileToAttach(
                    document.csv_name,
                    document.csv_content,
                    _("All cases of the period, one row each (CSV, UTF-8)"),
                ),
            ),
            identifier=document.data_sha256[:32],
        )
    step(95)
    return BuiltDocument(pdf, document.data_sha256, document.chain_head, document.html)


def user_by_name(username: str):
    return get_user_model().objects.filter(username=username).first()
