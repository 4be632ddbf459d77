"""Acceptance acts: what an inspector accepted, how much it cost and who signed it.

Append-only (on PostgreSQL triggers refuse UPDATE and DELETE on these tables): a correction is a
new act that names the act it supersedes and why. The SHA-256 of each act's canonical content
(`oversight.acts.act_document`) is recorded as an `act_signed` event in the case's audit chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    SQUARE_METRE = "m2", _("m²")
    METRE = "m", _("m")
    CUBIC_METRE = "m3", _("m³")
    PIECE = "pcs", _("pcs")
    TONNE = "t", _("t")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Acceptance acts are append-only.")

    def delete(self):
        raise PermissionError("Acceptance acts are append-only.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Acceptance acts are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Acceptance acts are append-only.")


class AcceptanceAct(AppendOnly):
    work_order = models.ForeignKey(
        "contractors.WorkOrder",
        on_delete=models.PROTECT,
        related_name="acceptance_acts",
        verbose_name=_("work order"),
    )
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    contract = models.ForeignKey(
        "contractors.Contract",
        on_delete=models.PROTECT,
        related_name="acceptance_acts",
        verbose_name=_("contract charged"),
    )
    number = models.CharField(_("act number"), max_length=64, unique=True)
    signed_on = models.DateField(_("act date"))
    signed_at = models.DateTimeField(_("signed"))
    description = models.TextField(_("what was accepted"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    amount_kzt = models.DecimalField(_("amount, KZT"), max_digits=16, decimal_places=2)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    content_sha256 = models.CharField(_("SHA-256 of the act"), max_length=64)
    # The `act_signed` event that put the hash into the audit chain (see DecisionAttribution).
    event = models.OneToOneField(
        "casework.CaseEvent",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="acceptance_act",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("acceptance act")
        verbose_name_plural = _("acceptance acts")
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="act_quantity_positive"
            ),
            models.CheckConstraint(condition=models.Q(amount_kzt__gte=0), name="act_amount_valid"),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="act_correction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["contract", "signed_at"], name="act_contract_time")]

    def __str__(self) -> str:
        return f"{_('Act')} № {self.number}"


class AcceptanceActPhoto(AppendOnly):
    act = models.ForeignKey(AcceptanceAct, on_delete=models.PROTECT, related_name="photos")
    attachment = models.ForeignKey(
        "casework.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("act photo")
        verbose_name_plural = _("act photos")
        ordering = ["act", "id"]
        constraints = [
            models.UniqueConstraint(fields=["act", "attachment"], name="one_act_photo_per_file")
        ]

    def __str__(self) -> str:
        return self.sha256[:12]


class AcceptanceActSignatory(AppendOnly):
    class Role(models.TextChoices):
        INSPECTOR = "inspector", _("Inspector")
        CUSTOMER = "customer_representative", _("Customer's representative")
        CONTRACTOR = "contractor_representative", _("Contractor's representative")

    act = models.ForeignKey(AcceptanceAct, on_delete=models.PROTECT, related_name="signatories")
    role = models.CharField(_("signs as"), max_length=32, choices=Role.choices)
    person = models.ForeignKey(
        "oversight.Person", on_delete=models.PROTECT, related_name="signatures"
    )
    occupancy = models.ForeignKey(
        "oversight.Occupancy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    position = models.ForeignKey(
        "oversight.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )

    class Meta:
        verbose_name = _("act signatory")
        verbose_name_plural = _("act signatories")
        ordering = ["act", "id"]
        constraints = [
            models.UniqueConstraint(fields=["act", "role"], name="one_signatory_per_act_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person}"
