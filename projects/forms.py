"""Staff forms: they parse and show the fields; the services validate the rules and write."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from contractors.models import Contract
from projects.csv_io import _geometry
from projects.models import Milestone, Project, ProjectDocument
from projects.services import MILESTONE_FIELDS, PROJECT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GeometryField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "geometry-input"})

    def prepare_value(self, value):
        return value if isinstance(value, str) else _geometry(value) if value else ""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise forms.ValidationError(
                _("The location must be a GeoJSON Point, LineString or Polygon.")
            ) from None


class ProjectForm(forms.ModelForm):
    geometry = GeometryField(
        label=_("location (GeoJSON)"),
        help_text=_('For example {"type": "Point", "coordinates": [57.167, 50.284]}.'),
    )
    contracts = forms.ModelMultipleChoiceField(
        label=_("contracts"),
        queryset=Contract.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = Project
        fields = [f for f in PROJECT_FIELDS if f != "geometry"]
        widgets = {"budget_approved_on": DATE, "warranty_until": DATE}

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        contracts = Contract.objects.select_related("contractor").order_by("number")
        if region is not None:
            contracts = contracts.filter(department__district__region=region)
        self.fields["contracts"].queryset = contracts
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial.setdefault("geometry", self.instance.geometry)
            self.initial["contracts"] = list(self.instance.contracts.values_list("pk", flat=True))

    def _post_clean(self):
        # The services validate the model (and say which field is wrong); not twice here.
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROJECT_FIELDS}


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = list(MILESTONE_FIELDS)
        widgets = {
            name: DATE for name in ("planned_start", "planned_end", "actual_start", "actual_end")
        }

    def _post_clean(self):
        pass


class ProgressForm(forms.Form):
    observed_on = forms.DateField(label=_("date"), widget=DATE)
    physical_percent = forms.DecimalField(
        label=_("physical progress, %"), min_value=0, max_value=100, decimal_places=2
    )
    spent_amount = forms.DecimalField(
        label=_("spent so far, KZT"), min_value=0, max_digits=16, decimal_places=2
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = forms.FileField(
        label=_("evidence photos"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("document type"), choices=ProjectDocument.Type.choices
    )
    title = forms.CharField(label=_("title"), max_length=300)
    file = forms.FileField(label=_("file"))


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
