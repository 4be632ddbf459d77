"""Server-side clustering of cases on a map (casework.geo_clusters): the grid maths, the contract
of the FeatureCollection, and the SQL grouping agreeing with the pure arithmetic on whichever
database runs the suite (PostgreSQL under CI, SQLite with `make run`)."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from casework import geo_clusters
from casework.geo_clusters import BBox, MapQueryError, MapView
from casework.models import Case
from casework.states import CaseState

WORLD = BBox(-180, -90, 180, 90)
KAZAKHSTAN = BBox(46.5, 40.5, 87.4, 55.5)


def describe(case):
    return {"code": case.tracking_code}


# --- the pure grid ---------------------------------------------------------------------------


def test_a_point_falls_in_the_cell_counted_from_the_south_west_corner_of_the_world():
    assert geo_clusters.grid_cell(-180, -90, 10) == (0, 0)
    assert geo_clusters.grid_cell(57.167, 50.2839, 1) == (237, 140)
    # West of and south of a cell edge, negative coordinates included.
    assert geo_clusters.grid_cell(-0.000001, -0.000001, 1) == (179, 89)
    assert geo_clusters.grid_cell(0, 0, 1) == (180, 90)


def test_cells_are_about_64_pixels_wide_at_each_zoom():
    for zoom in range(0, 20):
        size = geo_clusters.grid_cell_size(MapView(BBox(57.0, 50.0, 57.001, 50.001), zoom))
        # a tile (256 px) spans 360 / 2**zoom degrees of longitude
        assert size == pytest.approx(360 / 2**zoom / 4)


def test_a_wide_box_at_street_zoom_gets_larger_cells_never_more_than_the_cap():
    for bbox in (WORLD, KAZAKHSTAN, BBox(57.0, 50.0, 57.5, 50.3)):
        for zoom in (0, 5, 10, 15, 19):
            size = geo_clusters.grid_cell_size(MapView(bbox, zoom))
            assert geo_clusters.grid_cells_in(bbox, size) <= geo_clusters.MAX_CELLS
    # The country at zoom 19 would be millions of 64-pixel cells; it is a few hundred.
    size = geo_clusters.grid_cell_size(MapView(KAZAKHSTAN, 19))
    assert size > 360 / 2**19 / 4
    assert geo_clusters.grid_cells_in(KAZAKHSTAN, size) > geo_clusters.MAX_CELLS / 4


@pytest.mark.parametrize(
    "bbox, zoom, bad",
    [
        ("1,2,3", "5", {"bbox"}),
        ("1,2,3,4,5", "5", {"bbox"}),
        ("a,b,c,d", "5", {"bbox"}),
        ("nan,1,2,3", "5", {"bbox"}),
        ("-181,0,10,10", "5", {"bbox"}),
        ("0,-91,10,10", "5", {"bbox"}),
        ("10,0,0,10", "5", {"bbox"}),  # west east of east
        ("0,10,10,0", "5", {"bbox"}),  # south north of north
        ("0,0,10,10", "20", {"zoom"}),
        ("0,0,10,10", "-1", {"zoom"}),
        ("0,0,10,10", "3.5", {"zoom"}),
        ("0,0,10,10", "²", {"zoom"}),
        ("0,0,10,10", "1e1", {"zoom"}),
        ("0,inf,10,10", "3", {"bbox"}),
        ("", "", {"bbox", "zoom"}),
        (None, "x", {"bbox", "zoom"}),
    ],
)
def test_bad_boxes_and_zooms_are_named(bbox, zoom, bad):
    with pytest.raises(MapQueryError) as caught:
        geo_clusters.map_view_parse(bbox, zoom)
    assert set(caught.value.errors) == bad


def test_the_errors_speak_the_users_language():
    with translation.override("kk"):
        with pytest.raises(MapQueryError) as caught:
            geo_clusters.map_view_parse("10,0,0,10", "25")
    assert "zoom" in caught.value.errors
    # Kazakh, not the English source text.
    assert caught.value.errors["zoom"] != ("The zoom must be a whole number from 0 to 19.") and any(
        "\u0400" <= ch <= "\u04ff" for ch in caught.value.errors["zoom"]
    )


def test_a_good_view_is_parsed():
    view = geo_clusters.map_view_parse("46.5,40.5,87.4,55.5", "7")
    assert view == MapView(KAZAKHSTAN, 7)


# --- against the database ----------------------------------------------------------------------


def scatter(world, points, state=CaseState.RECEIVED, district=None, category=None):
    """Cases at the given points, inserted in one statement (only their place and state matter
    here; every other test makes cases through the services)."""
    district = district or world.a1
    start = Case.objects.count()
    Case.objects.bulk_create(
        Case(
            tracking_code=f"GEO-{start + n}",
            title=f"Точка {n}",
            description="",
            category=category or world.pothole,
            region=district.region,
            district=district,
            channel="web",
            state=state,
            longitude=Decimal(f"{lon:.6f}"),
            latitude=Decimal(f"{lat:.6f}"),
        )
        for n, (lon, lat) in enumerate(points)
    )
    return Case.objects.filter(tracking_code__startswith="GEO-")


def test_the_sql_grouping_matches_the_pure_grid(world):
    rng = random.Random(7)
    points = [(rng.uniform(50.0, 80.0), rng.uniform(41.0, 55.0)) for _ in range(400)]
    points += [(57.0, 50.0), (57.0, 50.0), (-0.5, -0.5), (0.0, 0.0)]  # edges, signs, doubles
    cases = scatter(world, points)
    for zoom in (3, 6, 9, 12):
        view = MapView(WORLD, zoom)
        size = geo_clusters.grid_cell_size(view)
        expected = Counter(
            geo_clusters.grid_cell(float(Decimal(f"{lon:.6f}")), float(Decimal(f"{lat:.6f}")), size)
            for lon, lat in points
        )
        got = {(row["cx"], row["cy"]): row["n"] for row in geo_clusters._cell_counts(cases, size)}
        assert got == dict(expected), (connection.vendor, zoom)


def test_clusters_when_zoomed_out_and_cases_when_zoomed_in(world):
    aktobe = [(57.16 + n * 0.001, 50.28 + n * 0.001) for n in range(5)]
    taraz = [(71.37, 42.90), (71.38, 42.91)]
    scatter(world, aktobe, state=CaseState.RECEIVED)
    scatter(world, taraz, state=CaseState.ASSIGNED, district=world.b1)
    cases = Case.objects.all()

    out = geo_clusters.cluster_collection(cases, MapView(KAZAKHSTAN, 4), describe)
    assert out["type"] == "FeatureCollection" and out["total"] == 7
    kinds = sorted((f["properties"]["kind"], f["properties"]["count"]) for f in out["features"])
    assert kinds == [("cluster", 2), ("cluster", 5)]
    by_count = {f["properties"]["count"]: f["properties"] for f in out["features"]}
    assert by_count[5]["states"] == {"received": 5}
    assert by_count[2]["states"] == {"assigned": 2}
    assert by_count[5]["bounds"] == [57.16, 50.28, 57.164, 50.284]

    # About a screen's worth at zoom 17 (1,600 cells of 64 pixels would be 2,560 pixels square).
    street = BBox(57.155, 50.275, 57.17, 50.29)
    near = geo_clusters.cluster_collection(cases, MapView(street, 17), describe)
    assert near["total"] == 5
    assert {f["properties"]["kind"] for f in near["features"]} == {"case"}
    assert sorted(f["properties"]["code"] for f in near["features"]) == sorted(
        Case.objects.filter(longitude__lt=60).values_list("tracking_code", flat=True)
    )
    feature = near["features"][0]
    assert feature["properties"]["count"] == 1 and feature["properties"]["state"] == "received"
    assert feature["geometry"]["type"] == "Point"


def test_cases_at_one_spot_split_into_cases_at_the_closest_zooms(world):
    scatter(world, [(57.167, 50.2839)] * 3)
    cases = Case.objects.all()
    box = BBox(57.16, 50.28, 57.17, 50.29)
    assert [f["properties"]["kind"] for f in geo_clusters.cluster_collection(
        cases, MapView(box, 17), describe)["features"]] == ["cluster"]  # fmt: skip
    at_18 = geo_clusters.cluster_collection(cases, MapView(box, 18), describe)["features"]
    assert [f["properties"]["kind"] for f in at_18] == ["case"] * 3


def test_never_more_than_2000_features_however_many_cases(world):
    rng = random.Random(11)
    # Spread so that nearly every case has a cell of its own at street zoom.
    points = [(rng.uniform(50.0, 80.0), rng.uniform(41.0, 55.0)) for _ in range(2600)]
    scatter(world, points)
    cases = Case.objects.all()
    for view in (MapView(KAZAKHSTAN, 19), MapView(KAZAKHSTAN, 18), MapView(WORLD, 0)):
        out = geo_clusters.cluster_collection(cases, view, describe)
        assert out["total"] == 2600
        assert len(out["features"]) <= geo_clusters.MAX_FEATURES
        assert sum(f["properties"]["count"] for f in out["features"]) == 2600


def test_cases_outside_the_box_or_without_a_point_are_not_counted(world):
    scatter(world, [(57.167, 50.2839), (71.37, 42.9)])
    world.case(latitude=None, longitude=None, address="ул. Абая, 1")
    out = geo_clusters.cluster_collection(
        Case.objects.all(), MapView(BBox(50, 45, 60, 55), 19), describe
    )
    assert out["total"] == 1
    assert geo_clusters.cases_extent(Case.objects.all()) == BBox(57.167, 42.9, 71.37, 50.2839)
    assert geo_clusters.cases_extent(Case.objects.none()) is None


def test_it_runs_on_postgresql(world, requires_postgres):
    scatter(world, [(57.167, 50.2839), (57.1671, 50.2839), (71.37, 42.9)])
    out = geo_clusters.cluster_collection(Case.objects.all(), MapView(KAZAKHSTAN, 5), describe)
    assert sorted(f["properties"]["count"] for f in out["features"]) == [1, 2]


def test_a_street_view_reads_the_place_index(world, requires_postgres):
    scatter(world, [(57.16 + n * 0.001, 50.28) for n in range(50)])
    street = geo_clusters.cases_in_bbox(Case.objects.all(), BBox(57.15, 50.25, 57.156, 50.254))
    with connection.cursor() as cursor:
        # Left with bitmap scans only, which need an index condition: the box's own.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    plan = street.explain()
    assert "case_place" in plan, plan
