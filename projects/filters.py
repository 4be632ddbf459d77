"""The public filters (list page and JSON twin): parsed once, refused with a message per field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import District
from contractors.models import Contractor
from projects.models import Project, ProjectContract
from projects.selectors import ProjectFilters


class ProjectFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    contractor = forms.TypedChoiceField(label=_("Contractor"), required=False, coerce=int)

    def __init__(self, *args, choices: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Project.Status.choices]
        self.fields["sector"].choices = [("", _("Any sector")), *Project.Sector.choices]
        districts, contractors = [], []
        if choices:
            districts = [(d.pk, d.name) for d in District.objects.order_by("region__code", "code")]
            contractor_ids = ProjectContract.objects.values("contract__contractor_id")
            contractors = list(
                Contractor.objects.filter(pk__in=contractor_ids)
                .order_by("legal_name")
                .values_list("pk", "legal_name")
            )
        else:
            # The JSON twin checks a number, without the choices' queries.
            self.fields["district"] = forms.IntegerField(required=False, min_value=1)
            self.fields["contractor"] = forms.IntegerField(required=False, min_value=1)
        if choices:
            self.fields["district"].choices = [("", _("Any district")), *districts]
            self.fields["contractor"].choices = [("", _("Any contractor")), *contractors]

    def filters(self, bbox=None) -> ProjectFilters:
        data = self.cleaned_data
        return ProjectFilters(
            year=data.get("year"),
            status=data.get("status") or "",
            district=data.get("district") or None,
            sector=data.get("sector") or "",
            contractor=data.get("contractor") or None,
            bbox=bbox,
        )


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """west,south,east,north in degrees; ValueError with a message when malformed."""
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise ValueError(str(_("bbox is west,south,east,north in degrees.")))
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(str(_("bbox is west,south,east,north in degrees."))) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(str(_("bbox is west,south,east,north in degrees.")))
    return west, south, east, north
