"""Staff pages of intake: the clerk's phone-call form and the intake errors list."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casework import roles, services
from intake.forms import PhoneComplaintForm, service_errors_to_form
from intake.models import DistrictArea, Draft
from intake.selectors import drafts_visible_to, inbound_messages_visible_to
from intake.services import inbound_message_retry

STUCK_AFTER = dt.timedelta(minutes=10)
UNFINISHED_AFTER = dt.timedelta(minutes=30)


def _clerk_only(request: HttpRequest) -> None:
    if roles.CLERK not in roles.user_roles(request.user):
        raise PermissionDenied(_("Only clerks use this page."))


@login_required
@require_http_methods(["GET", "POST"])
def phone_complaint(request: HttpRequest) -> HttpResponse:
    _clerk_only(request)
    profile = getattr(request.user, "staff_profile", None)
    if profile is None or profile.district_id is None:
        raise PermissionDenied(_("Your account has no district."))
    form = PhoneComplaintForm(request.POST or None, district=profile.district)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            complainant = None
            if not data["anonymous"]:
                complainant = {
                    "name": data["caller_name"],
                    "phone": data["caller_phone"],
                    "language": data["caller_language"],
                }
            try:
                case = services.case_open(
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    district=profile.district,
                    channel="phone",
                    actor=request.user,
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    address=data["address"],
                    complainant=complainant,
                    received_at=data["received_at"],
                )
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded as %(code)s. Tell the caller this tracking code.")
                    % {"code": case.tracking_code},
                )
                return redirect("intake:phone")
        return render(request, "intake/phone.html", _phone_context(form, profile), status=400)
    return render(request, "intake/phone.html", _phone_context(form, profile))


def _phone_context(form: PhoneComplaintForm, profile) -> dict:
    # The map opens on the clerk's own district when its area is known.
    area = DistrictArea.objects.filter(district_id=profile.district_id).first()
    return {"form": form, "district": profile.district, "map_area": area}


@login_required
@require_http_methods(["GET"])
def intake_errors(request: HttpRequest) -> HttpResponse:
    _clerk_only(request)
    now = timezone.now()
    problems = (
        inbound_messages_visible_to(request.user)
        .filter(Q(error__gt="") | Q(processed_at__isnull=True, received_at__lt=now - STUCK_AFTER))
        .defer("raw_body")
        .order_by("-received_at")[:200]
    )
    unfinished = (
        drafts_visible_to(request.user)
        .filter(status=Draft.Status.OPEN, last_message_at__lt=now - UNFINISHED_AFTER)
        .select_related("conversation")
        .order_by("-last_message_at")[:100]
    )
    return render(request, "intake/errors.html", {"problems": problems, "unfinished": unfinished})


@login_required
@require_POST
def intake_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        inbound_message_retry(pk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message is queued for processing again."))
    return redirect("intake:errors")
