"""A web or Open311 complaint keeps a keyed digest of the client address it was filed from
(behind the proxy, the address nginx saw), never the address itself; a refused one keeps nothing."""

import pytest

from casework.models import Case
from intake.models import DistrictArea, FilingSource
from intake.services import open311_client_create
from intake.sources import address_key
from ratings.votes import source_key_for
from tests.cache_keys import cache_clear_own

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache_clear_own()
    yield
    cache_clear_own()


def form(world, **overrides):
    data = {
        "category": world.pothole.pk,
        "district": world.a1.pk,
        "description": "Глубокая яма у дома 12 по улице Маресьева",
        "latitude": "50.283900",
        "longitude": "57.167000",
    }
    data.update(overrides)
    return data


def test_a_web_complaint_keeps_the_digest_of_the_address_nginx_saw(client, world, settings):
    settings.CLIENT_IP_FROM_FORWARDED_FOR = True
    response = client.post(
        "/complain/",
        form(world),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7",  # the first entry is the client's claim
    )
    assert response.status_code == 302
    case = Case.objects.get()
    source = FilingSource.objects.get(case=case)
    assert source.source_key == address_key("203.0.113.7") != address_key("10.0.0.1")
    assert source.filed_at == case.received_at
    assert "203.0.113.7" not in source.source_key and len(source.source_key) == 64
    # A vote cast from the same address carries the same digest: one notion of "address".
    assert source_key_for("203.0.113.7") == source.source_key


def test_a_refused_web_complaint_keeps_nothing(client, world):
    response = client.post("/complain/", form(world, latitude="", longitude=""))
    assert response.status_code == 400
    assert not Case.objects.exists() and not FilingSource.objects.exists()


def test_an_open311_request_keeps_the_digest_of_the_client_address(client, world):
    DistrictArea.objects.create(
        district=world.a1, latitude="50.283900", longitude="57.167000", radius_km=15
    )
    _client, key = open311_client_create("fixmystreet-kz")
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "pothole",
            "lat": "50.2845",
            "long": "57.1660",
            "description": "Яма на проезжей части у остановки",
        },
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(channel="open311")
    assert FilingSource.objects.get(case=case).source_key == address_key("198.51.100.20")
