import re

import pytest

from casework import services

pytestmark = pytest.mark.django_db


def test_tracking_page_shows_public_timeline_without_personal_data(client, world):
    case = world.advance(world.case(), "contractor_notified")
    services.complainant_reveal(
        case, actor=world.officer, reason="Перезвонить заявителю: уточнить адрес дома"
    )
    response = client.get(f"/track/{case.tracking_code}/?t={case.access_token}")
    html = response.content.decode()
    assert response.status_code == 200
    assert case.tracking_code in html
    assert html.count("<li data-state") == 3  # open, assign, notify_contractor
    assert "Айгүл" not in html and "+7701" not in html
    assert "Перезвонить заявителю: уточнить адрес дома" not in html  # a reveal is internal


def test_rejection_reason_is_shown_to_the_citizen(client, world):
    case = world.advance(world.case(), "rejected")
    html = client.get(
        f"/track/{case.tracking_code.lower()}/?t={case.access_token}"
    ).content.decode()
    assert "Реклама." in html


def test_corruption_report_needs_the_access_token(client, world):
    case = world.case(category=world.corruption)
    assert client.get(f"/track/{case.tracking_code}/").status_code == 404
    assert client.get(f"/track/{case.tracking_code}/?t=wrong").status_code == 404
    assert client.get(f"/track/{case.tracking_code}/?t={case.access_token}").status_code == 200


def test_unknown_code_is_404(client, db):
    assert client.get("/track/AQT-2026-999999/").status_code == 404


def test_lookup_form_redirects_to_the_code(client, db):
    response = client.get("/track/", {"code": " aqt-2026-000001 "})
    assert response.status_code == 302 and response["Location"].endswith("/track/AQT-2026-000001/")


def test_the_code_alone_shows_the_status_and_nothing_more(client, world):
    case = world.advance(world.case(title="Яма у дома 5"), "rejected")
    html = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert case.tracking_code in html and 'data-state="rejected"' in html
    for detail in ("Яма у дома 5", "Реклама.", world.a1.name, "<li data-state", "/dispute/"):
        assert detail not in html
    full = client.get(f"/track/{case.tracking_code}/?t={case.access_token}").content.decode()
    assert "Яма у дома 5" in full and "Реклама." in full and "/dispute/" in full


def test_a_wrong_token_on_a_corruption_report_looks_like_an_unknown_code(client, world):
    case = world.case(category=world.corruption)
    unknown = client.get("/track/AQT-2026-999999/?t=wrong")
    wrong = client.get(f"/track/{case.tracking_code}/?t=wrong")
    assert unknown.status_code == wrong.status_code == 404
    # Request references and the CSRF token of the language switch differ on every page.
    reference = re.compile(r'[0-9a-f]{32}|csrfmiddlewaretoken" value="\w+')
    # Both pages hand the code typed back in the lookup form, to be corrected: nothing else differs.
    wrong_page = wrong.content.decode().replace(case.tracking_code, "CODE")
    unknown_page = unknown.content.decode().replace("AQT-2026-999999", "CODE")
    assert reference.sub("", wrong_page) == reference.sub("", unknown_page)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Too many look-ups from this address"),
        ("ru", "Слишком много запросов с этого адреса"),
        ("kk", "Бұл мекенжайдан сұраулар тым көп"),
    ],
)
def test_walking_codes_is_throttled_per_address(client, world, monkeypatch, language, text):
    monkeypatch.setenv("INTAKE_TRACK_RATE", "3/h")
    client.cookies["django_language"] = language
    case = world.case()
    assert client.get(f"/track/{case.tracking_code}/").status_code == 200
    assert client.get("/track/AQT-2026-999998/").status_code == 404
    assert client.post(f"/track/{case.tracking_code}/confirm/", {"t": "x"}).status_code == 404
    for code in (case.tracking_code, "AQT-2026-999997"):
        blocked = client.get(f"/track/{code}/?t={case.access_token}")
        assert blocked.status_code == 429 and text in blocked.content.decode()
        assert "data-state" not in blocked.content.decode()
    other = client.get(f"/track/{case.tracking_code}/", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_the_counters_live_in_redis(client, world, monkeypatch, redis_url, settings):
    import redis

    monkeypatch.setenv("INTAKE_TRACK_RATE", "2/h")
    assert client.get("/track/AQT-2026-999999/").status_code == 404
    keys = redis.Redis.from_url(redis_url).keys(f"*{settings.RATELIMIT_CACHE_PREFIX}*")
    assert len(keys) == 1
    client.get("/track/AQT-2026-999999/")
    assert client.get("/track/AQT-2026-999999/").status_code == 429


def test_behind_nginx_the_address_is_the_one_nginx_appended(client, world, monkeypatch, settings):
    settings.CLIENT_IP_FROM_FORWARDED_FOR = True
    monkeypatch.setenv("INTAKE_TRACK_RATE", "1/h")
    url = "/track/AQT-2026-999999/"
    # Everyone reaches gunicorn from nginx's 127.0.0.1; a forged first entry changes nothing.
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    forged = client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert forged.status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 404
