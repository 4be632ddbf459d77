"""The one table of case actions (workflows.actions) is what both doors serve: every action in it
is reachable from the staff application and the REST API, and every endpoint of the API's one
urls.py is described in its OpenAPI schema."""

import inspect
import re

import pytest
from django.urls import URLPattern, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from casework.models import CaseEvent
from workflows import actions
from workflows.api import urls as api_urls

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_both_doors_take_the_same_fields_and_the_service_takes_them_all():
    for name, action in actions.ACTIONS.items():
        form_fields = set(action.form_class.base_fields)
        api_fields = set(action.serializer_class().fields)
        assert form_fields == api_fields, name
        parameters = inspect.signature(action.service).parameters
        assert form_fields | {"actor"} <= set(parameters), name


def test_every_action_is_reachable_through_the_api_and_refused_to_a_role_without_it(world):
    case = world.case()
    before = CaseEvent.objects.count()
    client = _api(world.manager)  # a manager takes no action on a case
    for name, action in actions.ACTIONS.items():
        if action.transition:
            url = reverse("api-case-transition", args=[case.pk, name])
        else:
            url = reverse(f"api-case-{name.replace('_', '-')}", args=[case.pk])
        body = {"new_due_at": "2026-12-31T10:00:00+05:00", "decision": "Нужна экспертиза."}
        response = client.post(url, body, format="multipart" if action.api_multipart else "json")
        assert response.status_code == 403, (name, response.status_code, response.content[:200])
    assert CaseEvent.objects.count() == before


def test_every_action_is_reachable_from_the_staff_application(client, world):
    case = world.case()
    client.force_login(world.manager)
    for name in actions.ACTIONS:
        response = client.get(reverse("workflows:case-action", args=[case.pk, name]))
        assert response.status_code in (403, 409), (name, response.status_code)
    response = client.get(reverse("workflows:case-action", args=[case.pk, "no_such_action"]))
    assert response.status_code == 404


def test_each_door_takes_an_action_through_its_input_and_the_tables_service(client, world):
    case = world.case()
    response = _api(world.clerk).post(
        reverse("api-case-transition", args=[case.pk, "assign"]),
        {"department": world.dep_a1.pk, "version": case.event_seq},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "assigned"
    client.force_login(world.officer)
    response = client.post(
        reverse("workflows:case-action", args=[case.pk, "notify_contractor"]),
        {"contract": world.contract.pk, "version": case.event_seq + 1},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True)
    ) == ["open", "assign", "notify_contractor"]


def _openapi_path(pattern: str) -> str:
    """The path as the schema names it (drf-spectacular calls a `pk` parameter `id`)."""
    path = "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)
    return path.replace("{pk}", "{id}")


def test_every_api_endpoint_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # The catch-all transition pattern only answers unknown names (404 naming the known ones);
    # each known transition is documented at a path of its own.
    catch_all = "v1/cases/<int:pk>/transitions/<str:name>/"
    endpoints = [
        p
        for p in api_urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern)[:3] == "v1/" and str(p.pattern) != catch_all
    ]
    assert len(endpoints) >= 9
    missing = [
        str(p.pattern) for p in endpoints if _openapi_path(str(p.pattern)) not in schema["paths"]
    ]
    assert missing == []
    documented = {path for path in schema["paths"] if path.startswith("/api/")}
    assert documented == {_openapi_path(str(p.pattern)) for p in endpoints}
    transitions = {path.rsplit("/", 2)[1] for path in documented if "/transitions/" in path}
    assert transitions == set(actions.TRANSITIONS)
