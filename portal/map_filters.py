"""The public map's filters (GET parameters of /api/public/map/ and /map/) and the public cases
they select. Only public categories are offered or counted."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework import clock
from casework.deadlines import local_zone
from casework.models import Case, Category, District
from casework.public import cases_public, public_categories
from casework.states import CaseState
from contractors.selectors import repaired_again_q, under_warranty_q

# A corruption report's own states never show (those cases never do either).
PUBLIC_STATES = (
    CaseState.RECEIVED,
    CaseState.ASSIGNED,
    CaseState.CONTRACTOR_NOTIFIED,
    CaseState.REPAIRED,
    CaseState.VERIFIED,
    CaseState.REJECTED,
)


class MapFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    again = forms.BooleanField(label=_("Repaired and complained about again"), required=False)
    warranty = forms.BooleanField(label=_("Under warranty"), required=False)

    # Filters the grid aggregate (casework.map_cells) cannot answer.
    CASE_LEVEL = ("received_from", "received_to", "again", "warranty")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = public_categories().order_by("code")
        self.fields["state"].choices = [("", _("Any state"))] + [
            (state.value, state.label) for state in PUBLIC_STATES
        ]
        self.fields["district"].empty_label = _("Any district")
        self.fields["category"].empty_label = _("Any category")

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the period is before its start."))
        return data

    def counted_by_cells(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in self.CASE_LEVEL)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone())


def filtered_cases(data: dict) -> QuerySet[Case]:
    """The public cases the cleaned filters select."""
    cases = cases_public()
    if data.get("category"):
        cases = cases.filter(category=data["category"])
    if data.get("state"):
        cases = cases.filter(state=data["state"])
    if data.get("district"):
        cases = cases.filter(district=data["district"])
    if data.get("received_from"):
        cases = cases.filter(received_at__gte=_midnight(data["received_from"]))
    if data.get("received_to"):
        end = _midnight(data["received_to"] + dt.timedelta(days=1))
        cases = cases.filter(received_at__lt=end)
    if data.get("again"):
        cases = cases.filter(repaired_again_q())
    if data.get("warranty"):
        cases = cases.filter(under_warranty_q(clock.now()))
    return cases


def cell_filters(data: dict) -> dict:
    """The same filters as `casework.map_cells.cell_counts` takes them (public categories only)."""
    categories = list(public_categories().values_list("pk", flat=True))
    if data.get("category"):
        categories = [pk for pk in categories if pk == data["category"].pk]
    return {
        "categories": categories,
        "states": [data["state"]] if data.get("state") else None,
        "districts": [data["district"].pk] if data.get("district") else None,
    }
