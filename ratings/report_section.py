"""The ratings' section of the monthly PDF report, registered with
`reports.extra_sections.register_ratings_rows` from `RatingsConfig.ready` (reports may not
import ratings). The month's materialised figures of the posts within the report's scope."""

from __future__ import annotations

from typing import Any

from ratings import selectors
from ratings.models import RatingFigure


def report_rows(scope, period) -> list[dict[str, Any]]:
    rows = RatingFigure.objects.filter(period_kind="month", period_start=period.month)
    if scope.department is not None:
        rows = rows.filter(position__department=scope.department)
    elif scope.district is not None:
        rows = rows.filter(position__district=scope.district)
    elif scope.region is not None:
        rows = rows.filter(region=scope.region)
    if getattr(scope, "contractor", None) is not None:
        return []
    out = []
    for f in rows.select_related("person", "position").order_by(
        "peer_group", "rank", "person__full_name", "id"
    ):
        on_time = selectors.shown(f)["on_time"]
        out.append(
            {
                "group": str(selectors.peer_group_label(f.peer_group)),
                "rank": f.rank,
                "ranked": f.ranked,
                "name": f.person.full_name,
                "post": f.position.title,
                "closed": f.closed,
                "on_time_percent": on_time.percent,
                "score": None if f.score is None else round(100 * f.score),
            }
        )
    return out
