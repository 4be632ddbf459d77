"""Contractors, their contracts and the work orders issued under them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models import Case, Category, Department, District
from contractors.validators import validate_bin


class Contractor(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=300)
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    in_house = models.BooleanField(
        _("in-house crew"), default=False, help_text=_("A department's own crew.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name


class ContractorMember(models.Model):
    """A contractor's staff user: their scope is their company's work orders."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contractor_membership"
    )
    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="members")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contractor's user")
        verbose_name_plural = _("contractor's users")

    def __str__(self) -> str:
        return f"{self.user} @ {self.contractor}"


class Contract(models.Model):
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="contracts")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("holding department"),
    )
    number = models.CharField(_("number"), max_length=64)
    signed_on = models.DateField(_("date"))
    amount_kzt = models.DecimalField(_("amount, KZT"), max_digits=16, decimal_places=2)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    warranty_months = models.PositiveSmallIntegerField(_("warranty, months"), default=24)
    districts = models.ManyToManyField(
        District, related_name="contracts", verbose_name=_("districts")
    )
    categories = models.ManyToManyField(
        Category, related_name="contracts", verbose_name=_("categories")
    )
    history = HistoricalRecords(m2m_fields=[districts, categories])

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="contract_number_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number} ({self.contractor})"


class ContractModification(models.Model):
    """A change to a signed contract's amount or period, with its date and reason. Written only by
    `contractors.services.contract_modify`, which changes the contract in the same transaction;
    the rows are never changed afterwards (on PostgreSQL a trigger refuses it)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="modifications", verbose_name=_("contract")
    )
    old_amount_kzt = models.DecimalField(_("amount before, KZT"), max_digits=16, decimal_places=2)
    new_amount_kzt = models.DecimalField(_("amount after, KZT"), max_digits=16, decimal_places=2)
    old_ends_on = models.DateField(_("valid until, before"))
    new_ends_on = models.DateField(_("valid until, after"))
    modified_on = models.DateField(_("date of the modification"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("contract modification")
        verbose_name_plural = _("contract modifications")
        ordering = ["contract", "modified_on", "id"]

    def __str__(self) -> str:
        return f"{self.contract} ({self.modified_on})"

    @property
    def amount_changed(self) -> bool:
        return self.old_amount_kzt != self.new_amount_kzt

    @property
    def period_changed(self) -> bool:
        return self.old_ends_on != self.new_ends_on


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REPORTED = "reported", _("Repair reported")
        RETURNED = "returned", _("Returned for rework")
        ACCEPTED = "accepted", _("Accepted")
        SUPERSEDED = "superseded", _("Superseded")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="work_orders")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="work_orders")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="work_orders")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    completed_at = models.DateTimeField(_("repair reported"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )
    note = models.TextField(_("instructions"), blank=True)
    acknowledge_due_at = models.DateTimeField(_("acknowledgement due"), null=True, blank=True)
    acknowledge_escalated_at = models.DateTimeField(
        _("acknowledgement overdue, escalated"), null=True, blank=True
    )
    working_days_late = models.PositiveSmallIntegerField(
        _("working days late"), null=True, blank=True, editable=False
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    warranty_ends_at = models.DateTimeField(_("warranty until"), null=True, blank=True)
    warranty_claim = models.ForeignKey(
        "WarrantyClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("under warranty claim"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["contractor", "status"], name="workorder_contractor_status"),
            models.Index(fields=["issued_at"], name="workorder_issued"),
            models.Index(
                fields=["acknowledge_due_at"],
                name="workorder_ack_pending",
                condition=models.Q(
                    acknowledged_at__isnull=True, acknowledge_escalated_at__isnull=True
                ),
            ),
            models.Index(
                fields=["warranty_ends_at"],
                name="workorder_under_warranty",
                condition=models.Q(accepted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Work order')} #{self.pk} ({self.case})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.ACKNOWLEDGED, self.Status.RETURNED)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


class PhotoCheck(models.Model):
    """What one photo on a case says about itself, and what the inspector should know about it.

    Written when the photo is stored (`casework.uploads.attachment_stored`); never changed."""

    attachment = models.OneToOneField(
        "casework.Attachment", on_delete=models.PROTECT, related_name="photo_check"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photo_checks")
    kind = models.CharField(_("kind"), max_length=16)
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="photo_checks"
    )
    taken_at = models.DateTimeField(_("taken (EXIF)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (EXIF)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude (EXIF)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the site, m"), null=True, blank=True)
    phash = models.BigIntegerField(_("perceptual hash"), null=True, blank=True)
    # The hash in four 16-bit parts: two hashes within 3 bits share at least one part exactly,
    # so near matches are found through these indexes, not by scanning every photo.
    phash_part0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_part1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_part2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_part3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    taken_before_order = models.BooleanField(_("taken before the work order"), default=False)
    far_from_site = models.BooleanField(_("taken far from the site"), default=False)
    no_time = models.BooleanField(_("no time in the photo"), default=False)
    no_location = models.BooleanField(_("no location in the photo"), default=False)
    same_as_before = models.BooleanField(_("the same picture as a “before” photo"), default=False)
    checked_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("photo check")
        verbose_name_plural = _("photo checks")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.attachment_id} ({self.case_id})"


class PhotoReuse(models.Model):
    """The same picture found on two different cases. Both cases show the flag."""

    photo = models.ForeignKey(PhotoCheck, on_delete=models.PROTECT, related_name="reuses")
    earlier = models.ForeignKey(PhotoCheck, on_delete=models.PROTECT, related_name="reused_by")
    bits_apart = models.PositiveSmallIntegerField(_("hash bits apart"))
    found_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reused photo")
        verbose_name_plural = _("reused photos")
        constraints = [
            models.UniqueConstraint(fields=["photo", "earlier"], name="one_reuse_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.photo_id} ~ {self.earlier_id}"


class WarrantyClaim(models.Model):
    """A new complaint about a repair that failed within its warranty: the contractor owes the fix
    at no new cost, and whoever signed the repair off signed off work that failed."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="warranty_claim", verbose_name=_("new case")
    )
    original_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="warranty_claims_against",
        verbose_name=_("repaired case"),
    )
    original_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="failed_warranty_claims"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="warranty_claims"
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="warranty_claims")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("repair signed off by"),
    )
    # No database constraint: events are audit rows, and a tampered chain must stay findable
    # (manage.py verify_audit), not hidden behind a foreign-key error.
    verification_event = models.ForeignKey(
        "casework.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    work_order_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    distance_m = models.FloatField(_("distance, m"))
    repair_accepted_at = models.DateTimeField(_("repair accepted"))
    warranty_ends_at = models.DateTimeField(_("warranty until"))
    opened_at = models.DateTimeField(_("claimed"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warranty claim")
        verbose_name_plural = _("warranty claims")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["contractor", "opened_at"], name="warranty_contractor")]

    def __str__(self) -> str:
        return f"{_('Warranty claim')} {self.case} → {self.original_case}"
