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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["contractor", "status"], name="workorder_contractor_status")
        ]

    def __str__(self) -> str:
        return f"{_('Work order')} #{self.pk} ({self.case})"
