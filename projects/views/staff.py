"""Staff pages of the projects registry (/staff/projects/): managers of the region and officers of
the responsible department list, create and edit projects, record milestones, progress and
documents, and export/import CSV. Every write goes through projects.services."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from projects import csv_io, services
from projects.comments import comments_waiting_count
from projects.forms import CsvImportForm, DocumentForm, MilestoneForm, ProgressForm, ProjectForm
from projects.models import Milestone
from projects.permissions import may_use_staff_pages
from projects.selectors import latest_progress_by_project, project_for_staff, projects_editable_by

CSV_MAX_BYTES = 5 * 1024 * 1024


def project_editor(view):
    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_use_staff_pages(request.user):
            raise PermissionDenied(_("Only managers and department officers edit projects."))
        return view(request, *args, **kwargs)

    return wrapper


def _region(user):
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "region", None) or getattr(
        getattr(profile, "district", None), "region", None
    )


def _errors_to_form(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _project_or_404(request, code: str):
    project = project_for_staff(request.user, code)
    if project is None:
        raise Http404(_("No such project."))
    return project


@project_editor
def project_list(request):
    projects = list(projects_editable_by(request.user)[:500])
    latest = latest_progress_by_project([p.pk for p in projects])
    rows = [(p, latest.get(p.pk)) for p in projects]
    return render(
        request,
        "projects/staff/list.html",
        {
            "rows": rows,
            "import_form": CsvImportForm(),
            "comments_waiting": comments_waiting_count(request.user),
            "nav": "projects",
        },
    )


@project_editor
def project_new(request):
    form = ProjectForm(request.POST or None, region=_region(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=request.user,
                    data=form.service_data(),
                    contracts=form.cleaned_data["contracts"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("The project is saved."))
                return redirect("projects_staff:edit", code=project.code)
        status = 400
    return render(
        request, "projects/staff/form.html", {"form": form, "nav": "projects"}, status=status
    )


def _edit_page(request, project, *, status=200, **forms):
    context = {
        "project": project,
        "form": forms.get("form") or ProjectForm(instance=project, region=project.region),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(prefix="m"),
        "progress_form": forms.get("progress_form") or ProgressForm(prefix="p"),
        "document_form": forms.get("document_form") or DocumentForm(prefix="d"),
        "milestones": list(project.milestones.select_related("responsible_position")),
        "progress": list(project.progress.all()[:10]),
        "documents": list(project.documents.all()),
        "nav": "projects",
    }
    return render(request, "projects/staff/edit.html", context, status=status)


@project_editor
def project_edit(request, code: str):
    project = _project_or_404(request, code)
    if request.method != "POST":
        return _edit_page(request, project)
    form = ProjectForm(request.POST, instance=project, region=project.region)
    if form.is_valid():
        data = form.service_data()
        data.pop("code", None)
        try:
            services.project_update(
                project, actor=request.user, data=data, contracts=form.cleaned_data["contracts"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("projects_staff:edit", code=project.code)
    project.refresh_from_db()
    return _edit_page(request, project, form=form, status=400)


@project_editor
@require_POST
def milestone_add(request, code: str):
    project = _project_or_404(request, code)
    form = MilestoneForm(request.POST, prefix="m")
    if form.is_valid():
        try:
            services.milestone_record(project, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The milestone is saved."))
            return redirect("projects_staff:edit", code=project.code)
    return _edit_page(request, project, milestone_form=form, status=400)


@project_editor
def milestone_edit(request, code: str, pk: int):
    project = _project_or_404(request, code)
    milestone = Milestone.objects.filter(project=project, pk=pk).first()
    if milestone is None:
        raise Http404(_("No such milestone."))
    form = MilestoneForm(request.POST or None, instance=milestone, prefix="m")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.milestone_record(
                    project, actor=request.user, data=form.cleaned_data, milestone=milestone.pk
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("The milestone is saved."))
                return redirect("projects_staff:edit", code=project.code)
        status = 400
    return render(
        request,
        "projects/staff/milestone.html",
        {"project": project, "form": form, "milestone": milestone, "nav": "projects"},
        status=status,
    )


@project_editor
@require_POST
def progress_add(request, code: str):
    project = _project_or_404(request, code)
    form = ProgressForm(request.POST, request.FILES, prefix="p")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_record(
                project,
                actor=request.user,
                observed_on=data["observed_on"],
                physical_percent=data["physical_percent"],
                spent_amount=data["spent_amount"],
                note=data["note"],
                photos=request.FILES.getlist("p-photos"),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The progress is recorded."))
            return redirect("projects_staff:edit", code=project.code)
    return _edit_page(request, project, progress_form=form, status=400)


@project_editor
@require_POST
def document_upload(request, code: str):
    project = _project_or_404(request, code)
    form = DocumentForm(request.POST, request.FILES, prefix="d")
    if form.is_valid():
        try:
            services.document_add(
                project,
                actor=request.user,
                document_type=form.cleaned_data["document_type"],
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("projects_staff:edit", code=project.code)
    return _edit_page(request, project, document_form=form, status=400)


@project_editor
def csv_export(request):
    text = csv_io.projects_csv(projects_editable_by(request.user))
    response = HttpResponse(text.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projects.csv"'
    return response


@project_editor
@require_POST
def csv_import(request):
    form = CsvImportForm(request.POST, request.FILES)
    row_errors: list = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            form.add_error("file", _("The file must be at most 5 MB."))
        else:
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                form.add_error("file", _("The file must be UTF-8 text."))
            else:
                try:
                    with transaction.atomic():
                        created, updated = csv_io.projects_import(text, actor=request.user)
                except csv_io.ImportRefused as exc:
                    row_errors = exc.errors
                else:
                    messages.success(
                        request,
                        _("Imported: %(created)d new, %(updated)d updated.")
                        % {"created": created, "updated": updated},
                    )
                    return redirect("projects_staff:list")
    return render(
        request,
        "projects/staff/import.html",
        {"import_form": form, "row_errors": row_errors, "nav": "projects"},
        status=400,
    )
