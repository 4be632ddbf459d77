"""The only writers of projects, their milestones, progress and documents.

Each service locks the project row, checks that the actor may edit it (projects/permissions.py),
validates (ValidationError with a message per field, nothing written), writes; history comes from
django-simple-history on every model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from casework.models import Department, District
from contractors.models import Contract
from projects.follows import milestone_news, progress_news, project_followers_notify
from projects.models import (
    Milestone,
    ProgressObservation,
    ProgressPhoto,
    Project,
    ProjectContract,
    ProjectDocument,
)
from projects.models.project import project_touch
from projects.permissions import may_edit, may_edit_project

PROJECT_FIELDS = (
    "code",
    "title_kk",
    "title_ru",
    "description_kk",
    "description_ru",
    "sector",
    "type",
    "status",
    "region",
    "district",
    "geometry",
    "budget_amount",
    "budget_source",
    "budget_approved_on",
    "planned_year",
    "department",
    "responsible_position",
    "warranty_until",
)
MILESTONE_FIELDS = (
    "name_kk",
    "name_ru",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "responsible_position",
)
# A change to any of these is news for the project's followers.
NEWS_FIELDS = ("planned_end", "actual_start", "actual_end", "status")
DOCUMENT_MAX_BYTES = 25 * 1024 * 1024
PHOTO_MAX_BYTES = 15 * 1024 * 1024


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You may not edit this project."))


def _check_places(project: Project, errors: dict[str, Any]) -> None:
    if project.district_id and project.region_id:
        region = District.objects.filter(pk=project.district_id).values_list("region_id", flat=True)
        if region.first() != project.region_id:
            errors["district"] = _("The district must be in the project's region.")
    if project.department_id and project.region_id:
        region = Department.objects.filter(pk=project.department_id).values_list(
            "district__region_id", flat=True
        )
        if region.first() != project.region_id:
            errors["department"] = _("The department must be in the project's region.")
    if project.warranty_until and project.status not in (
        Project.Status.COMPLETION,
        Project.Status.COMPLETED,
    ):
        errors.setdefault("warranty_until", _("A warranty runs only once the works are completed."))


def _check_contracts(project: Project, contracts: Iterable[Contract]) -> list[Contract]:
    contracts = list(contracts)
    for contract in contracts:
        if contract.department.district.region_id != project.region_id:
            raise ValidationError(
                {"contracts": _("Each contract must be held by a department of the region.")}
            )
    return contracts


def _validated(project: Project, contracts) -> list[Contract] | None:
    errors: dict[str, Any] = {}
    try:
        project.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _check_places(project, errors)
    if errors:
        raise ValidationError(errors)
    return None if contracts is None else _check_contracts(project, contracts)


def _set_contracts(project: Project, contracts: list[Contract] | None) -> None:
    if contracts is None:
        return
    wanted = {c.pk for c in contracts}
    links = ProjectContract.objects.filter(project=project)
    have = set(links.values_list("contract_id", flat=True))
    for link in ProjectContract.objects.filter(project=project, contract_id__in=have - wanted):
        link.delete()  # each delete leaves its history row
    for pk in sorted(wanted - have):
        ProjectContract.objects.create(project=project, contract_id=pk)


@transaction.atomic
def project_create(
    *, actor, data: dict[str, Any], contracts: Iterable[Contract] | None = None
) -> Project:
    project = Project(**{k: v for k, v in data.items() if k in PROJECT_FIELDS})
    if not may_edit(actor, region_id=project.region_id, department_id=project.department_id):
        raise _deny()
    checked = _validated(project, contracts)
    project._history_user = actor
    project.save()
    _set_contracts(project, checked)
    _after_change(project)
    return project


@transaction.atomic
def project_update(
    project: Project,
    *,
    actor,
    data: dict[str, Any],
    contracts: Iterable[Contract] | None = None,
) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not may_edit_project(actor, project):
        raise _deny()
    before = {field: getattr(project, field) for field in PROJECT_FIELDS}
    before_contracts = set(
        ProjectContract.objects.filter(project=project).values_list("contract_id", flat=True)
    )
    for field, value in data.items():
        if field in PROJECT_FIELDS and field != "code":
            setattr(project, field, value)
    # Moving a project out of one's own scope is the same as creating it there.
    if not may_edit_project(actor, project):
        raise _deny()
    checked = _validated(project, contracts)
    unchanged = all(getattr(project, f) == v for f, v in before.items()) and (
        checked is None or {c.pk for c in checked} == before_contracts
    )
    if unchanged:
        # Nothing to record (an import of an unchanged export): no history row, same ETag.
        return project
    project._history_user = actor
    project.save()
    _set_contracts(project, checked)
    _after_change(project)
    return project


def _after_change(project: Project) -> None:
    """Its place, status or warranty may now take in complaints: link them after commit."""
    from projects.linking import project_links_enqueue

    project_links_enqueue(project)


def _locked(project: Project | int, actor) -> Project:
    pk = getattr(project, "pk", project)
    project = Project.objects.select_for_update().filter(pk=pk).first()
    if project is None:
        raise ValidationError({"project": _("No such project.")})
    if not may_edit_project(actor, project):
        raise _deny()
    return project


def _check_milestone(milestone: Milestone) -> None:
    errors: dict[str, Any] = {}
    try:
        milestone.full_clean(exclude=["project"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    today = timezone.localdate()
    m = milestone
    if m.planned_start and m.planned_end and m.planned_end < m.planned_start:
        errors.setdefault("planned_end", _("The planned end cannot be before the planned start."))
    if m.actual_start and m.actual_end and m.actual_end < m.actual_start:
        errors.setdefault("actual_end", _("The actual end cannot be before the actual start."))
    if m.actual_end and not m.actual_start:
        errors.setdefault("actual_start", _("Give the actual start as well."))
    for field in ("actual_start", "actual_end"):
        value = getattr(m, field)
        if isinstance(value, dt.date) and value > today:
            errors.setdefault(field, _("An actual date cannot be in the future."))
    if m.status == Milestone.Status.MET and not m.actual_end:
        errors.setdefault("actual_end", _("A milestone met needs its actual end."))
    if m.status == Milestone.Status.SCHEDULED and m.actual_end:
        errors.setdefault("status", _("A finished milestone is met, partially met or not met."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_record(
    project: Project | int,
    *,
    actor,
    data: dict[str, Any],
    milestone: Milestone | int | None = None,
) -> Milestone:
    """Add a milestone to the project, or change one of its milestones (`milestone`)."""
    project = _locked(project, actor)
    if milestone is None:
        target = Milestone(project=project)
    else:
        target = Milestone.objects.filter(pk=getattr(milestone, "pk", milestone)).first()
        if target is None or target.project_id != project.pk:
            raise ValidationError({"milestone": _("No such milestone in this project.")})
    before = {field: getattr(target, field) for field in NEWS_FIELDS}
    for field, value in data.items():
        if field in MILESTONE_FIELDS:
            setattr(target, field, value)
    _check_milestone(target)
    target._history_user = actor
    target.save()
    project_touch(project.pk)
    if milestone is None or before != {field: getattr(target, field) for field in NEWS_FIELDS}:
        project_followers_notify(
            project, "milestone", milestone_news(target, new=milestone is None)
        )
    return target


def _decimal(value, field: str, low: Decimal, high: Decimal, message: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: message}) from None
    if not number.is_finite() or number < low or number > high:
        raise ValidationError({field: message})
    return number


def _check_photo(photo) -> None:
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photos": _("Each photo must be at most 15 MB.")})
    try:
        with Image.open(photo) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError):
        message = _("Each photo must be a JPEG, PNG or WebP image.")
        raise ValidationError({"photos": message}) from None
    photo.seek(0)


@transaction.atomic
def progress_record(
    project: Project | int,
    *,
    actor,
    observed_on: dt.date,
    physical_percent,
    spent_amount,
    note: str = "",
    photos: Iterable | None = None,
) -> ProgressObservation:
    project = _locked(project, actor)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["physical_percent"] = _decimal(
            physical_percent,
            "physical_percent",
            Decimal(0),
            Decimal(100),
            _("Enter the physical progress as a percentage from 0 to 100."),
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        values["spent_amount"] = _decimal(
            spent_amount,
            "spent_amount",
            Decimal(0),
            Decimal("1e13"),
            _("Enter the amount spent in tenge."),
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not isinstance(observed_on, dt.date):
        errors["observed_on"] = _("Enter the date of the observation.")
    elif observed_on > timezone.localdate():
        errors["observed_on"] = _("The date cannot be in the future.")
    photos = list(photos or [])
    for photo in photos:
        try:
            _check_photo(photo)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            break
    if errors:
        raise ValidationError(errors)
    observation = ProgressObservation(
        project=project, observed_on=observed_on, note=note.strip(), recorded_by=actor, **values
    )
    observation._history_user = actor
    observation.save()
    for photo in photos:
        ProgressPhoto.objects.create(observation=observation, image=photo)
    project_touch(project.pk)
    project_followers_notify(project, "progress", progress_news(observation))
    return observation


@transaction.atomic
def document_add(
    project: Project | int, *, actor, document_type: str, title: str, file
) -> ProjectDocument:
    project = _locked(project, actor)
    errors: dict[str, str] = {}
    if document_type not in ProjectDocument.Type.values:
        errors["document_type"] = _("Choose a document type from the list.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > 300:
        errors["title"] = _("At most %(n)d characters, please.") % {"n": 300}
    if file is None:
        errors["file"] = _("Choose the file.")
    elif file.size > DOCUMENT_MAX_BYTES:
        errors["file"] = _("The file must be at most 25 MB.")
    if errors:
        raise ValidationError(errors)
    document = ProjectDocument(
        project=project,
        document_type=document_type,
        title=title,
        file=file,
        uploaded_by=actor,
    )
    document._history_user = actor
    document.save()
    project_touch(project.pk)
    return document
