"""Reads for the ratings' pages: the materialised figures only (a fixed number of queries
whatever the number of cases)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from casework.models import Category, Region
from oversight.models import Occupancy, Person
from ratings.figures import AKIMS, REGION_AKIMS
from ratings.formula import COMPONENTS, wilson
from ratings.measures import RATED_KINDS
from ratings.models import RatingFigure
from ratings.periods import Period, period_of


def figures_in(
    period: Period, *, peer_group: str | None = None, region_id: int | None = None
) -> QuerySet[RatingFigure]:
    rows = RatingFigure.objects.filter(period_kind=period.kind, period_start=period.first)
    if peer_group:
        rows = rows.filter(peer_group=peer_group)
    if region_id:
        rows = rows.filter(region_id=region_id)
    return rows.select_related("person", "position", "region").order_by(
        "peer_group", "rank", "-score", "person__full_name", "id"
    )


def latest_period(kind: str) -> Period | None:
    first = (
        RatingFigure.objects.filter(period_kind=kind)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return period_of(kind, first) if first else None


def peer_group_label(code: str) -> str:
    if code == REGION_AKIMS:
        return _("Akims of regions")
    if code == AKIMS:
        return _("Akims of cities and districts")
    sector = code.removeprefix("head:")
    category = Category.objects.filter(code=sector, public=True).first()
    name = category.name if category else sector
    return _("Heads of departments: %(sector)s") % {"sector": name}


def peer_group_choices() -> list[tuple[str, str]]:
    codes = RatingFigure.objects.order_by("peer_group").values_list("peer_group", flat=True)
    return [(code, peer_group_label(code)) for code in dict.fromkeys(codes)]


def region_choices() -> list[tuple[int, str]]:
    return [(r.pk, r.name) for r in Region.objects.order_by("code")]


@dataclass(frozen=True)
class Shown:
    """A proportion with its Wilson 95 % interval, in percent."""

    count: int
    n: int

    @property
    def percent(self) -> int | None:
        return None if not self.n else round(100 * self.count / self.n)

    @property
    def interval(self) -> tuple[int, int] | None:
        bounds = wilson(self.count, self.n)
        return None if bounds is None else (round(100 * bounds[0]), round(100 * bounds[1]))


def shown(figure: RatingFigure) -> dict[str, Shown]:
    return {
        "on_time": Shown(figure.on_time, figure.closed),
        "overdue": Shown(figure.overdue_end, figure.open_end),
        "reopened": Shown(figure.reopened, figure.verified),
        "failed": Shown(figure.failed, figure.verified),
        "warranty": Shown(figure.warranty, figure.verified),
        "repeat": Shown(figure.repeat, figure.closed),
    }


def component_label(code: str) -> str:
    for component in COMPONENTS:
        if component.code == code:
            return str(component.label)
    return code


def person_figures(person: Person, kind: str) -> list[RatingFigure]:
    return list(
        RatingFigure.objects.filter(person=person, period_kind=kind)
        .select_related("position", "region")
        .order_by("period_start", "position_id")
    )


def rated_people() -> QuerySet[Person]:
    return Person.objects.filter(pk__in=RatingFigure.objects.values("person_id").distinct())


def posts_held(person: Person) -> list[Occupancy]:
    return list(
        Occupancy.objects.filter(person=person, position__kind__in=RATED_KINDS)
        .select_related("position", "position__region", "position__district")
        .order_by("-started_on")
    )
