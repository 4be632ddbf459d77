"""The map's bounding-box filter in SQL: the projects whose stored box (min_lon, min_lat,
max_lon, max_lat) meets a query box, edges included.

Four plain comparisons decide, on every database. On PostgreSQL a box overlap (`&&`) is added
in front of them so that the GiST index `project_bbox_gist` (migration 0040) finds the few
candidates: with btree indexes alone PostgreSQL reads about half of an index for a street-sized
box, whatever the box. The comparisons stay because PostgreSQL's box operators compare with a
tolerance of 1e-6 degrees, which would let in a project a few centimetres outside the box.
"""

from __future__ import annotations

from django.db.models import BooleanField, Expression, F

COLUMNS = ("min_lon", "min_lat", "max_lon", "max_lat")


class BoxMeets(Expression):
    """A condition: the row's bounding box meets `bbox` = (west, south, east, north)."""

    output_field = BooleanField()

    def __init__(self, bbox: tuple[float, float, float, float]):
        super().__init__()
        self.bbox = tuple(float(v) for v in bbox)
        self.columns = [F(name) for name in COLUMNS]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def _columns(self, compiler) -> list[tuple[str, list]]:
        return [compiler.compile(column) for column in self.columns]

    def as_sql(self, compiler, connection):
        (min_lon, p1), (min_lat, p2), (max_lon, p3), (max_lat, p4) = self._columns(compiler)
        west, south, east, north = self.bbox
        sql = f"({min_lon} <= %s AND {max_lon} >= %s AND {min_lat} <= %s AND {max_lat} >= %s)"
        return sql, [*p1, east, *p3, west, *p2, north, *p4, south]

    def as_postgresql(self, compiler, connection):
        (min_lon, p1), (min_lat, p2), (max_lon, p3), (max_lat, p4) = self._columns(compiler)
        exact, exact_params = self.as_sql(compiler, connection)
        west, south, east, north = self.bbox
        # Written as the index's expression is, so that the planner uses the index.
        overlap = (
            f"box(point({min_lon}, {min_lat}), point({max_lon}, {max_lat}))"
            " && box(point(%s, %s), point(%s, %s))"
        )
        params = [*p1, *p2, *p3, *p4, west, south, east, north, *exact_params]
        return f"({overlap} AND {exact})", params
