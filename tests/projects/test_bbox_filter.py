"""The map's bbox filter (the JSON twin, `projects_filtered`): exactly the projects whose
geometry's bounding box meets the query box, edges included; on PostgreSQL through its GiST
index, without the box operators' tolerance."""

import pytest
from django.db import connection

from projects.selectors import ProjectFilters, projects_filtered
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db

# A street-sized box in Aktobe: west, south, east, north.
BOX = (57.150, 50.250, 57.156, 50.254)
HAIR = 5e-7  # under the 1e-6 degrees PostgreSQL's box operators let pass


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def square(west, south, east, north):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


STREET = {
    "inside": (square(57.152, 50.251, 57.153, 50.252), True),
    # Crosses the box from west to east; both its vertices are outside.
    "crossing-line": (line((57.140, 50.252), (57.170, 50.2521)), True),
    "crossing-diagonal": (line((57.149, 50.249), (57.157, 50.255)), True),
    "covering-the-box": (square(57.10, 50.20, 57.20, 50.30), True),
    # Its box meets the query box, the line itself passes north-west of it: a box filter.
    "box-only": (line((57.140, 50.2535), (57.1535, 50.270)), True),
    "north-of": (square(57.151, 50.2541, 57.152, 50.255), False),
    "far": (point(57.300, 50.400), False),
}
EDGES = {
    "touching-west": (square(57.149, 50.251, 57.150, 50.252), True),
    "corner-point": (point(57.156, 50.254), True),
    "along-south-edge": (line((57.140, 50.250), (57.170, 50.250)), True),
    "east-by-a-hair": (square(57.156 + HAIR, 50.251, 57.157, 50.252), False),
    "south-by-a-hair": (line((57.140, 50.250 - HAIR), (57.170, 50.250 - HAIR)), False),
    "north-by-a-hair": (point(57.153, 50.254 + HAIR), False),
}


@pytest.mark.parametrize("case", [STREET, EDGES], ids=["street", "edges"])
def test_bbox_filter_returns_exactly_the_projects_whose_box_meets_it(client, world, case):
    for code, (geometry, _) in case.items():
        make_project(world, code=code, geometry=geometry)
    expected = sorted(code for code, (_, meets) in case.items() if meets)

    found = projects_filtered(ProjectFilters(bbox=BOX)).order_by("code")
    assert [p.code for p in found] == expected
    # The stored boxes say the same (the filter compares them, not the drawn shapes).
    west, south, east, north = BOX
    assert [p.code for p in found] == sorted(
        p.code
        for p in projects_filtered(ProjectFilters())
        if p.min_lon <= east and p.max_lon >= west and p.min_lat <= north and p.max_lat >= south
    )
    twin = client.get("/api/public/projects/", {"bbox": ",".join(str(v) for v in BOX)}).json()
    assert [f["properties"]["code"] for f in twin["features"]] == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index is PostgreSQL's")
def test_postgresql_reads_the_bbox_filter_from_its_gist_index(world):
    make_project(world, code="inside", geometry=STREET["inside"][0])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
    plan = projects_filtered(ProjectFilters(bbox=BOX)).explain()
    assert "project_bbox_gist" in plan, plan
