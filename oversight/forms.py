"""Forms of the inquiry pages: each one the input of one service in `oversight.inquiries`."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from casework import roles
from casework.models import Case
from contractors.models import Contractor
from oversight.models import Finding, Inquiry, InquiryNote, InquiryParty, Person, Sanction

User = get_user_model()


def _text(label, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def region_staff(region_id: int | None, *role_names: str):
    """Users holding one of `role_names` in the region (for the team and supervisor choices)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=role_names,
            staff_profile__region_id=region_id,
        )
        .distinct()
        .order_by("last_name", "username")
    )


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class InquiryOpenForm(forms.Form):
    case = forms.CharField(label=_("Case tracking code"), required=False, max_length=40)
    contractor = forms.ModelChoiceField(
        label=_("Contractor"), queryset=Contractor.objects.order_by("legal_name"), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Official"), queryset=Person.objects.order_by("full_name"), required=False
    )
    allegations = _text(_("Allegations"))
    supervisor = UserChoice(label=_("Supervisor"), queryset=User.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        region_id = getattr(getattr(user, "staff_profile", None), "region_id", None)
        self.fields["supervisor"].queryset = region_staff(
            region_id, roles.INVESTIGATOR, roles.MANAGER
        )

    def clean(self):
        data = super().clean()
        subjects = []
        code = (data.get("case") or "").strip().upper()
        if code:
            case = Case.objects.filter(tracking_code=code).first()
            if case is None:
                self.add_error("case", _("No such case."))
            else:
                subjects.append(case)
        subjects += [data[name] for name in ("contractor", "person") if data.get(name)]
        if not subjects and not self.errors:
            raise forms.ValidationError(_("Name at least one subject of the inquiry."))
        data["subjects"] = subjects
        return data


class AssignForm(forms.Form):
    add = UserChoice(label=_("Assign"), queryset=User.objects.none(), required=False)
    remove = UserChoice(label=_("Take off"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add"].queryset = region_staff(inquiry.region_id, roles.INVESTIGATOR)
        self.fields["remove"].queryset = inquiry.investigators.all()


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30)
    reason = _text(_("Reason"))


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=InquiryParty.Role.choices)
    person = forms.ModelChoiceField(
        label=_("Official"), queryset=Person.objects.order_by("full_name"), required=False
    )
    contractor = forms.ModelChoiceField(
        label=_("Contractor"), queryset=Contractor.objects.order_by("legal_name"), required=False
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RevealForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)
    reason = _text(_("Why do you need to know who this is? Every reveal is logged."))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    case_event = forms.IntegerField(label=_("Case event (id)"), required=False)
    attachment = forms.IntegerField(label=_("Photo (id)"), required=False)
    act = forms.CharField(label=_("Act number"), required=False, max_length=64)
    description = _text(_("Description"), required=False, rows=2)


class TransferForm(forms.Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput)
    to_user = UserChoice(label=_("Hand over to"), queryset=User.objects.none())
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(
            pk__in=[*inquiry.investigators.values_list("pk", flat=True), inquiry.supervisor_id]
        )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InquiryNote.Kind.choices)
    party = forms.ModelChoiceField(
        label=_("Party"), queryset=InquiryParty.objects.none(), required=False
    )
    held_at = forms.DateTimeField(label=_("Held"), required=False)
    text = _text(_("Text"), rows=5)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = inquiry.parties.all()


class FindingForm(forms.Form):
    party = forms.ModelChoiceField(label=_("Party"), queryset=InquiryParty.objects.none())
    conclusion = forms.ChoiceField(label=_("Finding"), choices=Finding.Conclusion.choices)
    reasoning = _text(_("Reasoning"), rows=4)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = inquiry.parties.filter(role=InquiryParty.Role.SUBJECT)


class SanctionForm(forms.Form):
    party = forms.ModelChoiceField(label=_("On"), queryset=InquiryParty.objects.none())
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    legal_basis = _text(_("Legal basis"), rows=2)
    publishable = forms.BooleanField(label=_("May be published"), required=False)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = inquiry.parties.filter(role=InquiryParty.Role.SUBJECT)


class SanctionStatusForm(forms.Form):
    sanction = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Sanction.Status.choices)
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=64)
    order_date = forms.DateField(label=_("Order date"), required=False)
    reason = _text(_("Reason"), required=False, rows=2)
    publishable = forms.BooleanField(label=_("May be published"), required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Inquiry.Outcome.choices)
    outcome_text = _text(_("Outcome in words"), required=False)
    recommendations = _text(_("Recommendations"), required=False)
    publishable = forms.BooleanField(label=_("The outcome may be published"), required=False)
