from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.models import Case, Department, District, Region
from contractors.models import Contractor
from reports.models import ReportRun
from reports.periods import Period, Scope, period_parse


class MonthlyReportForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("All regions (the whole country)"),
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    contractor = forms.ModelChoiceField(label=_("Contractor"), queryset=None, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=ReportRun.Language.choices)
    recommendations = forms.CharField(
        label=_("Recommendations (printed on the front page)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )

    def __init__(self, *args, region: Region | None = None, **kwargs):
        # The reports page shows this form beside the dossier's: ids of their own.
        kwargs.setdefault("auto_id", "id_monthly_%s")
        super().__init__(*args, **kwargs)
        if region is not None:
            self.fields["region"].queryset = Region.objects.filter(pk=region.pk)
            self.fields["region"].initial = region.pk
            self.fields["region"].required = True
            self.fields["district"].queryset = District.objects.filter(region=region)
            self.fields["department"].queryset = Department.objects.filter(district__region=region)
        else:
            self.fields["district"].queryset = District.objects.all()
            self.fields["department"].queryset = Department.objects.all()
        self.fields["contractor"].queryset = Contractor.objects.all()

    def clean_month(self) -> Period:
        try:
            return period_parse(self.cleaned_data["month"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self):
        data = super().clean()
        region, district, department = (data.get(k) for k in ("region", "district", "department"))
        if district and region and district.region_id != region.pk:
            self.add_error("district", _("The district is not in that region."))
        if department and district and department.district_id != district.pk:
            self.add_error("department", _("The department is not in that district."))
        if department and not district:
            data["district"] = department.district
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        district, department = data.get("district"), data.get("department")
        region = data.get("region") or (district.region if district else None)
        return Scope(region, district, department, data.get("contractor"))


class DossierForm(forms.Form):
    tracking_code = forms.CharField(label=_("Tracking code"), max_length=32)
    language = forms.ChoiceField(label=_("Language"), choices=ReportRun.Language.choices)
    variant = forms.ChoiceField(
        label=_("Variant"), choices=ReportRun.Variant.choices, initial=ReportRun.Variant.STANDARD
    )
    reason = forms.CharField(
        label=_("Reason (for the investigator's copy)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, cases=None, **kwargs):
        kwargs.setdefault("auto_id", "id_dossier_%s")
        super().__init__(*args, **kwargs)
        self.cases = cases if cases is not None else Case.objects.none()

    def clean_tracking_code(self) -> Case:
        code = self.cleaned_data["tracking_code"].strip().upper()
        case = self.cases.filter(tracking_code=code).first()
        if case is None:
            raise ValidationError(_("No case with this tracking code that you may see."))
        return case
