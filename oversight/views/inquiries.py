"""The investigator's inquiry pages: the list, one inquiry with a form for each service, and its
dossier PDF (in `reports.views`). An inquiry is seen only by its team (`inquiries_visible_to`):
anyone else gets 404 on its pages, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from casework import roles
from casework.media import file_response
from casework.models import Attachment, CaseEvent
from casework.services import TransitionConflict
from oversight import forms, inquiries
from oversight.inquiry_display import log_action_label, party_text, sanction_target_text
from oversight.models import AcceptanceAct, EvidenceItem, Inquiry, InquiryParty, Sanction
from oversight.selectors import findings_in_force, inquiries_visible_to, inquiry_log

TITLES = {
    400: gettext_lazy("Please correct the form"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Not allowed"),
    409: gettext_lazy("Someone was faster"),
}
LANGUAGES = ("kk", "ru", "en")


def refuse(request, status: int, message: str):
    return render(
        request,
        "workflows/refused.html",
        {"status": status, "title": TITLES.get(status, ""), "message": message},
        status=status,
    )


def investigators_only(view):
    """Investigators and managers (who may supervise); everyone else is refused."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.user_roles(request.user) & {roles.INVESTIGATOR, roles.MANAGER}:
            return refuse(request, 403, _("Inquiries are for anti-corruption investigators."))
        return view(request, *args, **kwargs)

    return wrapper


def visible_inquiry(user, pk: int) -> Inquiry:
    inquiry = inquiries_visible_to(user).select_related("region").filter(pk=pk).first()
    if inquiry is None:
        raise Http404(_("No such inquiry, or it is not yours to see."))
    return inquiry


@investigators_only
@never_cache
def inquiry_list(request):
    form = forms.InquiryOpenForm(user=request.user)
    if request.method == "POST":
        form = forms.InquiryOpenForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inquiry = inquiries.inquiry_open(
                    actor=request.user,
                    subjects=data["subjects"],
                    allegations=data["allegations"],
                    supervisor=data["supervisor"],
                )
            except PermissionDenied as error:
                return refuse(request, 403, str(error))
            except ValidationError as error:
                return refuse(request, 400, " ".join(error.messages))
            return redirect("oversight:inquiry", pk=inquiry.pk)
    rows = inquiries_visible_to(request.user).select_related("region").order_by("-opened_at")
    return render(
        request,
        "oversight/inquiries.html",
        {
            "rows": rows,
            "form": form,
            "may_open": roles.INVESTIGATOR in roles.user_roles(request.user),
            "nav": "inquiries",
        },
        status=400 if form.errors else 200,
    )


def _page_context(request, inquiry: Inquiry) -> dict:
    on = inquiry.opened_at
    parties = list(inquiry.parties.select_related("person", "contractor").order_by("number"))
    in_force = findings_in_force(inquiry)
    evidence = []
    for item in inquiry.evidence.order_by("number"):
        evidence.append(
            {
                "item": item,
                "custodian": inquiries.current_custodian_id(item),
                "transfers": list(item.transfers.select_related("from_user", "to_user")),
                # One form per row: ids of its own (id_transfer<pk>_reason), each with its label.
                "transfer": forms.TransferForm(inquiry=inquiry, auto_id=f"id_transfer{item.pk}_%s"),
            }
        )
    kwargs = {"inquiry": inquiry}
    return {
        "inquiry": inquiry,
        "team_role": inquiries.team_role(inquiry, request.user),
        "subjects": inquiry.subjects.select_related(
            "case", "act", "contract__contractor", "contractor", "person"
        ),
        "parties": [
            {"party": p, "name": party_text(p, on), "finding": in_force.get(p.pk)} for p in parties
        ],
        "evidence": evidence,
        "notes": inquiry.notes.select_related("party", "written_by"),
        "sanctions": [
            {
                "sanction": s,
                "target": sanction_target_text(s, on),
                "status_form": forms.SanctionStatusForm(auto_id=f"id_sanction{s.pk}_%s"),
            }
            for s in inquiry.sanctions.select_related("person", "contractor")
        ],
        "log": [{"entry": e, "label": log_action_label(e.action)} for e in inquiry_log(inquiry)],
        "investigators": inquiry.investigators.all(),
        # The page shows all of these at once: each form's ids carry its name.
        "forms": {
            "assign": forms.AssignForm(auto_id="id_assign_%s", **kwargs),
            "extend": forms.ExtendForm(auto_id="id_extend_%s"),
            "party": forms.PartyForm(auto_id="id_party_%s"),
            "evidence": forms.EvidenceForm(auto_id="id_evidence_%s"),
            "note": forms.NoteForm(auto_id="id_note_%s", **kwargs),
            "finding": forms.FindingForm(auto_id="id_finding_%s", **kwargs),
            "sanction": forms.SanctionForm(auto_id="id_sanction_%s", **kwargs),
            "close": forms.CloseForm(auto_id="id_close_%s"),
        },
        "languages": LANGUAGES,
        "nav": "inquiries",
    }


@login_required
@never_cache
def inquiry_page(request, pk: int):
    inquiry = visible_inquiry(request.user, pk)
    return render(request, "oversight/inquiry.html", _page_context(request, inquiry))


# Actions: form class, whether it needs the inquiry, and the call of the service -----------------


def _evidence(inquiry, user, data, files):
    act = None
    if data.get("act"):
        act = AcceptanceAct.objects.filter(number=data["act"].strip()).first()
        if act is None:
            raise ValidationError({"act": _("No such act.")})
    event = CaseEvent.objects.filter(pk=data["case_event"]).first() if data["case_event"] else None
    photo = Attachment.objects.filter(pk=data["attachment"]).first() if data["attachment"] else None
    if (data["case_event"] and event is None) or (data["attachment"] and photo is None):
        raise ValidationError({"evidence": _("No such case event or photo.")})
    return inquiries.evidence_add(
        inquiry,
        actor=user,
        file=files.get("file"),
        case_event=event,
        attachment=photo,
        act=act,
        description=data["description"],
    )


def _party(inquiry, user, data, files):
    identity = {k: data[k] for k in ("name", "phone", "email", "note") if data.get(k)}
    return inquiries.inquiry_party_add(
        inquiry,
        actor=user,
        role=data["role"],
        person=data.get("person"),
        contractor=data.get("contractor"),
        identity=identity or None,
    )


def _transfer(inquiry, user, data, files):
    item = EvidenceItem.objects.filter(pk=data["evidence"], inquiry=inquiry).first()
    if item is None:
        raise ValidationError({"evidence": _("No such evidence item.")})
    return inquiries.evidence_transfer(
        item, actor=user, to_user=data["to_user"], reason=data["reason"]
    )


def _assign(inquiry, user, data, files):
    return inquiries.inquiry_assign(
        inquiry,
        actor=user,
        add=[data["add"]] if data["add"] else [],
        remove=[data["remove"]] if data["remove"] else [],
    )


def _sanction(inquiry, user, data, files):
    party = data["party"]
    return inquiries.sanction_propose(
        inquiry,
        actor=user,
        target=party.person or party.contractor,
        kind=data["kind"],
        legal_basis=data["legal_basis"],
        publishable=data["publishable"],
    )


def _sanction_status(inquiry, user, data, files):
    sanction = Sanction.objects.filter(pk=data["sanction"], inquiry=inquiry).first()
    if sanction is None:
        raise ValidationError({"sanction": _("No such sanction.")})
    return inquiries.sanction_set_status(
        sanction,
        actor=user,
        status=data["status"],
        reason=data["reason"],
        order_number=data["order_number"] or None,
        order_date=data["order_date"],
        publishable=data["publishable"],
    )


ACTIONS: dict[str, tuple[type, bool, Callable]] = {
    "assign": (forms.AssignForm, True, _assign),
    "extend": (
        forms.ExtendForm,
        False,
        lambda i, u, d, f: inquiries.inquiry_deadline_extend(
            i, actor=u, working_days=d["working_days"], reason=d["reason"]
        ),
    ),
    "party": (forms.PartyForm, False, _party),
    "evidence": (forms.EvidenceForm, False, _evidence),
    "transfer": (forms.TransferForm, True, _transfer),
    "note": (
        forms.NoteForm,
        True,
        lambda i, u, d, f: inquiries.inquiry_note_add(
            i, actor=u, text=d["text"], kind=d["kind"], party=d["party"], held_at=d["held_at"]
        ),
    ),
    "finding": (
        forms.FindingForm,
        True,
        lambda i, u, d, f: inquiries.finding_record(
            i, actor=u, party=d["party"], conclusion=d["conclusion"], reasoning=d["reasoning"]
        ),
    ),
    "sanction": (forms.SanctionForm, True, _sanction),
    "sanction-status": (forms.SanctionStatusForm, False, _sanction_status),
    "close": (
        forms.CloseForm,
        False,
        lambda i, u, d, f: inquiries.inquiry_close(
            i,
            actor=u,
            outcome=d["outcome"],
            outcome_text=d["outcome_text"],
            recommendations=d["recommendations"],
            publishable=d["publishable"],
        ),
    ),
}


@login_required
@never_cache
def inquiry_action(request, pk: int, action: str):
    inquiry = visible_inquiry(request.user, pk)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    if request.method != "POST":
        response = refuse(request, 405, _("Use the buttons on the page."))
        response["Allow"] = "POST"
        return response
    form_class, needs_inquiry, call = ACTIONS[action]
    extra = {"inquiry": inquiry} if needs_inquiry else {}
    form = form_class(request.POST, request.FILES, **extra)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return refuse(request, 400, " ".join(messages))
    try:
        call(inquiry, request.user, form.cleaned_data, request.FILES)
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    except TransitionConflict as error:
        return refuse(request, 409, str(error))
    return redirect("oversight:inquiry", pk=inquiry.pk)


@login_required
@never_cache
def party_reveal(request, pk: int):
    inquiry = visible_inquiry(request.user, pk)
    if request.method != "POST":
        return refuse(request, 405, _("Use the buttons on the page."))
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        return refuse(request, 400, _("Say why you need to know who this is."))
    party = InquiryParty.objects.filter(pk=form.cleaned_data["party"], inquiry=inquiry).first()
    if party is None:
        raise Http404(_("No such party."))
    try:
        identity = inquiries.inquiry_party_reveal(
            party, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    return render(
        request,
        "oversight/party_revealed.html",
        {"inquiry": inquiry, "party": party, "identity": identity, "nav": "inquiries"},
    )


@login_required
@never_cache
def evidence_file(request, pk: int, number: int):
    """An uploaded evidence file, for the inquiry's team only (404 for anyone else). Always a
    download: an uploaded file is never rendered in the staff pages' origin."""
    inquiry = visible_inquiry(request.user, pk)
    item = EvidenceItem.objects.filter(inquiry=inquiry, number=number).exclude(file="").first()
    if item is None:
        raise Http404(_("No such evidence item."))
    try:
        return file_response(
            item.file.storage,
            item.file.name,
            content_type="application/octet-stream",
            filename=item.original_name or f"E-{item.number}",
            as_attachment=True,
            cache_control="private, no-store",
        )
    except FileNotFoundError:
        raise Http404(_("No such evidence item.")) from None
