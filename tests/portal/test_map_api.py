"""The public map's data (/api/public/map/, /api/public/map/figures/): the GeoJSON contract,
bad input refused with field errors, the grid aggregate kept current by PostgreSQL, ETags, and
non-public categories and corruption reports absent from every public endpoint."""

import json

import pytest
from django.db import connection

from casework.models import Case, CaseMapCell, Category
from casework.states import CaseState

pytestmark = pytest.mark.django_db

DATA = "/api/public/map/"
FIGURES = "/api/public/map/figures/"
WORLD = "bbox=-180,-90,180,90"


def at(n: int, **kw) -> dict:
    return {"latitude": f"{50.28 + n * 0.01:.6f}", "longitude": f"{57.16 + n * 0.01:.6f}", **kw}


@pytest.fixture
def spread(world):
    internal = Category.objects.create(
        code="internal", name_kk="Ішкі", name_ru="Внутреннее", name_en="Internal", public=False
    )
    public = [world.case(title=f"Яма {n}", **at(n)) for n in range(3)]
    assigned = world.advance(world.case(title="Бордюр", **at(3)), "assigned")
    # The hidden ones stand on the same points as public ones: a count would show them.
    hidden = world.case(title="Закрытая", category=internal, **at(0))
    corruption = world.case(title="Взятка", category=world.corruption, **at(1))
    b1 = world.case(district=world.b1, title="Тараз", latitude="42.900000", longitude="71.370000")
    return {
        "public": public,
        "assigned": assigned,
        "hidden": hidden,
        "corruption": corruption,
        "b1": b1,
        "internal": internal,
    }


def get(client, query: str, **headers):
    return client.get(f"{DATA}?{query}", **headers)


def total_and_codes(body: dict) -> tuple[int, set[str], int]:
    codes = {f["properties"]["code"] for f in body["features"] if f["properties"]["kind"] == "case"}
    counted = sum(f["properties"]["count"] for f in body["features"])
    return body["total"], codes, counted


def test_contract_clusters_when_zoomed_out_and_cases_when_zoomed_in(client, spread):
    body = get(client, f"{WORLD}&zoom=2").json()
    assert body["type"] == "FeatureCollection"
    assert body["total"] == 5
    assert all(f["properties"]["kind"] in ("cluster", "case") for f in body["features"])
    clusters = [f for f in body["features"] if f["properties"]["kind"] == "cluster"]
    assert clusters and sum(sum(c["properties"]["states"].values()) for c in clusters) == sum(
        c["properties"]["count"] for c in clusters
    )
    assert clusters[0]["properties"]["states"] == {"assigned": 1, "received": 3}

    near = get(client, "bbox=57.1,50.2,57.3,50.4&zoom=18").json()
    cases = [f for f in near["features"] if f["properties"]["kind"] == "case"]
    assert len(cases) == 4 and all(f["properties"]["count"] == 1 for f in cases)
    props = cases[0]["properties"]
    code = spread["public"][0].tracking_code
    mine = next(f["properties"] for f in cases if f["properties"]["code"] == code)
    assert mine["url"] == f"/cases/{code}/"
    assert mine["category"] == "Яма" and mine["label"] and mine["received"]
    # Nothing the citizen wrote: it may name people.
    for key in ("title", "description", "address"):
        assert key not in props
    assert "Яма 0" not in json.dumps(near, ensure_ascii=False)
    assert {row["code"] for row in near["list"]} == {f["properties"]["code"] for f in cases}


def test_answer_stays_under_two_thousand_features(client, world):
    for n in range(30):
        world.case(latitude=f"{43 + n * 0.3:.6f}", longitude=f"{50 + n * 1.1:.6f}")
    body = get(client, f"{WORLD}&zoom=19").json()
    assert len(body["features"]) <= 2000 and body["total"] == 30


@pytest.mark.parametrize(
    "query, field",
    [
        ("zoom=5", "bbox"),
        (f"{WORLD}", "zoom"),
        (f"{WORLD}&zoom=20", "zoom"),
        ("bbox=1,2,3&zoom=5", "bbox"),
        ("bbox=10,0,5,1&zoom=5", "bbox"),
        (f"{WORLD}&zoom=5&state=under_review", "state"),
        (f"{WORLD}&zoom=5&category=999999", "category"),
        (f"{WORLD}&zoom=5&district=abc", "district"),
        (f"{WORLD}&zoom=5&received_from=2026-13-01", "received_from"),
        (f"{WORLD}&zoom=5&received_from=2026-05-02&received_to=2026-05-01", "received_to"),
    ],
)
def test_bad_parameters_are_refused_with_the_field_named(client, spread, query, field):
    events = spread["public"][0].event_seq
    response = get(client, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert isinstance(response.json()["errors"][field], str)
    assert Case.objects.get(pk=spread["public"][0].pk).event_seq == events


def test_non_public_category_is_refused_as_a_filter(client, spread):
    response = get(client, f"{WORLD}&zoom=5&category={spread['internal'].pk}")
    assert response.status_code == 400 and "category" in response.json()["errors"]


def test_filters_select_cases(client, spread, world):
    def codes(query: str) -> set[str]:
        return total_and_codes(get(client, f"bbox=40,40,80,55&zoom=18&{query}").json())[1]

    assigned = spread["assigned"].tracking_code
    assert codes("state=assigned") == {assigned}
    assert codes(f"district={world.b1.pk}") == {spread["b1"].tracking_code}
    assert codes("received_from=2000-01-01&received_to=2000-01-02") == set()
    assert len(codes("received_from=2000-01-01")) == 5
    assert codes("again=on") == set()
    assert codes("warranty=on") == set()
    verified = world.advance(world.case(**at(7)), "verified")
    assert codes("warranty=on") == {verified.tracking_code}


def test_reopened_case_is_repaired_and_complained_about_again(client, world):
    from casework import services

    case = world.advance(world.case(**at(2)), "verified")
    world.case(**at(4))
    services.case_reopen(case, actor=world.clerk, reason="Яма снова появилась.")
    body = get(client, "bbox=57,50,58,51&zoom=18&again=1").json()
    assert total_and_codes(body)[1] == {case.tracking_code}


def _every_public_answer(client, spread) -> list[str]:
    """Every public endpoint the portal's map adds, at every kind of view."""
    texts = []
    for zoom in (0, 3, 7, 12, 15, 17, 18, 19):
        for query in (WORLD, "bbox=57.1,50.2,57.3,50.4", "bbox=57.159,50.279,57.161,50.281"):
            body = get(client, f"{query}&zoom={zoom}").json()
            total, codes, counted = total_and_codes(body)
            assert counted <= total or zoom < 18
            texts.append(json.dumps(body, ensure_ascii=False))
            for f in body["features"]:
                states = f["properties"].get("states", {})
                assert not set(states) & {"under_review", "referred", "answered"}
    for query in (WORLD, "bbox=57.1,50.2,57.3,50.4"):
        texts.append(client.get(f"{FIGURES}?{query}").content.decode())
    for path in ("/", "/map/", "/search/?q=ул", "/search/?q=Яма"):
        texts.append(client.get(path, follow=True).content.decode())
    return texts


def test_search_by_a_hidden_tracking_code_finds_nothing(client, spread):
    for case in (spread["hidden"], spread["corruption"]):
        response = client.get("/search/", {"q": case.tracking_code})
        assert response.status_code == 200
        assert f"/cases/{case.tracking_code}/" not in response.content.decode()


def test_hidden_cases_appear_in_no_pin_count_or_total_of_any_public_endpoint(client, spread):
    texts = _every_public_answer(client, spread)
    for case in (spread["hidden"], spread["corruption"]):
        assert not any(case.tracking_code in text for text in texts)
    body = get(client, f"{WORLD}&zoom=0").json()
    assert body["total"] == 5
    assert sum(f["properties"]["count"] for f in body["features"]) == 5
    figures = client.get(f"{FIGURES}?bbox=57.1,50.2,57.3,50.4").json()
    assert figures["received"] == 4  # A1's public cases, this month


def test_month_figures_for_the_district_in_view(client, spread, world):
    world.advance(world.case(**at(5)), "verified")
    body = client.get(f"{FIGURES}?bbox=57.1,50.2,57.3,50.4").json()
    assert body["district"]["id"] == world.a1.pk
    assert (body["received"], body["repaired"], body["overdue"]) == (5, 1, 0)
    assert client.get(f"{FIGURES}?bbox=1,2").status_code == 400


def test_etag_gives_304_until_a_case_in_the_area_changes(client, spread, world):
    query = "bbox=57.1,50.2,57.3,50.4&zoom=12"
    first = get(client, query)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = get(client, query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    russian = get(client, query, HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=first["ETag"])
    english = get(client, query, HTTP_ACCEPT_LANGUAGE="en")
    assert russian["ETag"] != english["ETag"] or russian.status_code == 200
    world.advance(Case.objects.get(pk=spread["public"][1].pk), "assigned")
    changed = get(client, query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_a_change_elsewhere_keeps_the_etag_on_postgresql(client, spread, world, requires_postgres):
    query = "bbox=57.1,50.2,57.3,50.4&zoom=12"
    first = get(client, query)
    world.advance(Case.objects.get(pk=spread["b1"].pk), "assigned")  # Taraz, far away
    assert get(client, query, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def _cells(level: int) -> dict:
    rows = CaseMapCell.objects.filter(level=level, n__gt=0)
    return {(r.cx, r.cy, r.state, r.category_id, r.district_id): r.n for r in rows}


def test_trigger_keeps_the_cells_current(spread, world, requires_postgres):
    top = _cells(0)
    assert sum(top.values()) == 7  # every case with a point, hidden ones too (filtered on read)
    case = Case.objects.get(pk=spread["public"][0].pk)
    world.advance(case, "assigned")
    after = _cells(17)
    assert sum(n for key, n in after.items() if key[2] == "assigned") == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT casework_case_map_cells_rebuild()")
    assert _cells(17) == after


def test_counted_cells_agree_with_grouping_the_cases(client, spread, requires_postgres):
    for zoom in (0, 4, 8, 12, 16):
        counted = get(client, f"{WORLD}&zoom={zoom}").json()
        grouped = get(client, f"{WORLD}&zoom={zoom}&received_from=2000-01-01").json()
        assert counted["total"] == grouped["total"] == 5
        key = lambda f: (f["properties"]["kind"], f["properties"]["count"])  # noqa: E731
        assert sorted(map(key, counted["features"])) == sorted(map(key, grouped["features"]))
        assert total_and_codes(counted)[1] == total_and_codes(grouped)[1]


def test_state_filter_and_category_filter_read_the_cells(client, spread, requires_postgres):
    body = get(client, f"{WORLD}&zoom=3&state={CaseState.ASSIGNED}").json()
    assert body["total"] == 1
    body = get(client, f"{WORLD}&zoom=3&category={spread['public'][0].category_id}").json()
    assert body["total"] == 5
