"""The organisation: regions, district akimats, departments, officials, categories, staff scope."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TrilingualName(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru


class Official(models.Model):
    """A named public official: a district akim, a department head. May or may not log in."""

    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})"


class Region(TrilingualName):
    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("Prefix of tracking codes, e.g. AQT")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]


class District(TrilingualName):
    class Kind(models.TextChoices):
        CITY = "city", _("City akimat")
        DISTRICT = "district", _("District akimat")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    akim = models.ForeignKey(
        Official,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("akim"),
    )
    akim_office_email = models.EmailField(_("akim's office e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["region__code", "code"]


class Department(TrilingualName):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(_("code"), max_length=32, unique=True)
    head = models.ForeignKey(
        Official,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["district__code", "code"]


class Category(TrilingualName):
    """A kind of complaint, with its Open311 service code and its deadlines in working days."""

    code = models.CharField(_("service code"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Shown on public listings and Open311. Corruption reports never are."),
    )
    requires_identity = models.BooleanField(
        _("identity required"),
        default=False,
        help_text=_("The complainant must give a name and contact; anonymous is refused."),
    )
    corruption_report = models.BooleanField(
        _("corruption report"),
        default=False,
        help_text=_(
            "Who complained is revealed only to the anti-corruption investigators of the case's "
            "region (Article 424 of the Criminal Code)."
        ),
    )
    sla_triage_days = models.PositiveSmallIntegerField(_("triage, working days"), default=1)
    sla_work_order_days = models.PositiveSmallIntegerField(_("work order, working days"), default=3)
    sla_repair_days = models.PositiveSmallIntegerField(_("repair, working days"), default=10)
    sla_verification_days = models.PositiveSmallIntegerField(
        _("verification, working days"), default=3
    )
    sla_total_days = models.PositiveSmallIntegerField(_("answer, working days"), default=15)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def stage_days(self, stage: str) -> int:
        return {
            "received": self.sla_triage_days,
            "assigned": self.sla_work_order_days,
            "contractor_notified": self.sla_repair_days,
            "repaired": self.sla_verification_days,
        }[stage]


class CategoryRouting(models.Model):
    """The department that gets a category's cases in a district by default."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="routing")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["district", "category"], name="one_route_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.district} / {self.category} -> {self.department}"

    def clean(self) -> None:
        if self.department_id and self.district_id:
            if self.department.district.region_id != self.district.region_id:
                raise ValidationError(_("The department must be in the same region."))


class StaffProfile(models.Model):
    """Where a staff user works. The scope is read with the user's role (group):
    clerk -> district; officer, inspector -> department; investigator, manager -> region;
    contractor -> their company (kept by the contractors app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args, **kwargs) -> None:
        # Keep the wider scopes filled in so that region-level reads need no joins.
        if self.department_id and not self.district_id:
            self.district_id = self.department.district_id
        if self.district_id and not self.region_id:
            self.region_id = self.district.region_id
        super().save(*args, **kwargs)
