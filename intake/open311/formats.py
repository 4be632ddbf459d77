"""GeoReport v2 documents in both formats: JSON, and the XML the specification requires.

Each response is a list of flat records under a root element (`<services><service>…`,
`<service_requests><request>…`); a few fields hold lists of records of their own.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from casework.xmltext import xml_text

# Elements of nested lists: <attributes><attribute>, <values><value>, <formats><format> ...
CHILD_TAG = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _text(value: Any) -> str:
    """An element's text; what citizens typed may hold characters XML forbids (dropped here)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(str(value))


def _fill(element: ET.Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, CHILD_TAG.get(key, "item"))
                if isinstance(item, dict):
                    _fill(grandchild, item)
                else:
                    grandchild.text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, data: list[dict] | dict) -> bytes:
    top = ET.Element(root)
    if item is None:
        _fill(top, data)  # a single document, e.g. <discovery>
    else:
        for record in data:
            _fill(ET.SubElement(top, item), record)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, data: list[dict] | dict, *, root: str, item: str | None, status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, item, data), content_type=XML_TYPE, status=status)
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, content_type=JSON_TYPE, status=status)


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error list: [{"code": 400, "description": "..."}]."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, errors, root="errors", item="error", status=status)
