"""An OpenAPI 3 description of our Open311 endpoints, served at /open311/v2/openapi.json.

Written from the GeoReport v2 specification and the endpoints in `views.py`; the tests run
schemathesis against it and validate our JSON against the official GeoReport JSON schemas.
"""

from __future__ import annotations

from typing import Any

from casework.limits import DESCRIPTION_MAX_CHARS

NULLABLE_STRING = {"type": "string", "nullable": True}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": NULLABLE_STRING,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING,
        "group": NULLABLE_STRING,
    },
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": {"type": "string"},
        "description": NULLABLE_STRING,
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": NULLABLE_STRING,
    },
}
ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
CREATED = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": NULLABLE_STRING,
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
    },
}
FILE_REQUEST = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": {"type": "string"},
        "service_code": {"type": "string"},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string"},
        "address_id": {"type": "string"},
        "email": {"type": "string"},
        "device_id": {"type": "string"},
        "account_id": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "phone": {"type": "string"},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX_CHARS},
        "media_url": {"type": "string"},
        "attribute[hazard]": {"type": "string", "enum": ["yes", "no"]},
    },
}


def _responses(fmt: str, ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    def content(schema):
        if fmt == "xml":
            return {"text/xml": {"schema": {"type": "string"}}}
        return {"application/json": {"schema": schema}}

    responses = {"200": {"description": "OK", "content": content(ok)}}
    for status in errors:
        responses[str(status)] = {"description": "GeoReport error list", "content": content(ERRORS)}
    return responses


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _operations(fmt: str) -> dict[str, Any]:
    base = "/open311/v2"
    return {
        f"{base}/discovery.{fmt}": {"get": {"responses": _responses(fmt, {"type": "object"})}},
        f"{base}/services.{fmt}": {
            "get": {"responses": _responses(fmt, {"type": "array", "items": SERVICE})}
        },
        f"{base}/services/{{service_code}}.{fmt}": {
            "get": {
                "parameters": [_path("service_code")],
                "responses": _responses(fmt, {"type": "object"}, 404),
            }
        },
        f"{base}/requests.{fmt}": {
            "get": {
                "parameters": [
                    _query("service_request_id", "comma-separated ids"),
                    _query("service_code", "comma-separated service codes"),
                    _query("start_date", "ISO 8601 date-time"),
                    _query("end_date", "ISO 8601 date-time"),
                    _query("status", "open, closed or both"),
                ],
                "responses": _responses(fmt, {"type": "array", "items": REQUEST}, 400),
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": FILE_REQUEST}},
                },
                "responses": _responses(fmt, CREATED, 400, 403),
            },
        },
        f"{base}/requests/{{service_request_id}}.{fmt}": {
            "get": {
                "parameters": [_path("service_request_id")],
                "responses": _responses(fmt, {"type": "array", "items": REQUEST}, 404),
            }
        },
        f"{base}/tokens/{{token}}.{fmt}": {
            "get": {
                "parameters": [_path("token")],
                "responses": _responses(fmt, {"type": "array"}, 404),
            }
        },
    }


def openapi_document(site_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for fmt in ("json", "xml"):
        paths.update(_operations(fmt))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Baqylau Open311 GeoReport v2",
            "version": "2",
            "description": "Public-works complaints as GeoReport v2 service requests.",
        },
        "servers": [{"url": site_url}],
        "paths": paths,
    }
