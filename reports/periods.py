"""Report periods (calendar months in local time) and scopes (region / district / department /
contractor), parsed from what a person typed and checked before any work starts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from casework import clock
from casework.deadlines import local_zone
from casework.models import Department, District, Region
from contractors.models import Contractor

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    month: dt.date  # first day of the month
    start: dt.datetime  # local midnight of the 1st
    end: dt.datetime  # local midnight of the next month's 1st, or now for the running month

    @property
    def code(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def complete(self) -> bool:
        return self.end == month_start(next_month(self.month))

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(microseconds=1)).astimezone(local_zone()).date()

    def label(self) -> str:
        return formats.date_format(self.month, "YEAR_MONTH_FORMAT")


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day.replace(day=1), dt.time(), tzinfo=local_zone())


def period_for(month: dt.date, now: dt.datetime | None = None) -> Period:
    now = now or clock.now()
    first = month.replace(day=1)
    start = month_start(first)
    if start > now:
        raise ValidationError(
            {"month": _("%(month)s is in the future.") % {"month": first.strftime("%Y-%m")}}
        )
    end = min(month_start(next_month(first)), now)
    return Period(first, start, end)


def period_parse(text: str, now: dt.datetime | None = None) -> Period:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError(
            {
                "month": _("Give the month as YYYY-MM, e.g. 2026-10 (got “%(text)s”).")
                % {"text": text}
            }
        )
    return period_for(dt.date(int(match[1]), int(match[2]), 1), now)


COUNTRY_CODE = "KZ"


@dataclass(frozen=True)
class Scope:
    """What a report covers: the whole country (no region), a region, or narrower."""

    region: Region | None = None
    district: District | None = None
    department: Department | None = None
    contractor: object | None = None  # contractors.models.Contractor

    @property
    def country(self) -> bool:
        return self.region is None

    def filters(self) -> dict[str, str]:
        """The exact filters, for the report's cover."""
        if self.region is None:
            shown = {_("Region"): _("All regions")}
        else:
            shown = {_("Region"): f"{self.region.name} ({self.region.code})"}
        if self.district:
            shown[_("District")] = f"{self.district.name} ({self.district.code})"
        if self.department:
            shown[_("Department")] = f"{self.department.name} ({self.department.code})"
        if self.contractor:
            shown[_("Contractor")] = (
                f"{self.contractor.legal_name} ({_('BIN')} {self.contractor.bin})"
            )
        return shown

    def title(self) -> str:
        narrowest = self.department or self.district or self.region
        name = narrowest.name if narrowest is not None else str(_("Kazakhstan, all regions"))
        if self.contractor:
            name = f"{name} · {self.contractor.legal_name}"
        return name

    def key(self) -> str:
        """Codes only (a contractor by its BIN): used in file names and the data hash."""
        parts = [self.region.code if self.region else COUNTRY_CODE]
        for value in (self.district, self.department):
            parts.append(value.code if value else "")
        parts.append(self.contractor.bin if self.contractor else "")
        return "/".join(parts)


def scope_build(
    *,
    region: str | Region | None = None,
    district: str | District | None = None,
    department: str | Department | None = None,
    contractor: str | int | object | None = None,
) -> Scope:
    """A scope from codes (as typed on the command line) or objects. The region may be left out
    when a district or department names it; with none of them, the scope is the whole country."""

    def lookup(model, value, field, message):
        if value in (None, "") or isinstance(value, model):
            return value or None
        found = model.objects.filter(**{field: str(value).strip()}).first()
        if found is None:
            raise ValidationError(message % {"code": value})
        return found

    dept = lookup(Department, department, "code", _("Unknown department “%(code)s”."))
    dist = lookup(District, district, "code", _("Unknown district “%(code)s”."))
    reg = lookup(Region, region, "code", _("Unknown region “%(code)s”."))
    con = None
    if contractor not in (None, ""):
        if isinstance(contractor, Contractor):
            con = contractor
        else:
            text = str(contractor).strip()
            con = Contractor.objects.filter(bin=text).first()
            if con is None and text.isdigit() and len(text) < 12:
                con = Contractor.objects.filter(pk=int(text)).first()
            if con is None:
                raise ValidationError(_("Unknown contractor “%(code)s”.") % {"code": contractor})
    if dept is not None:
        if dist is not None and dept.district_id != dist.pk:
            raise ValidationError(_("The department is not in that district."))
        dist = dist or dept.district
    if dist is not None:
        if reg is not None and dist.region_id != reg.pk:
            raise ValidationError(_("The district is not in that region."))
        reg = reg or dist.region
    # No region named, and none implied: the whole country, every region side by side.
    return Scope(reg, dist, dept, con)
