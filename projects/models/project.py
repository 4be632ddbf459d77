"""A public-works project, named after the Open Contracting for Infrastructure Data Standard
(OC4IDS) where it has a name: code (`id`), title, description, status, type, sector, location
geometry, budget, planned year, the responsible department and post, its contracts."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.geometry import geometry_bbox, geometry_validate


class Project(models.Model):
    class Status(models.TextChoices):
        # OC4IDS projectStatus codelist.
        IDENTIFICATION = "identification", _("Identification")
        PREPARATION = "preparation", _("Preparation")
        IMPLEMENTATION = "implementation", _("Implementation")
        COMPLETION = "completion", _("Completion")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Type(models.TextChoices):
        # OC4IDS projectType codelist (the three public works use).
        CONSTRUCTION = "construction", _("Construction")
        REHABILITATION = "rehabilitation", _("Rehabilitation")
        REPAIR = "replacement", _("Repair")

    class Sector(models.TextChoices):
        ROADS = "transport.road", _("Roads")
        LIGHTING = "energy.lighting", _("Street lighting")
        YARDS = "communityAmenities.yards", _("Yards and playgrounds")
        WATER = "waterSupply", _("Water supply and sewerage")
        HEATING = "energy.heating", _("Heating")
        PARKS = "communityAmenities.parks", _("Parks and squares")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IDENTIFICATION
    )
    region = models.ForeignKey(
        "casework.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    district = models.ForeignKey(
        "casework.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    # A GeoJSON geometry: a Point, a LineString for a road, a Polygon for a yard.
    geometry = models.JSONField(_("location"), validators=[geometry_validate])
    # The bounding box of the geometry, kept with it, so that "cases inside" and the map's
    # bbox filter are plain comparisons.
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    budget_amount = models.DecimalField(
        _("budget, KZT"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    budget_source = models.CharField(_("budget source"), max_length=200, blank=True)
    budget_approved_on = models.DateField(_("budget approved on"), null=True, blank=True)
    planned_year = models.PositiveSmallIntegerField(
        _("planned year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    department = models.ForeignKey(
        "casework.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    responsible_position = models.ForeignKey(
        "oversight.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible post"),
    )
    contracts = models.ManyToManyField(
        "contractors.Contract",
        through="ProjectContract",
        blank=True,
        related_name="projects",
        verbose_name=_("contracts"),
    )
    warranty_until = models.DateField(_("under warranty until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "planned_year"], name="project_status_year"),
            models.Index(fields=["min_lon", "min_lat"], name="project_bbox"),
            # The public list's order, and the registry's last change (ETag, Last-Modified).
            models.Index(fields=["-planned_year", "code"], name="project_public_order"),
            models.Index(fields=["updated_at"], name="project_changed"),
            models.Index(fields=["max_lon", "max_lat"], name="project_bbox_east"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geometry_bbox(self.geometry)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return self.title_kk if (get_language() or "").startswith("kk") else self.title_ru

    @property
    def description(self) -> str:
        lang = get_language() or ""
        return self.description_kk if lang.startswith("kk") else self.description_ru


class ProjectContract(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey("contractors.Contract", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "contract"], name="one_link_per_contract")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ↔ {self.contract_id}"


def project_touch(pk: int) -> None:
    """Mark the project's public page changed (a milestone, progress, document or linked
    complaint): its ETag and Last-Modified follow `updated_at`. No history row: the change
    itself has its own."""
    from django.utils import timezone

    Project.objects.filter(pk=pk).update(updated_at=timezone.now())
