"""The filters of the ratings' pages: unknown values are errors (400), not silently ignored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings import selectors
from ratings.drill import MEASURES
from ratings.periods import KIND_LABELS, KINDS, period_parse


class RatingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), required=False)
    period = forms.CharField(
        label=_("Which one"),
        required=False,
        max_length=8,
        help_text=_("For example 2026, 2026-Q3 or 2026-07"),
    )
    group = forms.ChoiceField(label=_("Compared among"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, KIND_LABELS[k]) for k in KINDS]
        self.fields["group"].choices = [("", _("All groups")), *selectors.peer_group_choices()]
        self.fields["region"].choices = [("", _("All regions")), *selectors.region_choices()]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "month"
        data["kind"] = kind
        code = (data.get("period") or "").strip()
        if code:
            period = period_parse(code)
            if period is None or period.kind != kind:
                self.add_error("period", _("Not a period of this kind."))
            data["period"] = period
        else:
            data["period"] = selectors.latest_period(kind)
        return data


class DrillForm(forms.Form):
    """Which of a post's figures to list the cases of, and whose (all holders when empty)."""

    measure = forms.ChoiceField(label=_("Measure"), required=False)
    person = forms.IntegerField(label=_("Held the post"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = list(MEASURES.items())

    def clean_measure(self) -> str:
        return self.cleaned_data.get("measure") or "closed"
