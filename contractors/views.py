"""The contractor's portal (/contractor/) and the staff scorecards page.

A contractor sees their company's work orders only (through `work_orders_visible_to`), never who
complained; staff pages check the role and read within the user's scope.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import roles
from casework.media import file_response
from casework.models import District
from casework.replica import replica_reads
from casework.services import TransitionConflict, attachment_original_open
from casework.uploads import original_content_type, private_storage
from contractors import scorecards, selectors
from contractors.forms import PeriodForm, RepairReportForm
from contractors.models import WorkOrder
from contractors.selectors import contractor_of
from contractors.services import work_order_acknowledge, work_order_report_repair

STAFF_SCORE_ROLES = frozenset({roles.MANAGER, roles.INVESTIGATOR, roles.OFFICER, roles.INSPECTOR})
OVERSIGHT_ROLES = frozenset({roles.MANAGER, roles.INVESTIGATOR})


def _contractor_company(request) -> int:
    company = contractor_of(request.user)
    if company is None:
        raise PermissionDenied(_("This page is for contractors' staff."))
    return company


def _own_order(request, pk: int) -> WorkOrder:
    _contractor_company(request)
    order = selectors.work_order_for_user(request.user, pk)
    if order is None:
        raise Http404(_("No such work order, or it is not yours."))
    return order


@login_required
def orders(request):
    company = _contractor_company(request)
    visible = selectors.work_orders_visible_to(request.user)
    show = request.GET.get("show", "open")
    listed = visible.filter(status__in=selectors.OPEN_ORDER_STATUSES) if show == "open" else visible
    return render(
        request,
        "contractors/orders.html",
        {
            "orders": listed.order_by("due_at", "id")[:500],
            "show": show,
            "sites": selectors.open_sites(visible),
            "company": company,
        },
    )


@login_required
def order(request, pk: int):
    work_order = _own_order(request, pk)
    case = work_order.case
    return render(
        request,
        "contractors/order.html",
        {
            "order": work_order,
            "case": case,
            "is_current": work_order.status != WorkOrder.Status.SUPERSEDED,
            "attachments": case.attachments.order_by("uploaded_at", "id"),
            "form": RepairReportForm(initial={"version": case.event_seq}),
            "warranty": selectors.case_warranty_claim(case),
            "returns": selectors.work_order_returns(work_order),
            "can_report": work_order.status
            in (WorkOrder.Status.ISSUED, WorkOrder.Status.ACKNOWLEDGED, WorkOrder.Status.RETURNED)
            and case.state == "contractor_notified",
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    work_order = _own_order(request, pk)
    try:
        work_order_acknowledge(work_order, actor=request.user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
        return redirect("contractors:order", pk=pk)
    messages.success(request, _("Work order acknowledged."))
    return redirect("contractors:order", pk=pk)


@login_required
def report(request, pk: int):
    work_order = _own_order(request, pk)
    if request.method != "POST":
        return redirect("contractors:order", pk=pk)
    case = work_order.case
    form = RepairReportForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            work_order_report_repair(
                case,
                actor=request.user,
                before=form.cleaned_data["before"],
                after=form.cleaned_data["after"],
                note=form.cleaned_data["note"],
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 400
        except TransitionConflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, _("The repair is reported. An inspector will check it."))
            return redirect("contractors:order", pk=pk)
    else:
        status = 400
    return render(
        request,
        "contractors/order.html",
        {
            "order": work_order,
            "case": case,
            "is_current": True,
            "attachments": case.attachments.order_by("uploaded_at", "id"),
            "form": form,
            "warranty": selectors.case_warranty_claim(case),
            "returns": selectors.work_order_returns(work_order),
            "can_report": True,
        },
        status=status,
    )


@login_required
def my_scorecard(request):
    company = _contractor_company(request)
    form = PeriodForm(request.GET or None)
    score = None
    if form.is_valid():
        start, end = form.moments()
        rows = scorecards.contractor_scorecards(start, end, contractor=company)
        score = rows[0] if rows else None
    return render(request, "contractors/my_scorecard.html", {"form": form, "score": score})


# Staff ---------------------------------------------------------------------------------------


def _staff_scope(user) -> dict:
    """The filters a staff user's scorecards are limited to."""
    if getattr(user, "is_superuser", False):
        return {}
    held = roles.user_roles(user)
    if not held & STAFF_SCORE_ROLES:
        raise PermissionDenied(_("Your role may not see scorecards."))
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        raise PermissionDenied(_("Your account has no place of work."))
    if held & OVERSIGHT_ROLES and profile.region_id:
        return {"region": profile.region_id}
    if profile.department_id:
        return {"department": profile.department_id}
    raise PermissionDenied(_("Your account has no place of work."))


def _scorecard_data(request):
    scope = _staff_scope(request.user)
    districts = District.objects.all()
    if "region" in scope:
        districts = districts.filter(region_id=scope["region"])
    elif "department" in scope:
        districts = districts.filter(departments__id=scope["department"])
    form = PeriodForm(request.GET or None, districts=districts.order_by("code"))
    oversight = getattr(request.user, "is_superuser", False) or bool(
        roles.user_roles(request.user) & OVERSIGHT_ROLES
    )
    if not form.is_valid():
        return form, None, None, oversight
    start, end = form.moments()
    filters = dict(scope)
    if form.cleaned_data.get("district"):
        filters["district"] = form.cleaned_data["district"].pk
    with replica_reads():  # heavy aggregates: the replica's, unless this request wrote
        contractors = scorecards.contractor_scorecards(start, end, **filters)
        officials = (
            scorecards.official_failed_signoffs(start, end, **filters) if oversight else None
        )
    return form, contractors, officials, oversight


@login_required
def staff_scorecards(request):
    form, contractors, officials, oversight = _scorecard_data(request)
    chart = []
    for score in contractors or []:
        if score.on_time_rate is not None:
            chart.append((score, round(score.on_time_rate * 100)))
    return render(
        request,
        "contractors/scorecards.html",
        {
            "form": form,
            "contractors": contractors,
            "officials": officials,
            "oversight": oversight,
            "chart": chart,
            "query": request.GET.urlencode(),
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
def staff_scorecards_csv(request):
    form, contractors, officials, oversight = _scorecard_data(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    table = request.GET.get("table", "contractors")
    if table not in ("contractors", "officials") or (table == "officials" and not oversight):
        raise PermissionDenied(_("Your role may not see this table."))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 (Kazakh letters) only with a BOM
    writer = csv.writer(response)
    if table == "contractors":
        writer.writerow(
            [
                _("Contractor"),
                _("BIN"),
                _("Orders"),
                _("On time"),
                _("On-time rate, %"),
                _("Average working days late"),
                _("Returned at verification"),
                _("Reopened after verification"),
                _("Warranty claims"),
            ]
        )
        for s in contractors:
            writer.writerow(
                [
                    s.legal_name,
                    s.bin,
                    s.orders,
                    s.on_time,
                    "" if s.on_time_rate is None else f"{s.on_time_rate * 100:.1f}",
                    "" if s.avg_working_days_late is None else f"{s.avg_working_days_late:.2f}",
                    s.returned_at_verification,
                    s.reopened_after_verification,
                    s.warranty_claims,
                ]
            )
    else:
        writer.writerow(
            [_("Official"), _("Role"), _("Sign-offs"), _("Failed later"), _("Failed cases")]
        )
        for o in officials:
            writer.writerow(
                [
                    o.name,
                    roles.role_label(o.role),
                    o.signoffs,
                    o.failed,
                    " ".join(str(i) for i in o.failed_case_ids),
                ]
            )
    return response


@login_required
def photo_original(request, pk: int):
    """The original of a photo, location EXIF and all, for an investigator (or an admin) who may
    see the case. Each opening is written to the case's history."""
    try:
        name = attachment_original_open(pk, actor=request.user)
    except ObjectDoesNotExist as missing:
        raise Http404(str(missing)) from None
    return file_response(
        private_storage(),
        name,
        content_type=original_content_type(name),
        filename=name.rsplit("/", 1)[-1],
        as_attachment=True,
        cache_control="private, no-store",
    )
