"""The open data set of cases: its columns (documented here, shown on /open-data/ and in
docs/open-data.md), and the rows, read once in primary-key order, a page at a time.

Public cases only (portal.selectors.public_cases); no personal data and no citizen-written text
(title, description and address may name people): where, what, in which state, when, how late,
who was responsible. The bytes depend on the data and the day only, so a dump of unchanged data
has the same SHA-256 as the last one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.deadlines import local_zone, working_days_between
from casework.models import Category, Department, District, Region
from casework.replica import replica_reads
from contractors.models import Contractor
from portal.selectors import current_contractor_id, public_cases

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    name: str
    description: Promise


COLUMNS: tuple[Column, ...] = (
    Column("tracking_code", _("The case's tracking code; its public page is /cases/<code>/.")),
    Column("latitude", _("Latitude of the defect, WGS 84 degrees; empty when not given.")),
    Column("longitude", _("Longitude of the defect, WGS 84 degrees; empty when not given.")),
    Column("category_code", _("Code of the complaint's category (the Open311 service code).")),
    Column("category_kk", _("Name of the category in Kazakh.")),
    Column("category_ru", _("Name of the category in Russian.")),
    Column("category_en", _("Name of the category in English.")),
    Column(
        "state",
        _(
            "State of the case: received, assigned, contractor_notified, repaired, verified or "
            "rejected."
        ),
    ),
    Column("received_on", _("Day the complaint was received (YYYY-MM-DD, Almaty time).")),
    Column(
        "closed_on",
        _("Day the case was closed (YYYY-MM-DD, Almaty time); empty while it is open."),
    ),
    Column("due_on", _("Day the legal answer was due (YYYY-MM-DD); empty when none applies.")),
    Column(
        "working_days_late",
        _(
            "Kazakh working days from the due day to the closing day (to the dump's day while "
            "open); 0 when on time; empty when no deadline applies."
        ),
    ),
    Column("region_code", _("Code of the region.")),
    Column("district_code", _("Code of the district or city.")),
    Column("district_kk", _("Name of the district in Kazakh.")),
    Column("district_ru", _("Name of the district in Russian.")),
    Column("district_en", _("Name of the district in English.")),
    Column(
        "department_code",
        _("Code of the akimat department responsible; empty before the case is routed."),
    ),
    Column("department_kk", _("Name of the department in Kazakh.")),
    Column("department_ru", _("Name of the department in Russian.")),
    Column("department_en", _("Name of the department in English.")),
    Column(
        "contractor",
        _("Legal name of the contractor of the current work order; empty when none was issued."),
    ),
    Column("contractor_bin", _("Business identification number (BIN) of that contractor.")),
)
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
# GeoJSON carries the point as its geometry, every other column as a property.
PROPERTY_NAMES: tuple[str, ...] = tuple(
    name for name in COLUMN_NAMES if name not in ("latitude", "longitude")
)

_CASE_FIELDS = (
    "tracking_code",
    "latitude",
    "longitude",
    "category_id",
    "state",
    "received_at",
    "closed_at",
    "due_at",
    "region_id",
    "district_id",
    "department_id",
    "contractor_pk",
)


def _names(model) -> dict[int, tuple[str, ...]]:
    rows = model.objects.values_list("pk", "code", "name_kk", "name_ru", "name_en")
    return {row[0]: row[1:] for row in rows}


class _Lateness:
    """Working days late, remembered per (due day, end day): a million cases share a few
    thousand pairs of days."""

    def __init__(self, today: dt.date):
        self.today = today
        self.zone = local_zone()
        self.known: dict[tuple[dt.date, dt.date], int] = {}

    def __call__(self, due: dt.datetime | None, closed: dt.datetime | None) -> int | None:
        if due is None:
            return None
        due_day = due.astimezone(self.zone).date()
        end_day = closed.astimezone(self.zone).date() if closed else self.today
        key = (due_day, end_day)
        late = self.known.get(key)
        if late is None:
            start = dt.datetime.combine(due_day, dt.time(12), tzinfo=self.zone)
            end = dt.datetime.combine(end_day, dt.time(12), tzinfo=self.zone)
            late = self.known[key] = max(0, working_days_between(start, end))
        return late


def _case_values() -> Iterator[tuple]:
    """The public cases' values in primary-key order, a page of CHUNK_SIZE at a time by keyset
    (`pk > last`): memory stays flat whether or not the connection allows server-side cursors
    (PgBouncer in transaction mode does not), and each page is one index range scan. Read from
    the replica when there is one."""
    query = (
        public_cases()
        .annotate(contractor_pk=current_contractor_id())
        .order_by("pk")
        .values_list("pk", *_CASE_FIELDS)
    )
    last = 0
    with replica_reads():
        while True:
            page = list(query.filter(pk__gt=last)[:CHUNK_SIZE])
            for row in page:
                yield row[1:]
            if len(page) < CHUNK_SIZE:
                return
            last = page[-1][0]


def case_rows(now: dt.datetime) -> Iterator[dict[str, object]]:
    """One dict per public case, keyed by COLUMN_NAMES, oldest case first."""
    zone = local_zone()
    categories, districts, departments = _names(Category), _names(District), _names(Department)
    regions = dict(Region.objects.values_list("pk", "code"))
    contractors = {
        pk: (name, bin_)
        for pk, name, bin_ in Contractor.objects.values_list("pk", "legal_name", "bin")
    }
    lateness = _Lateness(now.astimezone(zone).date())
    empty = ("", "", "", "")
    for (
        code,
        latitude,
        longitude,
        category_id,
        state,
        received_at,
        closed_at,
        due_at,
        region_id,
        district_id,
        department_id,
        contractor_pk,
    ) in _case_values():
        category = categories.get(category_id, empty)
        district = districts.get(district_id, empty)
        department = departments.get(department_id, empty) if department_id else empty
        contractor = contractors.get(contractor_pk, ("", "")) if contractor_pk else ("", "")
        yield {
            "tracking_code": code,
            "latitude": latitude,
            "longitude": longitude,
            "category_code": category[0],
            "category_kk": category[1],
            "category_ru": category[2],
            "category_en": category[3],
            "state": state,
            "received_on": received_at.astimezone(zone).date().isoformat(),
            "closed_on": closed_at.astimezone(zone).date().isoformat() if closed_at else "",
            "due_on": due_at.astimezone(zone).date().isoformat() if due_at else "",
            "working_days_late": lateness(due_at, closed_at),
            "region_code": regions.get(region_id, ""),
            "district_code": district[0],
            "district_kk": district[1],
            "district_ru": district[2],
            "district_en": district[3],
            "department_code": department[0],
            "department_kk": department[1],
            "department_ru": department[2],
            "department_en": department[3],
            "contractor": contractor[0],
            "contractor_bin": contractor[1],
        }


def csv_cell(value: object) -> str:
    return "" if value is None else str(value)


def geojson_feature(row: dict[str, object]) -> str:
    latitude, longitude = row["latitude"], row["longitude"]
    geometry = (
        {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
        if latitude is not None and longitude is not None
        else None
    )
    feature = {
        "type": "Feature",
        "id": row["tracking_code"],
        "geometry": geometry,
        "properties": {name: row[name] for name in PROPERTY_NAMES},
    }
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
