"""Projects as an OC4IDS 0.9 project package (open data: /open-data/projects.oc4ids.json).

Field names follow the standard: id, title, description, status, type, sector (with its parent
code), locations[].geometry, budget, parties (publicAuthority, supplier), publicAuthority,
milestones (dueDate, dateMet, status), metrics (physical and financial progress observations),
documents (documentType, url). Text is in Russian (the package's `language`); complaints are not
part of the standard and are not published here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from projects.models import Milestone, ProgressObservation, Project, ProjectDocument

VERSION = "0.9"
LANGUAGE = "ru"
TZ_DAY = dt.time(0, 0)


def _date_time(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return dt.datetime.combine(day, TZ_DAY, tzinfo=timezone.get_current_timezone()).isoformat()


def _sector(code: str) -> list[str]:
    parent = code.split(".", 1)[0]
    return [parent, code] if parent != code else [code]


def _clean(value: Any) -> Any:
    """Drop empty values: OC4IDS fields are optional, and an empty string is not valid where
    a field has minLength 1."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(v) for v in value) if v not in (None, "", [], {})]
    return value


def project_oc4ids(project: Project, base_url: str, *, milestones, progress, documents) -> dict:
    parties: list[dict] = []
    authority = None
    if project.department_id:
        authority = {
            "id": f"department-{project.department.code}",
            "name": project.department.name_ru,
        }
        parties.append({**authority, "roles": ["publicAuthority"]})
    for contract in project.contracts.all():
        supplier_id = f"KZ-BIN-{contract.contractor.bin}"
        if not any(p["id"] == supplier_id for p in parties):
            parties.append(
                {
                    "id": supplier_id,
                    "name": contract.contractor.legal_name,
                    "identifier": {"scheme": "KZ-BIN", "id": contract.contractor.bin},
                    "roles": ["supplier"],
                }
            )
    metrics = []
    if progress:
        metrics = [
            {
                "id": "physicalProgress",
                "title": "Physical progress",
                "observations": [
                    {
                        "id": f"physical-{o.pk}",
                        "period": {
                            "startDate": _date_time(o.observed_on),
                            "endDate": _date_time(o.observed_on),
                        },
                        "measure": float(o.physical_percent),
                        "unit": {"name": "percent"},
                    }
                    for o in progress
                ],
            },
            {
                "id": "financialProgress",
                "title": "Financial progress",
                "observations": [
                    {
                        "id": f"financial-{o.pk}",
                        "period": {
                            "startDate": _date_time(o.observed_on),
                            "endDate": _date_time(o.observed_on),
                        },
                        "value": {"amount": float(o.spent_amount), "currency": "KZT"},
                    }
                    for o in progress
                ],
            },
        ]
    page = base_url + reverse("projects:detail", args=[project.code])
    data = {
        "id": project.code,
        "updated": project.updated_at.isoformat(),
        "language": LANGUAGE,
        "title": project.title_ru,
        "description": project.description_ru,
        "status": project.status,
        "type": project.type,
        "sector": _sector(project.sector),
        "locations": [{"id": "1", "geometry": project.geometry}],
        "budget": {
            "amount": {"amount": float(project.budget_amount), "currency": "KZT"},
            "approvalDate": _date_time(project.budget_approved_on),
        },
        "publicAuthority": authority,
        "parties": parties,
        "milestones": [
            {
                "id": str(m.pk),
                "title": m.name_ru,
                "type": "delivery",
                "dueDate": _date_time(m.planned_end),
                "dateMet": _date_time(m.actual_end),
                "status": m.status,
            }
            for m in milestones
        ],
        "metrics": metrics,
        "documents": [
            {
                "id": str(d.pk),
                "documentType": d.document_type,
                "title": d.title,
                "url": base_url + reverse("projects:document", args=[project.code, d.pk]),
                "datePublished": d.uploaded_at.isoformat(),
            }
            for d in documents
        ]
        + [{"id": "page", "documentType": "other", "title": "Project page", "url": page}],
    }
    return _clean(data)


def project_package(projects, base_url: str, publisher: str, uri: str) -> dict:
    """The package of `projects` (a queryset), in a fixed number of queries."""
    projects = list(
        projects.select_related("department")
        .prefetch_related("contracts__contractor")
        .order_by("code")
    )
    ids = [p.pk for p in projects]
    by_project: dict[int, dict[str, list]] = {pk: {"m": [], "p": [], "d": []} for pk in ids}
    for m in Milestone.objects.filter(project_id__in=ids):
        by_project[m.project_id]["m"].append(m)
    for o in ProgressObservation.objects.filter(project_id__in=ids).order_by("observed_on", "id"):
        by_project[o.project_id]["p"].append(o)
    for d in ProjectDocument.objects.filter(project_id__in=ids).order_by("id"):
        by_project[d.project_id]["d"].append(d)
    published = max((p.updated_at for p in projects), default=timezone.now())
    return {
        "uri": uri,
        "publishedDate": published.isoformat(),
        "version": VERSION,
        "publisher": {"name": publisher},
        "projects": [
            project_oc4ids(
                p,
                base_url,
                milestones=by_project[p.pk]["m"],
                progress=by_project[p.pk]["p"],
                documents=by_project[p.pk]["d"],
            )
            for p in projects
        ],
    }
