"""The citizen's web form and the clerk's phone form. Both end in `casework.services.case_open`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.limits import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS
from casework.models import Category, District
from intake.models import DistrictArea
from intake.placing import Placement, district_from_point

MAX_PHOTOS = 5
# Django's own message has no Kazakh translation.
TOO_LONG = {
    "max_length": _("At most %(limit_value)d characters, please (this has %(show_value)d).")
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked for what it is by `case_open`."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        if len(cleaned) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos, please.") % {"n": MAX_PHOTOS})
        return cleaned


class PlaceMixin(forms.Form):
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, decimal_places=6, widget=forms.HiddenInput
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=500,
        required=False,
        help_text=_("Pick the place on the map, or type the address."),
    )

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("address", _("The map point is incomplete; pick it again."))
        elif not has_point and not (data.get("address") or "").strip():
            self.add_error("address", _("Pick the place on the map or type the address."))
        return data


def place_refusal(placement: Placement, chosen: District | None, *, own: bool) -> str:
    """Why a marked place was refused, for the citizen (`own` False) or the clerk, whose district
    is their own."""
    names = {"chosen": chosen, "found": placement.found}
    if placement.refusal == "in_other" and own:
        return (
            _(
                "The marked place is in %(found)s, outside your district %(chosen)s. Move the "
                "mark, or pass the caller to the akimat of %(found)s."
            )
            % names
        )
    if placement.refusal == "in_other":
        return (
            _(
                "The place you marked is in %(found)s, not in %(chosen)s. Choose %(found)s, or "
                "move the mark."
            )
            % names
        )
    if placement.refusal == "outside_chosen" and own:
        return (
            _(
                "The marked place is outside your district %(chosen)s. Move the mark, or remove it "
                "and type the address."
            )
            % names
        )
    if placement.refusal == "outside_chosen":
        return (
            _(
                "The place you marked is outside %(chosen)s. Move the mark into the district, or "
                "remove it and type the address."
            )
            % names
        )
    return _(
        "The place you marked is outside every district we serve. Move the mark, or choose the "
        "district and type the address."
    )


class ComplaintForm(PlaceMixin):
    category = forms.ModelChoiceField(
        label=_("What is the problem?"),
        queryset=Category.objects.order_by("code"),
        empty_label=_("Choose…"),
    )
    district = forms.ModelChoiceField(
        label=_("District or city"),
        queryset=District.objects.select_related("region").order_by("region__code", "code"),
        empty_label=_("Choose…"),
    )
    title = forms.CharField(
        label=_("In a few words"),
        max_length=TITLE_MAX_CHARS,
        required=False,
        help_text=_("For example: deep pothole at house 12."),
        error_messages=TOO_LONG,
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea,
        error_messages=TOO_LONG,
    )
    photos = PhotosField(label=_("Photos (up to 5)"))
    name = forms.CharField(label=_("Your name"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    field_order = [
        "category",
        "district",
        "title",
        "description",
        "address",
        "latitude",
        "longitude",
        "photos",
        "name",
        "phone",
        "email",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if DistrictArea.objects.exists():
            # The district follows from a point on the map; chosen, it is checked against it.
            district = self.fields["district"]
            district.required = False
            district.help_text = _("Mark the place on the map and the district is found from it.")

    def clean(self):
        data = super().clean()
        if "district" in self.errors:
            return data
        chosen = data.get("district")
        placement = district_from_point(data.get("latitude"), data.get("longitude"), chosen)
        if placement.refusal:
            self.add_error("district", place_refusal(placement, chosen, own=False))
        elif placement.district is None:
            self.add_error("district", _("Choose the district, or mark the place on the map."))
        else:
            data["district"] = placement.district
        return data


class PhoneComplaintForm(PlaceMixin):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("code"), empty_label=_("Choose…")
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=300, required=False)
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False)
    caller_language = forms.ChoiceField(
        label=_("Caller's language"), choices=[("kk", _("Kazakh")), ("ru", _("Russian"))]
    )
    anonymous = forms.BooleanField(label=_("The caller wishes to stay anonymous"), required=False)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_CHARS, error_messages=TOO_LONG)
    description = forms.CharField(
        label=_("What the caller said"),
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea,
        error_messages=TOO_LONG,
    )
    received_at = forms.DateTimeField(
        label=_("Time of the call"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args, district: District, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district

    def clean_received_at(self):
        moment = self.cleaned_data.get("received_at")
        if moment is None:
            return None
        now = timezone.now()
        if moment > now + dt.timedelta(minutes=5):
            raise ValidationError(_("The call cannot be in the future."))
        if moment < now - dt.timedelta(days=7):
            raise ValidationError(_("Record calls within a week of taking them."))
        return moment

    def clean(self):
        data = super().clean()
        if not data.get("anonymous") and not (data.get("caller_name") or data.get("caller_phone")):
            self.add_error(
                "caller_name", _("Write the caller's name or phone, or tick “anonymous”.")
            )
        placement = district_from_point(data.get("latitude"), data.get("longitude"), self.district)
        if placement.refusal:
            self.add_error("address", place_refusal(placement, self.district, own=True))
        return data


def service_errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields (unknown fields at the top)."""
    aliases = {"complainant": None, "iin": None, "photos": "photos", "title": "title"}
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = aliases.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
