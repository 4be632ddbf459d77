"""Projects as CSV, both ways, so that export → import → export gives the same bytes.

Every value has one written form: codes for places and departments, the geometry as compact JSON
with sorted keys, amounts with two decimals, ISO dates, contract ids joined by ";". Import reads
the whole file, validates every row through the services inside one transaction and, if any row
is wrong, rolls everything back and names each bad row with its messages.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from casework.models import Department, District, Region
from contractors.models import Contract
from oversight.models import Position
from projects.models import Project, ProjectContract
from projects.services import project_create, project_update

COLUMNS = (
    "code",
    "title_kk",
    "title_ru",
    "description_kk",
    "description_ru",
    "sector",
    "type",
    "status",
    "region",
    "district",
    "department",
    "responsible_position",
    "geometry",
    "budget_amount",
    "budget_source",
    "budget_approved_on",
    "planned_year",
    "warranty_until",
    "contracts",
)
MAX_ROWS = 5000


def _geometry(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _date(value) -> str:
    return value.isoformat() if value else ""


def projects_csv(projects) -> str:
    """The CSV text of `projects` (ordered by code)."""
    projects = list(projects.select_related("region", "district", "department").order_by("code"))
    contracts: dict[int, list[int]] = {}
    for link in ProjectContract.objects.filter(project__in=projects).order_by("contract_id"):
        contracts.setdefault(link.project_id, []).append(link.contract_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in projects:
        writer.writerow(
            [
                p.code,
                p.title_kk,
                p.title_ru,
                p.description_kk,
                p.description_ru,
                p.sector,
                p.type,
                p.status,
                p.region.code,
                p.district.code if p.district else "",
                p.department.code if p.department else "",
                p.responsible_position_id or "",
                _geometry(p.geometry),
                f"{p.budget_amount:.2f}",
                p.budget_source,
                _date(p.budget_approved_on),
                p.planned_year,
                _date(p.warranty_until),
                ";".join(str(pk) for pk in contracts.get(p.pk, [])),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class RowError:
    line: int
    code: str
    messages: list[str]


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def _lookup(model, value: str, field: str, errors: dict[str, str], key: str = "code"):
    if not value:
        return None
    found = model.objects.filter(**{key: value}).first()
    if found is None:
        errors[field] = _("Unknown %(field)s: %(value)s.") % {"field": field, "value": value}
    return found


def _row_data(row: dict[str, str]) -> tuple[dict[str, Any], list[Contract] | None, dict]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        name: (row.get(name) or "").strip()
        for name in (
            "code",
            "title_kk",
            "title_ru",
            "description_kk",
            "description_ru",
            "sector",
            "type",
            "status",
            "budget_source",
            "budget_amount",
        )
    }
    data["region"] = _lookup(Region, row.get("region", "").strip(), "region", errors)
    if data["region"] is None and "region" not in errors:
        errors["region"] = _("The region is required.")
    data["district"] = _lookup(District, row.get("district", "").strip(), "district", errors)
    data["department"] = _lookup(
        Department, row.get("department", "").strip(), "department", errors
    )
    position = row.get("responsible_position", "").strip()
    if position and not position.isdigit():
        errors["responsible_position"] = _("Give the post's number.")
    else:
        data["responsible_position"] = _lookup(
            Position, position, "responsible_position", errors, key="pk"
        )
    try:
        data["geometry"] = json.loads(row.get("geometry") or "")
    except ValueError:
        errors["geometry"] = _("The location must be a GeoJSON Point, LineString or Polygon.")
    for name in ("budget_approved_on", "warranty_until"):
        value = (row.get(name) or "").strip()
        parsed = parse_date(value) if value else None
        if value and parsed is None:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
        data[name] = parsed
    year = (row.get("planned_year") or "").strip()
    if not year.isdigit():
        errors["planned_year"] = _("Enter the planned year.")
    else:
        data["planned_year"] = int(year)
    contracts = None
    raw = (row.get("contracts") or "").strip()
    ids = [part.strip() for part in raw.split(";") if part.strip()]
    if not all(part.isdigit() for part in ids):
        errors["contracts"] = _("Give the contracts' numbers separated by ';'.")
    else:
        contracts = list(
            Contract.objects.filter(pk__in=[int(i) for i in ids]).select_related(
                "department__district"
            )
        )
        if len(contracts) != len(set(ids)):
            errors["contracts"] = _("Unknown contract in the list.")
    return data, contracts, errors


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)


def projects_import(text: str, *, actor) -> tuple[int, int]:
    """Create or update the projects of a CSV (by code). Returns (created, updated); raises
    ImportRefused naming every bad row, with nothing written."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ImportRefused(
            [RowError(1, "", [_("The first line must be the columns: %s.") % ",".join(COLUMNS)])]
        )
    errors: list[RowError] = []
    created = updated = 0
    seen: set[str] = set()
    with transaction.atomic():
        for index, row in enumerate(reader, start=2):
            if index - 1 > MAX_ROWS:
                errors.append(RowError(index, "", [_("At most %d rows at once.") % MAX_ROWS]))
                break
            code = (row.get("code") or "").strip()
            if None in row or any(v is None for v in row.values()):
                errors.append(RowError(index, code, [_("The row has the wrong number of cells.")]))
                continue
            if code in seen:
                errors.append(RowError(index, code, [_("The code appears twice in the file.")]))
                continue
            seen.add(code)
            data, contracts, field_errors = _row_data(row)
            if field_errors:
                errors.append(RowError(index, code, [f"{k}: {v}" for k, v in field_errors.items()]))
                continue
            existing = Project.objects.filter(code=code).first()
            try:
                with transaction.atomic():
                    if existing is None:
                        project_create(actor=actor, data=data, contracts=contracts)
                        created += 1
                    else:
                        project_update(existing, actor=actor, data=data, contracts=contracts)
                        updated += 1
            except ValidationError as exc:
                errors.append(RowError(index, code, _messages(exc)))
            except PermissionDenied as exc:
                errors.append(RowError(index, code, [str(exc)]))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return created, updated
