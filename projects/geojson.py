"""The GeoJSON twin's features as JSON text.

Every feature carries kind="project", count=1, code, title (kk or ru), status and the public
page's url. On PostgreSQL the database writes each feature's JSON itself, so the stored geometry
is never decoded into Python and encoded again: at a street box of a dense registry that round
trip was most of what grew with the answer. Elsewhere (SQLite) Python builds the same features.
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# `projects_project` is the base table of every filtered queryset, unaliased.
_FEATURE_SQL = (
    "json_build_object('type', 'Feature', 'geometry', projects_project.geometry, "
    "'properties', json_build_object('kind', 'project', 'count', 1, "
    "'code', projects_project.code, 'title', projects_project.{title}, "
    "'status', projects_project.status, 'url', %s || projects_project.code || %s))::text"
)


def features_json(projects: QuerySet, *, kk: bool, url_around: tuple[str, str]) -> list[str]:
    """Each project's Feature as JSON text, in code order. `url_around` is the page url before
    and after the code."""
    before, after = url_around
    title = "title_kk" if kk else "title_ru"
    ordered = projects.order_by("code")
    if connection.vendor == "postgresql":
        # The column name is one of two constants; the url parts go in as parameters.
        sql = RawSQL(_FEATURE_SQL.format(title=title), (before, after))  # noqa: S611
        return list(ordered.annotate(feature=sql).values_list("feature", flat=True))
    return features_python(ordered, kk=kk, url_around=url_around)


def features_python(projects: QuerySet, *, kk: bool, url_around: tuple[str, str]) -> list[str]:
    """The same features built in Python (SQLite; and the reference the tests compare with)."""
    before, after = url_around
    title = "title_kk" if kk else "title_ru"
    rows = projects.order_by("code").values_list("code", title, "status", "geometry")
    return [
        json.dumps(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": "project",
                    "count": 1,
                    "code": code,
                    "title": name,
                    "status": status,
                    "url": f"{before}{code}{after}",
                },
            },
            ensure_ascii=False,
        )
        for code, name, status, geometry in rows
    ]


def feature_collection(features: list[str]) -> str:
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"
