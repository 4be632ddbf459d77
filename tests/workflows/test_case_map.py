"""The staff map of cases (/staff/map/, /staff/map/data/): the user's scope in every point and
every cluster's count, non-public categories included, the case list's own filters and totals,
and bad input refused with a clear JSON error in the user's language."""

import re

import pytest

from casework.models import Case, CaseEvent, Category

pytestmark = pytest.mark.django_db

PAGE = "/staff/map/"
DATA = "/staff/map/data/"
WORLD = "bbox=-180,-90,180,90"


@pytest.fixture
def spread(world):
    """Cases in A1 (one in a non-public category, one corruption report), A2 and B1, each at a
    point of its own."""
    internal = Category.objects.create(
        code="internal", name_kk="Ішкі", name_ru="Внутреннее", name_en="Internal", public=False
    )

    def at(n, **kw):
        return {"latitude": f"{50.28 + n * 0.01:.6f}", "longitude": f"{57.16 + n * 0.01:.6f}", **kw}

    a1 = [world.case(title=f"Яма {n}", **at(n)) for n in range(2)]
    assigned = world.advance(world.case(title="Бордюр", **at(3)), "assigned")
    hidden = world.advance(world.case(title="Закрытая", category=internal, **at(4)), "assigned")
    corruption = world.case(title="Взятка", category=world.corruption, **at(5))
    a2 = world.case(district=world.a2, title="Люк", **at(6))
    b1 = world.case(district=world.b1, title="Тараз", latitude="42.900000", longitude="71.370000")
    return {
        "a1": a1,
        "assigned": assigned,
        "hidden": hidden,
        "corruption": corruption,
        "a2": a2,
        "b1": b1,
        "internal": internal,
    }


def data(client, query: str, **headers):
    return client.get(f"{DATA}?{query}", **headers)


def codes_on_map(client, query: str = "show=all") -> set[str]:
    """Every case the map shows at the closest zoom (every case its own point)."""
    response = data(client, f"{query}&{WORLD}&zoom=19")
    assert response.status_code == 200, response.content
    features = response.json()["features"]
    assert {f["properties"]["kind"] for f in features} <= {"case"}
    return {f["properties"]["code"] for f in features}


def count_on_map(client, query: str = "show=all", zoom: int = 2) -> int:
    body = data(client, f"{query}&{WORLD}&zoom={zoom}").json()
    counted = sum(f["properties"]["count"] for f in body["features"])
    per_state = sum(
        sum(f["properties"]["states"].values())
        for f in body["features"]
        if f["properties"]["kind"] == "cluster"
    ) + sum(1 for f in body["features"] if f["properties"]["kind"] == "case")
    assert counted == body["total"] == per_state
    return counted


def test_each_role_sees_exactly_its_scope_in_points_and_in_cluster_counts(client, world, spread):
    a1 = {c.tracking_code for c in spread["a1"]}
    a1 |= {spread["assigned"].tracking_code, spread["hidden"].tracking_code}
    corruption = spread["corruption"].tracking_code
    department = {spread["assigned"].tracking_code, spread["hidden"].tracking_code}
    a2, b1 = spread["a2"].tracking_code, spread["b1"].tracking_code
    expected = {
        "clerk": a1 | {corruption},
        "clerk_a2": {a2},
        "officer": department,
        "inspector": department,
        "officer_build": set(),
        "inspector_a2": set(),
        "investigator": a1 | {corruption, a2},
        "manager": a1 | {corruption, a2},
        "investigator_b": {b1},
        "manager_b": {b1},
    }
    for name, codes in expected.items():
        client.force_login(world.users[name])
        assert codes_on_map(client) == codes, name
        assert count_on_map(client) == len(codes), name
        assert count_on_map(client, zoom=8) == len(codes), name
        listed = {row["code"] for row in data(client, f"show=all&{WORLD}&zoom=2").json()["list"]}
        assert listed == codes, name


def test_contractors_are_refused_the_map_and_its_data(client, world, spread):
    world.advance(world.case(), "contractor_notified")
    client.force_login(world.contractor_user)
    assert client.get(PAGE).status_code == 403
    response = data(client, f"{WORLD}&zoom=3")
    assert response.status_code == 403
    assert response.json()["error"]


def test_a_user_without_a_staff_role_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert data(client, f"{WORLD}&zoom=3").status_code == 403


def test_non_public_categories_are_on_the_staff_map(client, world, spread):
    client.force_login(world.officer)
    hidden = spread["hidden"].tracking_code
    assert hidden in codes_on_map(client, f"category={spread['internal'].pk}")
    client.force_login(world.investigator)
    assert spread["corruption"].tracking_code in codes_on_map(client)


def case_list_total(client, query: str) -> int:
    response = client.get(f"/staff/cases/?{query}")
    assert response.status_code == 200
    found = re.search(r'id="case-total">\D*(\d+)', response.content.decode())
    return int(found.group(1)) if found else 0


def test_the_map_counts_what_the_case_list_counts_for_the_same_query(client, world, spread):
    client.force_login(world.investigator)
    queries = [
        "",
        "show=all",
        "show=closed",
        "show=state:assigned",
        "q=Яма",
        f"district={world.a2.pk}",
        f"department={world.dep_a1.pk}&show=all",
        f"category={world.corruption.pk}&show=all",
        "show=all&sort=-code",
    ]
    seen = set()
    for query in queries:
        total = case_list_total(client, query)
        assert count_on_map(client, query) == total, query
        assert count_on_map(client, query, zoom=19) == total, query
        seen.add(total)
    assert len(seen) > 3  # the filters really select different cases


def test_a_case_without_a_point_is_named_on_the_page_not_on_the_map(client, world, spread):
    world.case(latitude=None, longitude=None, address="ул. Абая, 1")
    client.force_login(world.clerk)
    page = client.get(PAGE).content.decode()
    assert 'id="map-unplaced"' in page
    assert count_on_map(client, "") == case_list_total(client, "") - 1


@pytest.mark.parametrize(
    "query, bad",
    [
        ("bbox=1,2,3&zoom=5", {"bbox"}),
        ("bbox=a,b,c,d&zoom=5", {"bbox"}),
        ("bbox=-200,0,10,10&zoom=5", {"bbox"}),
        ("bbox=0,-100,10,10&zoom=5", {"bbox"}),
        ("bbox=10,0,0,10&zoom=5", {"bbox"}),
        ("bbox=0,0,10,10&zoom=20", {"zoom"}),
        ("bbox=0,0,10,10&zoom=-1", {"zoom"}),
        ("bbox=0,0,10,10", {"zoom"}),
        ("zoom=3", {"bbox"}),
        ("bbox=0,0,10,10&zoom=3&show=nonsense", {"show"}),
        ("bbox=0,0,10,10&zoom=3&category=999999", {"category"}),
        ("bbox=0,0,10,10&zoom=99&sort=nope", {"zoom", "sort"}),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_changes_nothing(client, world, query, bad):
    case = world.case()
    events = CaseEvent.objects.count()
    client.force_login(world.clerk)
    response = data(client, query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] and set(body["errors"]) == bad
    assert all(messages and all(messages) for messages in body["errors"].values())
    assert CaseEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).state == case.state


def test_errors_and_the_summary_speak_the_users_language(client, world, spread):
    client.force_login(world.clerk)
    kazakh = data(client, "bbox=10,0,0,10&zoom=25", HTTP_ACCEPT_LANGUAGE="kk")
    assert kazakh.status_code == 400
    assert "аралығындағы бүтін сан" in kazakh.json()["errors"]["zoom"][0]
    assert "Картаның кейбір" in kazakh.json()["error"]
    russian = data(client, f"show=all&{WORLD}&zoom=3", HTTP_ACCEPT_LANGUAGE="ru")
    assert russian.json()["summary"] == "5 дел в этой части карты."


def test_the_case_list_links_to_the_map_with_its_query_and_back(client, world, spread):
    client.force_login(world.investigator)
    query = f"show=all&district={world.a1.pk}"
    page = client.get(f"/staff/cases/?{query}").content.decode()
    assert f'id="case-map-link" href="{PAGE}?show=all&amp;district={world.a1.pk}"' in page
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-query="show=all&amp;district={world.a1.pk}"' in html
    assert f'id="case-list-link" href="/staff/cases/?show=all&amp;district={world.a1.pk}"' in html
    assert "js/staff-map.js" in html and "<script>" not in html
    # The map opens on the filtered cases (A1 around Aktobe), not on the whole country.
    extent = re.search(r'data-extent="([^"]+)"', html).group(1)
    west, south, east, north = (float(v) for v in extent.split(","))
    assert 57.1 < west <= east < 57.3 and 50.2 < south <= north < 50.4


def test_the_page_with_bad_filters_answers_400_with_the_form(client, world):
    client.force_login(world.clerk)
    response = client.get(f"{PAGE}?show=nonsense")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
