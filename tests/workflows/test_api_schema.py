"""The OpenAPI schema describes what the API really takes and returns: every transition with its
own request body, and every field a case detail carries for each kind of reader."""

import pytest
from rest_framework.test import APIClient

from tests.factories import image_upload
from workflows import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world) -> dict:
    client = APIClient()
    client.force_login(world.clerk)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            parts = [resolve(schema, part) for part in node[key]]
            typed = [part for part in parts if part.get("properties") or part.get("items")]
            return typed[0] if typed else parts[0]
    return node


def undescribed(schema: dict, node: dict, value, where: str = "") -> list[str]:
    """Every key in `value` (recursively) that the schema `node` does not describe."""
    node = resolve(schema, node)
    missing = []
    if isinstance(value, dict):
        if "properties" not in node and "additionalProperties" in node:
            return []  # a free-form object, documented as such
        properties = node.get("properties", {})
        for key, item in value.items():
            if key not in properties:
                missing.append(f"{where}.{key}")
            else:
                missing += undescribed(schema, properties[key], item, f"{where}.{key}")
    elif isinstance(value, list) and "items" in node:
        for item in value:
            missing += undescribed(schema, node["items"], item, f"{where}[]")
    return missing


def test_each_transition_is_an_operation_with_its_own_request_body(schema):
    assert "/api/v1/cases/{id}/transitions/{name}/" not in schema["paths"]
    for name, action in actions.TRANSITIONS.items():
        operation = schema["paths"][f"/api/v1/cases/{{id}}/transitions/{name}/"]["post"]
        content = operation["requestBody"]["content"]
        assert ("multipart/form-data" in content) == action.api_multipart, name
        body = resolve(schema, content["application/json"]["schema"])
        fields = action.serializer_class().fields
        assert set(body["properties"]) == set(fields), name
        assert set(body.get("required", [])) == {n for n, f in fields.items() if f.required}, name
        assert operation["summary"], name


def test_a_transition_documented_in_the_schema_is_taken_at_its_documented_path(world):
    case = world.case()
    client = APIClient()
    client.force_authenticate(world.clerk)
    response = client.post(
        f"/api/v1/cases/{case.pk}/transitions/assign/",
        {"department": world.dep_a1.pk},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "assigned"


def test_every_field_a_case_detail_returns_is_in_the_schema(schema, world):
    detail = resolve(
        schema,
        schema["paths"]["/api/v1/cases/{id}/"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"],
    )
    # A repair reported with photos that carry no time or place: a work order and evidence flags.
    case = world.advance(world.case(photos=[image_upload()]), "repaired")
    seen = set()
    for reader in (world.investigator, world.inspector, world.officer, world.contractor_user):
        client = APIClient()
        client.force_authenticate(reader)
        response = client.get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == 200, reader
        body = response.json()
        seen |= set(body)
        assert undescribed(schema, detail, body) == [], reader
    assert {"work_order", "evidence_flags", "attachments", "events"} <= seen
    assert set(detail.get("required", [])) <= seen
