"""Who held which post: people, the posts of the organisation, and who occupied which post when.

Modelled on FollowTheMoney's Person / Position / Occupancy: a post outlives its holders, and an
occupancy (from, to, the appointing order) says who held it on a given day. Decisions and acts
point at the occupancy of the day, so they keep naming the post after its holder moves on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Person(models.Model):
    """A named person who decides or signs: an akim, a department head, an inspector, a
    contractor's representative. May or may not log in (`user`)."""

    full_name = models.CharField(_("full name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="oversight_person",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # The `casework.Official` this person was made from (data migration 0002), for tracing.
    official = models.OneToOneField(
        "casework.Official",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class Position(models.Model):
    """A post in the organisation (or a contractor's), independent of who holds it."""

    class Kind(models.TextChoices):
        REGION_AKIM = "region_akim", _("Akim of the region")
        CITY_AKIM = "city_akim", _("Akim of the city")
        DISTRICT_AKIM = "district_akim", _("Akim of the district")
        DEPUTY_AKIM = "deputy_akim", _("Deputy akim")
        DEPARTMENT_HEAD = "department_head", _("Head of the department")
        OFFICER = "officer", _("Department officer")
        INSPECTOR = "inspector", _("Inspector")
        CLERK = "clerk", _("Akimat clerk")
        CUSTOMER_REPRESENTATIVE = "customer_representative", _("Customer's representative")
        CONTRACTOR_REPRESENTATIVE = "contractor_representative", _("Contractor's representative")
        OTHER = "other", _("Other post")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    region = models.ForeignKey(
        "casework.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    district = models.ForeignKey(
        "casework.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    department = models.ForeignKey(
        "casework.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contractor"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["region_id", "district_id", "department_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=False)
                | models.Q(district__isnull=False)
                | models.Q(department__isnull=False)
                | models.Q(contractor__isnull=False),
                name="position_belongs_somewhere",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.department_id and not self.district_id:
            self.district_id = self.department.district_id
        if self.district_id and not self.region_id:
            self.region_id = self.district.region_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not (self.region_id or self.district_id or self.department_id or self.contractor_id):
            raise ValidationError(
                _("A post belongs to a region, a district, a department or a contractor.")
            )

    @property
    def title(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"title_{lang}", "") or self.title_ru


class Occupancy(models.Model):
    """`person` held `position` from `started_on` to `ended_on` (both days included; open-ended
    while `ended_on` is empty), appointed by the order named here."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("person")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("post")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    order_number = models.CharField(_("appointing order number"), max_length=64, blank=True)
    order_date = models.DateField(_("appointing order date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        ordering = ["person", "-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="occupancy_period_valid",
            )
        ]
        indexes = [models.Index(fields=["person", "started_on"], name="occupancy_person_from")]

    def __str__(self) -> str:
        until = self.ended_on.isoformat() if self.ended_on else "…"
        return f"{self.person}: {self.position} ({self.started_on.isoformat()} – {until})"

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A post cannot be left before it is taken.")})
