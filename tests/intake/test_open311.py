import json
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from casework.limits import DESCRIPTION_MAX_CHARS
from casework.models import Case
from intake.models import DistrictArea, Open311Client
from intake.services import open311_client_create
from tests.shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def validate():
    schemas = shared_fixture("open311")
    registry = Registry()
    loaded = {}
    for name in ("service", "services", "service-definition", "request", "requests"):
        loaded[name] = json.loads((schemas / f"{name}.json").read_text())
        resource = Resource.from_contents(loaded[name], default_specification=DRAFT7)
        registry = registry.with_resource(f"{name}.json", resource)

    def check(name: str, document) -> None:
        jsonschema.Draft7Validator(loaded[name], registry=registry).validate(document)

    return check


@pytest.fixture(autouse=True)
def _aktobe_is_served(db):
    def place(world):
        DistrictArea.objects.create(
            district=world.a1, latitude="50.283900", longitude="57.167000", radius_km=15
        )

    return place


@pytest.fixture
def world(world, _aktobe_is_served):
    _aktobe_is_served(world)
    return world


@pytest.fixture
def api_key(world):
    _client, key = open311_client_create("fixmystreet-kz")
    return key


def file(client, key, **overrides):
    data = {
        "api_key": key,
        "service_code": "pothole",
        "lat": "50.2845",
        "long": "57.1660",
        "description": "Яма на проезжей части у остановки",
        "email": "citizen@example.kz",
        "first_name": "Асель",
        "last_name": "Нұрланқызы",
        "attribute[hazard]": "yes",
    }
    data.update(overrides)
    return client.post("/open311/v2/requests.json", data)


def test_services_list_public_categories_only_and_validate(client, world, validate):
    services = client.get("/open311/v2/services.json").json()
    validate("services", services)
    codes = {s["service_code"] for s in services}
    assert codes == {"pothole"}  # the corruption category never appears


def test_service_definition_validates(client, world, validate):
    definition = client.get("/open311/v2/services/pothole.json").json()
    validate("service-definition", definition)
    assert definition["attributes"][0]["code"] == "hazard"
    assert client.get("/open311/v2/services/corruption_report.json").status_code == 404


def test_filing_a_request_makes_a_case_and_gives_its_id_and_token(client, world, api_key):
    response = file(client, api_key)
    assert response.status_code == 200
    [created] = response.json()
    case = Case.objects.get(tracking_code=created["service_request_id"])
    assert case.channel == "open311" and case.priority == 3 and case.district == world.a1
    assert case.complainant.email == "citizen@example.kz"
    token = client.get(f"/open311/v2/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": case.tracking_code, "token": created["token"]}]


def test_requests_validate_and_carry_no_personal_data(client, world, api_key, validate):
    file(client, api_key)
    world.case()
    requests = client.get("/open311/v2/requests.json").json()
    validate("requests", requests)
    assert len(requests) == 2
    text = json.dumps(requests, ensure_ascii=False)
    for private in ("citizen@example.kz", "Асель", "Айгүл", "+7701", "Глубокая яма у дома 5."):
        assert private not in text
    one = client.get(f"/open311/v2/requests/{requests[0]['service_request_id']}.json").json()
    validate("requests", one)
    validate("request", one[0])


def test_confidential_cases_never_appear(client, world):
    hidden = world.case(category=world.corruption)
    assert client.get("/open311/v2/requests.json").json() == []
    response = client.get(f"/open311/v2/requests/{hidden.tracking_code}.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_filters(client, world):
    open_case = world.case()
    closed = world.advance(world.case(), "rejected")

    def ids(**params):
        return {
            r["service_request_id"] for r in client.get("/open311/v2/requests.json", params).json()
        }

    assert ids(status="open") == {open_case.tracking_code}
    assert ids(status="closed") == {closed.tracking_code}
    assert ids(service_request_id=f"{closed.tracking_code},NOPE") == {closed.tracking_code}
    assert ids(service_code="other") == set()
    assert ids(start_date="2099-01-01T00:00:00Z") == set()
    assert ids(end_date="2000-01-01") == set()
    [rejected] = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    assert rejected["status_notes"].startswith(("Rejected", "Отклонено", "Қабылданбады"))


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"status": "pending"},
        {"start_date": "2026-02-01", "end_date": "2026-01-01"},
        {"end_date": "2026-13-45T99:00:00"},
    ],
)
def test_bad_filters_are_400_with_the_error_list(client, world, params):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]


def test_filing_needs_a_valid_key(client, world, api_key):
    assert file(client, "").status_code == 403
    assert file(client, "wrong").status_code == 403
    call_command("open311_key", "revoke", "fixmystreet-kz")
    assert file(client, api_key).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"service_code": ""},
        {"service_code": "corruption_report"},
        {"lat": "", "long": ""},
        {"lat": "91", "long": "57"},
        {"lat": "abc"},
        {"description": ""},
        {"description": "a" * (DESCRIPTION_MAX_CHARS + 1)},
        {"email": "not-an-email"},
        {"media_url": "ftp://x/y.jpg"},
        {"attribute[hazard]": "maybe"},
        {"attribute[colour]": "red"},
    ],
)
def test_bad_requests_are_400_and_write_nothing(client, world, api_key, overrides):
    response = file(client, api_key, **overrides)
    assert response.status_code == 400, response.content
    assert all(e["code"] == 400 for e in response.json())
    assert not Case.objects.exists()


def test_xml_is_the_specifications_shape(client, world, api_key):
    created = file(client, api_key, **{"attribute[hazard]": "no"})
    code = created.json()[0]["service_request_id"]
    root = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == code
    assert root.find("request/status").text == "open"
    services = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert services.tag == "services" and services.find("service/metadata").text == "true"
    definition = ET.fromstring(client.get("/open311/v2/services/pothole.xml").content)
    assert definition.find("attributes/attribute/values/value/key").text == "yes"
    discovery = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert discovery.find("endpoints/endpoint/formats/format").text == "text/xml"
    errors = ET.fromstring(client.get("/open311/v2/requests/NOPE.xml").content)
    assert errors.tag == "errors" and errors.find("error/code").text == "404"
    posted = client.post("/open311/v2/requests.xml", {"api_key": "wrong"})
    assert posted.status_code == 403 and ET.fromstring(posted.content).tag == "errors"


def test_unknown_endpoints_and_methods_answer_with_the_error_list(client, world):
    assert client.get("/open311/v2/nothing.json").json()[0]["code"] == 404
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.delete("/open311/v2/services.json").json()[0]["code"] == 405


def test_open311_key_command_prints_the_key_once_and_stores_a_hash(world, capsys):
    call_command("open311_key", "create", "city-app")
    key = capsys.readouterr().out.strip()
    stored = Open311Client.objects.get(name="city-app")
    assert len(key) >= 40 and key not in stored.key_hash
    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        call_command("open311_key", "create", "city-app")
    with translation.override("en"), pytest.raises(CommandError, match="No client"):
        call_command("open311_key", "revoke", "nobody")
    with pytest.raises(CommandError, match="needs the client's NAME"):
        call_command("open311_key", "revoke")


FORBIDDEN_IN_XML = "\x08\x00\x0b\x0c\x1b\x1f\ufffe\uffff"


def test_characters_xml_forbids_never_reach_the_xml(client, world, api_key):
    """One backspace in a complaint once made requests.xml unreadable for every client."""
    for lang in ("kk", "ru", "en"):
        setattr(world.pothole, f"name_{lang}", "Яма\x0c на дороге")
    world.pothole.save()
    text = "Яма\x08 у\x01 остановки\x1f и\ufffe лужа\uffff"
    created = file(client, api_key, description=text, address_string="ул.\x1b Абая")
    assert created.status_code == 200, created.content
    code = created.json()[0]["service_request_id"]
    stored = Case.objects.get(tracking_code=code)
    assert "\x08" in stored.title  # kept as typed; only the XML leaves it out
    documents = {
        "/open311/v2/requests.xml": "service_requests",
        f"/open311/v2/requests/{code}.xml": "service_requests",
        "/open311/v2/services.xml": "services",
        "/open311/v2/services/pothole.xml": "service_definition",
    }
    for url, root_tag in documents.items():
        body = client.get(url).content
        root = ET.fromstring(body)  # expat: a forbidden character is a parse error
        assert root.tag == root_tag
        assert not any(c in body.decode() for c in FORBIDDEN_IN_XML), url
    request = ET.fromstring(client.get("/open311/v2/requests.xml").content).find("request")
    assert request.find("description").text == "Яма у остановки и лужа"
    assert request.find("address").text == "ул. Абая"
    assert request.find("service_name").text == "Яма на дороге"


def test_an_error_echoing_bad_characters_is_still_xml(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.xml",
        {"api_key": api_key, "service_code": "pot\x08hole", "description": "x", "lat": "50.28"},
    )
    assert response.status_code == 400
    errors = ET.fromstring(response.content)
    assert errors.tag == "errors"
    assert any("pothole" in e.find("description").text for e in errors.findall("error"))
    assert not Case.objects.exists()
