from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils.translation import gettext_lazy as _

from casework import deadlines, figures
from casework.models import District


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one field; each is checked by content in the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > 10:
            raise forms.ValidationError(_("At most 10 photos."))
        return files


class RepairReportForm(forms.Form):
    before = MultiplePhotoField(label=_("Photos before the repair"))
    after = MultiplePhotoField(label=_("Photos of the finished repair"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, first + relativedelta(months=1) - dt.timedelta(days=1)


def last_full_month() -> tuple[dt.date, dt.date]:
    """The first and last day of the last month that has ended (local time): on the 1st of a
    month that is the month before, not the new month one day old (the dashboard's month)."""
    return month_bounds(figures.last_full_month().first)


class PeriodForm(forms.Form):
    """A period of whole days (both ends included) and, for staff, a district; by default the
    last full month."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )

    def __init__(self, data=None, *, districts=None, **kwargs):
        first, last = last_full_month()
        values = {"start": first.isoformat(), "end": last.isoformat()}
        if data:
            values.update({k: v for k, v in data.items() if k in ("start", "end", "district")})
        super().__init__(values, **kwargs)
        if districts is None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end must not be before the start."))
            elif (end - start).days > 3 * 366:
                self.add_error("end", _("At most three years at a time."))
        return data

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware moments: local midnight of the first day and of the day after
        the last."""
        zone = deadlines.local_zone()
        start = dt.datetime.combine(self.cleaned_data["start"], dt.time(), tzinfo=zone)
        end = dt.datetime.combine(
            self.cleaned_data["end"] + dt.timedelta(days=1), dt.time(), tzinfo=zone
        )
        return start, end
