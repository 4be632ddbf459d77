"""Forms of the staff application. They check the shape of what was sent; the rules (who may,
from which state, which contract) are the services' and come back as field errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import clock, deadlines, figures
from casework.models import Case, Category, Department, District
from casework.selectors import cases_visible_to
from casework.services import REASON_MAX, REOPEN_KINDS
from casework.states import CaseState, RejectReason
from contractors.models import Contract
from oversight.models import Unit
from workflows import caselist

MAX_PHOTOS = 10
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos under one name; the services decide whether each really is a photo."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)d photos at a time, please.") % {"n": MAX_PHOTOS}, code="too_many"
            )
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


def text_field(label, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def local_datetime_field(label, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class ActionForm(forms.Form):
    """Every action form carries the version of the case it was filled in for: if someone
    changed the case meanwhile, the service refuses (409) instead of acting on stale facts."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, case: Case, user, **kwargs):
        self.case = case
        self.user = user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.event_seq)
        super().__init__(*args, **kwargs)


class AssignForm(ActionForm):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("Department"))
    reason = text_field(_("Reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        departments = Department.objects.filter(district__region_id=case.region_id)
        if case.department_id:
            departments = departments.exclude(pk=case.department_id)
        self.fields["department"].queryset = departments.select_related("district").order_by(
            "district__code", "code"
        )
        if case.state == CaseState.ASSIGNED:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _(
                "Say why the case goes to another department (the citizen's deadline runs on)."
            )
        else:
            routed = case.district.routing.filter(category_id=case.category_id).first()
            if routed is not None:
                self.fields["department"].initial = routed.department_id


class RejectForm(ActionForm):
    reason_code = forms.ChoiceField(choices=RejectReason.choices, label=_("Reason"))
    reason = text_field(
        _("Explanation for the citizen"),
        help_text=_("The citizen sees this text on the tracking page."),
    )
    duplicate_of = forms.CharField(
        label=_("Tracking code of the original case"),
        required=False,
        max_length=32,
        help_text=_("Only when the reason is a duplicate."),
    )

    def clean_duplicate_of(self):
        code = (self.cleaned_data.get("duplicate_of") or "").strip().upper()
        if not code:
            return None
        original = cases_visible_to(self.user).filter(tracking_code=code).first()
        if original is None:
            raise forms.ValidationError(_("No case with this tracking code that you can see."))
        return original.pk


class WorkOrderForm(ActionForm):
    contract = forms.ModelChoiceField(queryset=None, label=_("Contract"))
    due_at = local_datetime_field(
        _("Repair due"),
        required=False,
        help_text=_("Leave empty for the category's standard time in working days."),
    )
    note = text_field(_("Instructions for the contractor"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        today = clock.now().astimezone(deadlines.local_zone()).date()
        self.fields["contract"].queryset = (
            Contract.objects.filter(
                department_id=case.department_id,
                districts=case.district_id,
                categories=case.category_id,
                starts_on__lte=today,
                ends_on__gte=today,
            )
            .select_related("contractor")
            .distinct()
            .order_by("number")
        )
        standard = deadlines.add_working_days(clock.now(), case.category.sla_repair_days)
        self.fields["due_at"].widget.attrs["placeholder"] = timezone.localtime(standard).strftime(
            DATETIME_LOCAL
        )


class RepairReportForm(ActionForm):
    before = MultipleImageField(label=_("Photos before the repair"))
    after = MultipleImageField(label=_("Photos of the finished repair"))
    note = text_field(_("Note"), required=False)


class VerifyForm(ActionForm):
    """Accepting the repair signs its acceptance act: what was accepted and what it costs."""

    quantity = forms.DecimalField(
        label=_("Quantity accepted"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.SQUARE_METRE)
    amount_kzt = forms.DecimalField(
        label=_("Amount charged to the contract, ₸"),
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
    )
    description = text_field(_("What was accepted"), required=False)
    note = text_field(_("Inspection note"), required=False)
    photos = MultipleImageField(label=_("Inspection photos"), required=False)


class ReturnForm(ActionForm):
    reason = text_field(_("What is wrong with the repair"))
    photos = MultipleImageField(label=_("Inspection photos"), required=False)


REOPEN_LABELS = {
    "warranty_defect": _("Defect under warranty"),
    "citizen_dispute": _("The citizen disputes the repair"),
    "appeal": _("Appeal against the rejection"),
}


class ReopenForm(ActionForm):
    kind = forms.ChoiceField(choices=(), label=_("Why"))
    reason = text_field(_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = (
            ["appeal"]
            if self.case.state == CaseState.REJECTED
            else [k for k in REOPEN_KINDS if k != "appeal"]
        )
        self.fields["kind"].choices = [(k, REOPEN_LABELS[k]) for k in kinds]


class ReviewStartForm(ActionForm):
    note = text_field(_("Note"), required=False)


class AnswerForm(ActionForm):
    answer = text_field(
        _("Answer for the citizen"),
        help_text=_("The citizen sees this text on the tracking page and in the notice."),
    )


class ReferForm(AnswerForm):
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=300,
        help_text=_("The body that investigates it, for example the prosecutor's office."),
    )
    field_order = ["referred_to", "answer"]


class ExtendDeadlineForm(ActionForm):
    new_due_at = local_datetime_field(_("New answer deadline"), required=True)
    decision = text_field(
        _("Motivated decision"),
        help_text=_("Why more time is needed; the citizen is told within 3 working days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = deadlines.extension_cap(self.case.received_at)
        self.fields["new_due_at"].help_text = _("At most two months from receipt: %(cap)s.") % {
            "cap": timezone.localtime(cap).strftime("%d.%m.%Y %H:%M")
        }
        self.fields["new_due_at"].widget.attrs["max"] = timezone.localtime(cap).strftime(
            DATETIME_LOCAL
        )


class RevealForm(forms.Form):
    reason = text_field(
        _("Why do you need the contact data?"), help_text=_("Every reveal is logged.")
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (not in the future), cleaned to a `casework.figures.Month`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        month = figures.month_parse(text)
        if month is None:
            raise forms.ValidationError(
                _("Give a month as YYYY-MM, not in the future (got “%(text)s”)."),
                params={"text": text},
            )
        return month


class CaseFilterForm(forms.Form):
    """The filters of the case list. Unknown values are errors, not silently ignored; a district
    or department outside the user's scope is not offered, and one forced into the address is
    dropped (the list stays within the scope either way)."""

    SHOW_CHOICES = [
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("closed", _("Closed")),
        ("all", _("All")),
        *[(f"state:{value}", label) for value, label in CaseState.choices],
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("code"), required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    flagged = forms.BooleanField(label=_("Flagged for investigators"), required=False)
    # The dashboard's drill-downs (casework.figures): each shows exactly the cases a figure
    # counts. Months as YYYY-MM.
    received = MonthField(label=_("Received in"))
    closed = MonthField(label=_("Closed in"))
    overdue_at = MonthField(label=_("Overdue at the end of"))
    escalated = MonthField(label=_("Escalated in"))
    level = forms.TypedChoiceField(
        label=_("Escalation level"),
        choices=[("", "")] + [(str(v), str(v)) for v in figures.LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    late_stage_in = MonthField(label=_("Stage finished late in"))
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", "")] + [(s, CaseState(s).label) for s in figures.STAGES],
        required=False,
    )
    late_orders_in = MonthField(label=_("Work order late in"))
    contractor = forms.IntegerField(label=_("Contractor"), min_value=1, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"), choices=[(key, key) for key in caselist.SORT_KEYS], required=False
    )
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        districts, departments = caselist.filter_scope(user)
        if data is not None:
            data = data.copy()
            for name, allowed in (("district", districts), ("department", departments)):
                value = data.get(name)
                if value and not (str(value).isdigit() and allowed.filter(pk=int(value)).exists()):
                    data.pop(name)
        super().__init__(data, *args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["department"].queryset = departments


def local_now() -> dt.datetime:
    return timezone.localtime(clock.now())
