"""The ratings' pages: public list, person, method, CSV; staff list with drill-down; bad input
gets 400 and no complainant data appears anywhere."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from ratings.figures import figures_refresh
from tests.ratings.conftest import RatingsWorld

pytestmark = pytest.mark.django_db

COMPLAINANT = ("Айгүл Сейтқали", "+77011234567", "77011234567")


@pytest.fixture
def rated(rw: RatingsWorld, settings) -> RatingsWorld:
    settings.RATINGS_MIN_CASES = 2
    figures_refresh(rw.month_first.year)
    return rw


def month(rw: RatingsWorld) -> dict[str, str]:
    return {"kind": "month", "period": rw.month_first.strftime("%Y-%m")}


def assert_no_complainant(body: str) -> None:
    for text in COMPLAINANT:
        assert text not in body


def test_public_list_shows_ranked_officials_by_group_without_personal_data(rated, client):
    response = client.get("/ratings/", month(rated))
    assert response.status_code == 200
    body = response.content.decode()
    for person in (rated.ahmet, rated.bolat, rated.dana, rated.erzhan, rated.farida):
        assert person.full_name in body
    assert "Not enough data" in body or "Недостаточно данных" in body or "Деректер" in body
    assert "/staff/cases/" not in body  # no drill-down in public
    assert_no_complainant(body)


def test_public_list_filters_by_group_and_region(rated, client):
    response = client.get("/ratings/", {**month(rated), "group": "region_akim"})
    body = response.content.decode()
    assert rated.erzhan.full_name in body and rated.dana.full_name not in body
    response = client.get("/ratings/", {**month(rated), "region": rated.region_b_post.region_id})
    body = response.content.decode()
    assert rated.farida.full_name in body and rated.erzhan.full_name not in body


@pytest.mark.parametrize(
    "query, field",
    [
        ({"kind": "week"}, "kind"),
        ({"kind": "month", "period": "2026-13"}, "period"),
        ({"kind": "quarter", "period": "2026-07"}, "period"),
        ({"group": "mayors"}, "group"),
        ({"region": "abc"}, "region"),
    ],
)
def test_bad_filters_get_400_with_the_field_named(rated, client, query, field):
    response = client.get("/ratings/", query)
    assert response.status_code == 400
    assert f'id="id_{field}"' in response.content.decode()
    assert response.context["form"].errors.get(field)
    assert client.get("/ratings/export.csv", query).status_code == 400


def test_person_page_shows_posts_chart_and_rank_history(rated, client):
    response = client.get(f"/ratings/people/{rated.bolat.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<polyline" in body
    assert rated.head_post.title_en in body or rated.head_post.title_ru in body
    assert rated.month_first.strftime("%Y-%m") in body
    assert_no_complainant(body)
    assert client.get("/ratings/people/999999/").status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_method_page_in_each_language_names_the_weights(client, db, language):
    response = client.get("/ratings/method/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert "(v·R + m·C) / (v + m)" in body
    assert ">30<" in body  # on time weighs 30 %
    assert f'lang="{language}"' in body


def test_csv_has_the_documented_columns_and_one_row_per_figure(rated, client):
    response = client.get("/ratings/export.csv", month(rated))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["person"] for r in rows} == {
        p.full_name for p in (rated.ahmet, rated.bolat, rated.dana, rated.erzhan, rated.farida)
    }
    from ratings.views import CSV_COLUMNS

    assert list(rows[0].keys()) == [name for name, _doc in CSV_COLUMNS]
    farida = next(r for r in rows if r["person"] == rated.farida.full_name)
    assert farida["rank"] == "" and farida["closed"] == "1"
    assert_no_complainant(response.content.decode())


def test_staff_list_drills_down_to_the_cases_and_is_for_managers_only(rated, world):
    anonymous = Client()
    assert anonymous.get("/staff/ratings/").status_code == 302
    clerk = Client()
    clerk.force_login(world.clerk)
    assert clerk.get("/staff/ratings/", month(rated)).status_code == 404
    manager = Client()
    manager.force_login(world.manager)
    response = manager.get("/staff/ratings/", month(rated))
    assert response.status_code == 200
    body = response.content.decode()
    code = rated.month_first.strftime("%Y-%m")
    drill = f"/staff/ratings/posts/{rated.head_post.pk}/{code}/?measure=closed&amp;person="
    assert f"{drill}{rated.ahmet.pk}" in body and f"{drill}{rated.bolat.pk}" in body
    assert_no_complainant(body)
    page = manager.get(f"/staff/ratings/people/{rated.ahmet.pk}/")
    assert page.status_code == 200 and f"{drill}{rated.ahmet.pk}" in page.content.decode()
    # The drill-down lists the closings counted for the holder in the month.
    cases = manager.get(
        f"/staff/ratings/posts/{rated.head_post.pk}/{code}/",
        {"measure": "closed", "person": rated.ahmet.pk},
    )
    assert cases.status_code == 200
    assert rated.cases["on_time"].tracking_code in cases.content.decode()
