"""schemathesis against our OpenAPI schemas: the REST API (/api/schema/) and the Open311 server
(/open311/v2/openapi.json). Whatever it sends, no request gets a 500. Bounded: a fixed number of
examples per operation, no deadline, derandomised so that a failure repeats."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from intake.models import DistrictArea
from intake.services import open311_client_create

pytestmark = pytest.mark.django_db

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, and Django closes the database connection after
    each request unless told not to (its own test client does the same as here)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world):
    DistrictArea.objects.create(
        district=world.a1, latitude="50.283900", longitude="57.167000", radius_km=15
    )
    world.case()
    world.advance(world.case(), "rejected")
    return world


def fuzz(schema, prepare=None, headers=None, checks=(not_a_server_error,)) -> list[str]:
    """Run every operation of `schema`; return the operations that were exercised."""
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            if prepare is not None:
                prepare(case)
            case.call_and_validate(headers=headers, checks=list(checks))

        run()
        exercised.append(f"{operation.method.upper()} {operation.path}")
    return exercised


def test_rest_api_never_answers_500(fuzz_world):
    token, _ = Token.objects.get_or_create(user=fuzz_world.clerk)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    # Every answer it documents is also checked against the schema (the fields it returns).
    exercised = fuzz(
        schema, headers=headers, checks=(not_a_server_error, response_schema_conformance)
    )
    assert "GET /api/v1/cases/" in exercised and len(exercised) >= 6


def test_open311_never_answers_500(fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", application)
    _client, key = open311_client_create("fuzzer")

    def prepare(case):
        # Half the filings carry a valid key, so that validation past the key is exercised.
        if isinstance(case.body, dict) and len(str(case.body.get("description", ""))) % 2 == 0:
            case.body["api_key"] = key

    exercised = fuzz(schema, prepare)
    assert "POST /open311/v2/requests.json" in exercised and len(exercised) == 14


@pytest.mark.parametrize(
    "query",
    [
        "department=-3.9381278990641703e%2B27",
        "district=99999999999999999999",
        "category=99999999999999999999",
        "received_before=0793-04-25T16%3A30%3A51.053694-19%3A57",
        "received_after=0001-01-01T00%3A00%3A00%2B10%3A00",
    ],
)
def test_what_schemathesis_found_is_a_clean_answer(client, fuzz_world, query):
    client.force_login(fuzz_world.clerk)
    assert client.get(f"/api/v1/cases/?{query}").status_code in (200, 400)


def test_open311_dates_with_odd_offsets_are_answered(client, fuzz_world):
    for value in ("0793-04-25T16:30:51-19:57", "0001-01-01T00:00:00+10:00"):
        response = client.get("/open311/v2/requests.json", {"start_date": value})
        assert response.status_code in (200, 400)
