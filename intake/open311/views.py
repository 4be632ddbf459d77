"""The Open311 GeoReport v2 server under /open311/v2/.

Every endpoint answers in `.json` or `.xml`. Errors are the specification's error list with 400
(bad input), 403 (missing or wrong api_key) or 404. Only public categories are services; requests
show no personal data. Filing a request needs an API key (`manage.py open311_key create NAME`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from casework.client_ip import client_ip
from casework.limits import DESCRIPTION_MAX_CHARS
from casework.models import Case
from casework.states import CLOSED_STATES
from intake import placing
from intake.channels.base import coordinate
from intake.models import Open311Submission
from intake.open311 import records
from intake.open311.formats import error, respond
from intake.open311.schema import openapi_document
from intake.services import open311_client_by_key, open311_request_file

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-01T00:00:00+05:00"
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 100
ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,64})\](\[\])?")


class BadRequest(Exception):
    def __init__(self, *descriptions: str, status: int = 400):
        super().__init__(*descriptions)
        self.descriptions = descriptions
        self.status = status


def _guard(*allowed: str):
    """Turn `BadRequest` into the spec's error list; refuse other methods the same way. Clients
    authenticate with api_key, not cookies, so there is no CSRF token to check."""
    allowed = allowed or ("GET",)

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, fmt: str, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = error(
                    fmt,
                    405,
                    _("Method %(method)s is not allowed here.") % {"method": request.method[:10]},
                )
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, fmt, *args, **kwargs)
            except BadRequest as exc:
                return error(fmt, exc.status, *exc.descriptions)

        return csrf_exempt(wrapped)

    return decorate


@_guard()
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    document = {
        "changeset": CHANGESET,
        "contact": _("Akimat public services: call 109 or write to the akimat's e-mail."),
        "key_service": _("Ask the akimat's digital office for an API key."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{settings.SITE_URL}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, document, root="discovery", item=None)


@_guard()
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    data = [records.service_record(c) for c in records.public_categories()]
    return respond(fmt, data, root="services", item="service")


@_guard()
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = records.public_categories().filter(code=code).first()
    if category is None:
        raise BadRequest(_("There is no service with this code."), status=404)
    data = records.service_definition(category)
    return respond(fmt, data, root="service_definition", item=None)


def _request_rows():
    return Case.objects.filter(category__public=True).select_related(
        "category", "department", "district"
    )


def _moment_param(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time.min) if day else None
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value is not None:
            # In UTC: PostgreSQL refuses offsets beyond ±15:59; year 0 in UTC fails here.
            value = value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise BadRequest(
            _("%(name)s must be a date and time in ISO 8601, e.g. 2026-05-01T00:00:00+05:00.")
            % {"name": name}
        )
    return value


def _list_param(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = _request_rows()
    ids = _list_param(request, "service_request_id")
    if ids:
        if len(ids) > MAX_IDS:
            raise BadRequest(_("At most %(n)d ids at once.") % {"n": MAX_IDS})
        rows = rows.filter(tracking_code__in=[i.upper() for i in ids])
    else:
        codes = _list_param(request, "service_code")
        if codes:
            rows = rows.filter(category__code__in=codes)
        statuses = _list_param(request, "status")
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise BadRequest(_("status must be open, closed or both."))
        if statuses == ["open"]:
            rows = rows.open()
        elif statuses == ["closed"]:
            rows = rows.filter(state__in=CLOSED_STATES)
        start = _moment_param(request, "start_date")
        end = _moment_param(request, "end_date")
        if start and end and start > end:
            raise BadRequest(_("start_date must not be after end_date."))
        if start is None:
            start = (end or timezone.now()) - DEFAULT_WINDOW
        rows = rows.filter(received_at__gte=start)
        if end is not None:
            rows = rows.filter(received_at__lte=end)
    data = [records.request_record(case) for case in rows.order_by("-received_at")[:MAX_RESULTS]]
    return respond(fmt, data, root="service_requests", item="request")


def _text(request: HttpRequest, name: str, limit: int) -> str:
    value = request.POST.get(name, "").strip()
    if len(value) > limit:
        raise BadRequest(
            _("%(name)s is longer than %(n)d characters.") % {"name": name, "n": limit}
        )
    return value


def _attributes(request: HttpRequest) -> dict[str, str]:
    attributes: dict[str, str] = {}
    allowed = {v["key"] for v in records.hazard_values()}
    for key in request.POST:
        match = ATTRIBUTE.fullmatch(key)
        if key.startswith("attribute") and match is None:
            raise BadRequest(_("Attributes are sent as attribute[code]=value."))
        if match is None:
            continue
        code = match.group(1)
        if code != records.HAZARD:
            raise BadRequest(_("Unknown attribute %(code)s.") % {"code": code[:64]})
        value = request.POST.get(key, "").strip()
        if value not in allowed:
            raise BadRequest(_("attribute[%(code)s] must be yes or no.") % {"code": code})
        attributes[code] = value
    return attributes


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = request.POST.get("api_key", "")
    if not key:
        raise BadRequest(_("api_key is required to file a request."), status=403)
    client = open311_client_by_key(key)
    if client is None:
        raise BadRequest(_("api_key is not valid."), status=403)
    problems: list[str] = []
    code = _text(request, "service_code", 64)
    category = records.public_categories().filter(code=code).first() if code else None
    if not code:
        problems.append(_("service_code is required."))
    elif category is None:
        problems.append(_("service_code %(code)s is not a service.") % {"code": code})
    raw_lat, raw_long = request.POST.get("lat", ""), request.POST.get("long", "")
    latitude, longitude = coordinate(raw_lat, -90, 90), coordinate(raw_long, -180, 180)
    if (raw_lat or raw_long) and (latitude is None or longitude is None):
        problems.append(_("lat and long must both be numbers within range."))
    address = _text(request, "address_string", 500)
    address_id = _text(request, "address_id", 100)
    if not address and address_id:
        address = f"address_id {address_id}"
    if latitude is None and not address:
        problems.append(_("Give the place: lat and long, address_string or address_id."))
    description = _text(request, "description", DESCRIPTION_MAX_CHARS)
    if not description:
        problems.append(_("description is required."))
    email = _text(request, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("email is not a valid e-mail address."))
    media_url = _text(request, "media_url", 2000)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            problems.append(_("media_url must be an http or https URL."))
    attributes = _attributes(request)
    if problems:
        raise BadRequest(*problems)
    district = placing.district_at(latitude, longitude) if latitude is not None else None
    district = district or placing.default_district()
    if district is None:
        raise BadRequest(_("This place is outside the area we serve; send lat and long."))
    names = (_text(request, "first_name", 150), _text(request, "last_name", 150))
    name = " ".join(part for part in names if part)
    account_id = _text(request, "account_id", 100)
    try:
        submission = open311_request_file(
            client,
            source_address=client_ip(request),
            title=description.splitlines()[0][:80],
            description=description,
            category=category,
            district=district,
            latitude=latitude,
            longitude=longitude,
            address=address,
            priority=records.attribute_priority(attributes),
            complainant={
                "name": name,
                "phone": _text(request, "phone", 64),
                "email": email,
                "language": (get_language() or "ru")[:2],
            },
            payload={
                "open311": {
                    "client": client.name,
                    "attributes": attributes,
                    "media_url": media_url or None,
                }
            },
        )
    except ValidationError as exc:
        raise BadRequest(*exc.messages) from None
    data = [
        {
            "service_request_id": submission.case.tracking_code,
            "token": submission.token,
            "service_notice": None,
            "account_id": account_id or None,
        }
    ]
    return respond(fmt, data, root="service_requests", item="request")


@_guard("GET", "POST")
def request_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search requests; POST: file one."""
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


@_guard()
def request_detail(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    case = _request_rows().filter(tracking_code=code.upper()).first()
    if case is None:
        raise BadRequest(_("There is no public request with this id."), status=404)
    return respond(fmt, [records.request_record(case)], root="service_requests", item="request")


@_guard()
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    submission = Open311Submission.objects.select_related("case").filter(token=token).first()
    if submission is None:
        raise BadRequest(_("There is no request with this token."), status=404)
    data = [{"service_request_id": submission.case.tracking_code, "token": submission.token}]
    return respond(fmt, data, root="service_requests", item="request")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error(fmt, 404, _("No such Open311 endpoint; see discovery.json."))


def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(settings.SITE_URL))
