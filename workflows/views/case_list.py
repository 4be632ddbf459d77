"""The staff case list (/staff/cases/): filters, sortable columns, the total, thumbnails; its CSV
export (/staff/cases/export.csv with the list's own query string); saved filters; and the
clerks' bulk actions on the selected cases."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casework import clock
from casework.models import Attachment, Case
from casework.states import CLOSED_STATES
from workflows import bulk, caselist, queues, thumbnails
from workflows.forms import CaseFilterForm
from workflows.models import SavedFilter
from workflows.services import saved_filter_delete, saved_filter_save
from workflows.views.access import post_only, refuse, staff_required, visible_case
from workflows.views.lists import counts

# The sortable columns: (sort key, heading); the others are not sortable.
COLUMNS = (
    ("code", gettext_lazy("Case")),
    ("state", gettext_lazy("State")),
    ("category", gettext_lazy("Category")),
    ("district", gettext_lazy("Where")),
    ("due", gettext_lazy("Answer due")),
)


def _sort_headers(request, current: str) -> list[dict]:
    base = {k: v for k, v in request.GET.items() if k not in ("page", "sort") and v}
    headers = []
    for key, label in COLUMNS:
        ascending = current == key
        descending = current == f"-{key}"
        target = f"-{key}" if ascending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "href": "?" + urlencode({**base, "sort": target}),
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return headers


def _scope_departments(user):
    return caselist.filter_scope(user)[1].select_related("district")


def _drill_fields(form) -> list:
    """The dashboard's filters this list was opened with (kept as hidden fields)."""
    return [form[name] for name in caselist.DRILL_DOWN_FIELDS if form.data.get(name)]


@staff_required
def case_list(request):
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    saved = list(SavedFilter.objects.filter(user=user))
    if request.GET and not form.is_valid():
        return render(
            request,
            "workflows/cases.html",
            {
                "form": form,
                "rows": [],
                "drill": _drill_fields(form),
                "saved_filters": saved,
                "nav": "cases",
                "counts": counts(user),
            },
            status=400,
        )
    filters = form.cleaned_data if request.GET else {}
    page = caselist.case_list(user, filters)
    open_tasks = {
        task.case_id: task
        for task in queues.case_tasks().filter(
            process__caseprocess__case__in=[c.pk for c in page.cases],
            status__in=queues.ACTIVE,
        )
    }
    thumbnails = caselist.case_thumbnails(page.cases)
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    now = clock.now()
    may_bulk = bulk.bulk_allowed(user)
    return render(
        request,
        "workflows/cases.html",
        {
            "form": form,
            "rows": [
                {
                    "case": case,
                    "task": open_tasks.get(case.pk),
                    "thumbnail": thumbnails.get(case.pk),
                    "overdue": case.state not in CLOSED_STATES
                    and case.due_at is not None
                    and case.due_at < now,
                }
                for case in page.cases
            ],
            "page": page,
            "drill": _drill_fields(form),
            "headers": _sort_headers(request, filters.get("sort") or ""),
            "query": urlencode(query),
            "next_query": urlencode({**query, "page": page.page + 1}),
            "prev_query": urlencode({**query, "page": page.page - 1}),
            "saved_filters": saved,
            "may_bulk": may_bulk,
            "bulk_departments": _scope_departments(user) if may_bulk else [],
            "nav": "cases",
            "counts": counts(user),
        },
    )


@staff_required
def photo_thumbnail(request, pk: int, attachment: int):
    """A small preview of a case photo, for those who may see the case."""
    case = visible_case(request.user, pk)
    photo = (
        Attachment.objects.filter(pk=attachment, case_id=pk, content_type__startswith="image/")
        .only("id", "file", "sha256")
        .first()
        if case
        else None
    )
    data = thumbnails.thumbnail_bytes(photo) if photo is not None else None
    if data is None:
        return refuse(request, 404, _("No such photo, or it is not yours to see."))
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- the CSV export ------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


# A cell a spreadsheet would take for a formula is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _csv_lines(cases: Iterator[Case], language: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    with translation.override(language):
        yield "\ufeff"  # Excel opens UTF-8 (Kazakh letters) only with a BOM
        yield writer.writerow(
            [
                _("Tracking code"),
                _("Title"),
                _("State"),
                _("Category"),
                _("District"),
                _("Department"),
                _("Address"),
                _("Received"),
                _("Answer due"),
                _("Closed"),
                _("Escalation level"),
            ]
        )
        for case in cases:
            yield writer.writerow(
                [
                    _cell(case.tracking_code),
                    _cell(case.title),
                    _cell(case.get_state_display()),
                    _cell(case.category),
                    _cell(case.district),
                    _cell(case.department or ""),
                    _cell(case.address),
                    _moment(case.received_at),
                    _moment(case.due_at),
                    _moment(case.closed_at),
                    case.escalation_level or "",
                ]
            )


@staff_required
def case_export(request):
    """The list's cases as CSV: the same filters, the same scope, all pages. No personal data:
    the complainant's fields are never part of it."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return refuse(request, 400, _("Some filters are not valid; see the case list."))
    filters = form.cleaned_data if request.GET else {}
    cases = caselist.case_export_rows(request.user, filters)
    response = StreamingHttpResponse(
        _csv_lines(cases, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- saved filters ---------------------------------------------------------------------------


@staff_required
@post_only
def saved_filter_create(request):
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_save(request.user, name=request.POST.get("name", ""), query=query)
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    messages.success(request, _("The filter “%(name)s” is saved.") % {"name": saved.name})
    return redirect(f"{_list_url()}?{saved.query}" if saved.query else _list_url())


@staff_required
@post_only
def saved_filter_remove(request, pk: int):
    try:
        saved_filter_delete(request.user, pk)
    except ValidationError as error:
        return refuse(request, 404, " ".join(error.messages))
    messages.success(request, _("The saved filter is deleted."))
    return redirect(_list_url())


def _list_url() -> str:
    return reverse("workflows:cases")


# --- bulk actions ----------------------------------------------------------------------------


def _case_ids(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("case")]
    except ValueError:
        raise ValidationError({"case": _("No such case.")}) from None


@staff_required
@post_only
def cases_bulk(request):
    """Take or route the selected cases; one outcome per case, on a page of its own."""
    user = request.user
    if not bulk.bulk_allowed(user):
        return refuse(request, 403, _("Only clerks act on many cases at once."))
    operation = request.POST.get("op", "")
    try:
        ids = _case_ids(request)
        if operation == "claim":
            outcomes = bulk.cases_bulk_claim(ids, actor=user)
        elif operation == "route":
            department = (
                _scope_departments(user).filter(pk=request.POST.get("department") or 0).first()
                if str(request.POST.get("department", "")).isdigit()
                else None
            )
            if department is None:
                raise ValidationError({"department": _("Choose a department.")})
            outcomes = bulk.cases_bulk_route(ids, actor=user, department=department)
        else:
            return refuse(request, 400, _("No such action."))
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    done = sum(outcome.done for outcome in outcomes)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = _list_url()
    return render(
        request,
        "workflows/bulk_done.html",
        {
            "outcomes": outcomes,
            "summary": ngettext(
                "%(done)d of %(n)d case done.", "%(done)d of %(n)d cases done.", len(outcomes)
            )
            % {"done": done, "n": len(outcomes)},
            "back": back,
            "nav": "cases",
            "counts": counts(user),
        },
        status=200 if done else 409,
    )
