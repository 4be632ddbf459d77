"""The search forms of the officials' and contractors' lists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.models import Position
from oversight.profiles import districts_for


class OfficialFilterForm(forms.Form):
    q = forms.CharField(label=_("Full name"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Post"), required=False, choices=[("", _("Any post"))] + Position.Kind.choices
    )
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=None, empty_label=_("Any district")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_for(user).order_by("code")


class ContractorFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or BIN"), required=False, max_length=200)
