"""Staff pages: ask for a report, watch its progress, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from casework.media import file_response
from casework.selectors import cases_visible_to
from reports import services
from reports.forms import DossierForm, MonthlyReportForm
from reports.models import ReportRun
from reports.periods import previous_month


def _reports_user(request) -> None:
    if not services.may_use_reports(request.user):
        raise PermissionDenied


def _user_region(user):
    profile = getattr(user, "staff_profile", None)
    return profile.region if profile and profile.region_id else None


def _forms(request, monthly=None, dossier=None):
    region = None if request.user.is_superuser else _user_region(request.user)
    language = (getattr(request, "LANGUAGE_CODE", "") or "ru")[:2]
    monthly = monthly or MonthlyReportForm(
        region=region,
        initial={
            "month": previous_month(timezone.localdate()).strftime("%Y-%m"),
            "language": language,
            "region": region.pk if region else None,
        },
    )
    dossier = dossier or DossierForm(
        cases=cases_visible_to(request.user), initial={"language": language}
    )
    return monthly, dossier


def _page(request, monthly=None, dossier=None, status=200) -> HttpResponse:
    monthly, dossier = _forms(request, monthly, dossier)
    runs = services.runs_visible_to(request.user).select_related(
        "region", "district", "department", "case", "requested_by"
    )[:50]
    return render(
        request,
        "reports/list.html",
        {"monthly_form": monthly, "dossier_form": dossier, "runs": runs},
        status=status,
    )


@login_required
@require_GET
def report_list(request):
    _reports_user(request)
    return _page(request)


@login_required
@require_POST
def monthly_request(request):
    _reports_user(request)
    region = None if request.user.is_superuser else _user_region(request.user)
    form = MonthlyReportForm(request.POST, region=region)
    if not form.is_valid():
        return _page(request, monthly=form, status=400)
    try:
        run = services.report_request_monthly(
            request.user,
            scope=form.scope(),
            period=form.cleaned_data["month"],
            language=form.cleaned_data["language"],
            recommendations=form.cleaned_data["recommendations"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, monthly=form, status=400)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _page(request, monthly=form, status=403)
    return redirect("reports:run", pk=run.pk)


@login_required
@require_POST
def dossier_request(request):
    _reports_user(request)
    form = DossierForm(request.POST, cases=cases_visible_to(request.user))
    if not form.is_valid():
        return _page(request, dossier=form, status=400)
    try:
        run = services.report_request_dossier(
            request.user,
            case=form.cleaned_data["tracking_code"],
            language=form.cleaned_data["language"],
            variant=form.cleaned_data["variant"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, dossier=form, status=400)
    return redirect("reports:run", pk=run.pk)


def _run_for(request, pk: int) -> ReportRun:
    _reports_user(request)
    return get_object_or_404(
        services.runs_visible_to(request.user).select_related(
            "region", "district", "department", "contractor", "case", "requested_by"
        ),
        pk=pk,
    )


@login_required
@require_GET
def run_detail(request, pk: int):
    run = _run_for(request, pk)
    return render(request, "reports/run.html", {"run": run, **_urls(run)})


def _urls(run: ReportRun) -> dict[str, str]:
    return {
        "status_url": reverse("reports:run-status", args=[run.pk]),
        "download_url": reverse("reports:run-download", args=[run.pk]),
    }


@login_required
@require_GET
def run_status(request, pk: int):
    run = _run_for(request, pk)
    summary = services.run_summary(run)
    if run.status == ReportRun.Status.DONE:
        summary["download_url"] = _urls(run)["download_url"]
    return JsonResponse(summary)


@login_required
@require_GET
def run_download(request, pk: int):
    run = _run_for(request, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404
    try:
        response = file_response(
            run.file.storage,
            run.file.name,
            content_type="application/pdf",
            filename=run.filename(),
            as_attachment=True,
            cache_control="private, no-store",
        )
    except FileNotFoundError:
        raise Http404 from None
    response["X-Content-SHA256"] = run.file_sha256
    return response


@login_required
@require_GET
def inquiry_dossier(request, pk: int):
    """The inquiry dossier PDF, rendered now, for the inquiry's team only (404 for anyone else).
    Witnesses and reporters appear by number: their identity is revealed on the inquiry page."""
    from casework import clock
    from oversight.selectors import inquiries_visible_to
    from reports.inquiry_dossier import inquiry_dossier_build

    inquiry = inquiries_visible_to(request.user).filter(pk=pk).first()
    if inquiry is None:
        raise Http404
    language = request.GET.get("language") or getattr(request, "LANGUAGE_CODE", "ru")
    if language not in ("kk", "ru", "en"):
        language = "ru"
    built = inquiry_dossier_build(
        inquiry, language=language, moment=clock.now(), generated_by=request.user
    )
    response = HttpResponse(built.pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{inquiry.number}-{language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
