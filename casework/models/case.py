"""The case, its complainant and its files.

`Case.state` changes only through the transition methods below, and only services call them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from casework.crypto import EncryptedTextField
from casework.models.org import Category, Department, District, Region
from casework.states import CLOSED_STATES, CaseState, Channel, Priority, RejectReason, edges_named


class CaseUpdateRefused(Exception):
    """Raised by `Case.objects.update()` / `bulk_update()`: they would skip the audit trail."""


class CaseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise CaseUpdateRefused(
            "Case rows change only through casework.services (Case.objects.update is refused)."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise CaseUpdateRefused(
            "Case rows change only through casework.services (bulk_update is refused)."
        )

    def open(self) -> CaseQuerySet:
        return self.exclude(state__in=CLOSED_STATES)

    def overdue(self, now=None) -> CaseQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())


def _may(name: str):
    def permission(case: Case, user) -> bool:
        from casework.permissions import may_transition

        return may_transition(name, case, user)

    permission.__name__ = f"may_{name}"
    return permission


def lifecycle(name: str):
    """Declare a transition method with every edge of that name in `casework.states`."""

    def decorate(func):
        for edge in edges_named(name):
            func = transition(
                field="state", source=edge.source, target=edge.target, permission=_may(name)
            )(func)
        return func

    return decorate


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


class Complainant(models.Model):
    """Who complained. Contact data is encrypted at rest; reading it is logged (services)."""

    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = EncryptedTextField(_("name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    iin = EncryptedTextField(_("IIN"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="ru")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["phone_index"])

    class Meta:
        verbose_name = _("complainant")
        verbose_name_plural = _("complainants")

    def __str__(self) -> str:
        return f"{_('complainant')} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        from casework.crypto import blind_index

        self.phone_index = blind_index(self.phone) if self.phone else ""
        super().save(*args, **kwargs)


class TrackingSequence(models.Model):
    """Counters of the sequential codes issued before codes became random (casework/tracking.py);
    kept for the record, no longer advanced."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_sequence_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last}"


class Case(ConcurrentTransitionMixin, models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=32, unique=True, editable=False)
    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("department")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    complainant = models.ForeignKey(
        Complainant, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    state = FSMField(
        _("state"),
        default=CaseState.RECEIVED,
        choices=CaseState.choices,
        protected=True,
        max_length=32,
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    redirect_due_at = models.DateTimeField(_("redirect due"), null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    reject_reason = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    work_order_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reroute_count = models.PositiveSmallIntegerField(default=0, editable=False)
    rework_count = models.PositiveSmallIntegerField(default=0, editable=False)
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    extension_count = models.PositiveSmallIntegerField(default=0, editable=False)
    escalation_level = models.PositiveSmallIntegerField(default=0, editable=False)
    event_seq = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["event_seq", "access_token"])

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["region", "-id"], name="case_region_recent"),
            models.Index(fields=["district", "-id"], name="case_district_recent"),
            models.Index(fields=["department", "-id"], name="case_department_recent"),
            models.Index(fields=["state", "due_at"], name="case_state_due"),
            models.Index(fields=["state", "stage_due_at"], name="case_state_stage_due"),
            models.Index(fields=["received_at"], name="case_received"),
            # The map's bounding box (casework/geo_clusters.py): a street's cases without
            # reading the region's.
            models.Index(fields=["longitude", "latitude"], name="case_place"),
        ]
        permissions = [("reveal_complainant", "Can reveal complainant contact data")]

    def __str__(self) -> str:
        return self.tracking_code or f"case #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(not self.is_closed and self.due_at and self.due_at < timezone.now())

    @property
    def is_stage_overdue(self) -> bool:
        return bool(not self.is_closed and self.stage_due_at and self.stage_due_at < timezone.now())

    # The lifecycle. Each method only moves the state and the fields that belong to that move;
    # services validate input, lock the row, write the event and queue side effects.

    @lifecycle("assign")
    def assign(self, department: Department) -> None:
        if self.state == CaseState.ASSIGNED:
            self.reroute_count += 1
        self.department = department

    @lifecycle("notify_contractor")
    def notify_contractor(self, issued_by) -> None:
        self.work_order_issued_by = issued_by

    @lifecycle("report_repaired")
    def report_repaired(self) -> None:
        pass

    @lifecycle("verify")
    def verify(self, inspector) -> None:
        self.verified_by = inspector

    @lifecycle("return_for_rework")
    def return_for_rework(self) -> None:
        self.rework_count += 1

    @lifecycle("reject")
    def reject(self, reason_code: str, duplicate_of: Case | None) -> None:
        self.reject_reason = reason_code
        self.duplicate_of = duplicate_of

    # A corruption report's own lifecycle: the region's anti-corruption investigators only.

    @lifecycle("review_start")
    def review_start(self) -> None:
        pass

    @lifecycle("refer")
    def refer(self) -> None:
        pass

    @lifecycle("answer")
    def answer(self) -> None:
        pass

    @lifecycle("reopen")
    def reopen(self) -> None:
        self.reopen_count += 1
        self.reject_reason = ""
        self.duplicate_of = None
        self.verified_by = None


class Attachment(models.Model):
    """A photo or document on a case: the complaint's photos, repair evidence, inspection."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint photo")
        BEFORE = "before", _("Before repair")
        AFTER = "after", _("After repair")
        INSPECTION = "inspection", _("Inspection photo")
        DOCUMENT = "document", _("Document")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case_id})"
