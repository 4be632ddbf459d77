"""Writes of inquiries and sanctions: the only code that changes them.

Each service runs in one transaction: lock the inquiry row, check that the actor is on its team
(an assigned investigator who is still an investigator of the region, or its supervisor), write,
and append the change to the inquiry log (`oversight.inquiry_log`). Errors: `PermissionDenied`,
`ValidationError` (bad input), `TransitionConflict` (the inquiry is closed, or a sanction cannot
move from its status). On any error nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from casework import clock, crypto, deadlines, roles
from casework.audit import canonical_json
from casework.models import Attachment, Case, CaseEvent, Region
from casework.selectors import cases_visible_to
from casework.services import TransitionConflict, reveal_reason_clean
from contractors.models import Contract, Contractor
from oversight.inquiry_log import log_append, record_append
from oversight.models import (
    AcceptanceAct,
    CustodyTransfer,
    EvidenceItem,
    Finding,
    Inquiry,
    InquiryNote,
    InquiryParty,
    InquirySubject,
    Person,
    Sanction,
)

User = get_user_model()

TEXT_MAX = 20000
DEFAULT_DUE_WORKING_DAYS = 15
EXTENSION_MAX_WORKING_DAYS = 30
EVIDENCE_MAX_BYTES = 50 * 1024 * 1024
IDENTITY_FIELDS = ("name", "phone", "email", "address", "note")

SUPERVISOR = "supervisor"
INVESTIGATOR = "investigator"

# Which sanctions fit whom: disciplinary ones are for officials, the register for contractors.
PERSON_SANCTIONS = frozenset(
    {
        Sanction.Kind.REMARK,
        Sanction.Kind.REPRIMAND,
        Sanction.Kind.SEVERE_REPRIMAND,
        Sanction.Kind.INCOMPLETE_FITNESS,
        Sanction.Kind.DISMISSAL,
        Sanction.Kind.FINE,
        Sanction.Kind.PROSECUTOR_REFERRAL,
    }
)
CONTRACTOR_SANCTIONS = frozenset(
    {
        Sanction.Kind.FINE,
        Sanction.Kind.UNSCRUPULOUS_SUPPLIERS,
        Sanction.Kind.PROSECUTOR_REFERRAL,
    }
)
# status -> the statuses a sanction may move to from it
SANCTION_MOVES: dict[str, frozenset[str]] = {
    Sanction.Status.PROPOSED: frozenset({Sanction.Status.IMPOSED, Sanction.Status.CANCELLED}),
    Sanction.Status.IMPOSED: frozenset({Sanction.Status.APPEALED, Sanction.Status.CANCELLED}),
    Sanction.Status.APPEALED: frozenset({Sanction.Status.IMPOSED, Sanction.Status.CANCELLED}),
    Sanction.Status.CANCELLED: frozenset(),
}


# ---------------------------------------------------------------------------------------------
# Who may act


def _region_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.region_id if profile is not None else None


def is_investigator_of(user, region_id: int) -> bool:
    return roles.INVESTIGATOR in roles.user_roles(user) and _region_id(user) == region_id


def may_supervise(user, region_id: int) -> bool:
    """A supervisor is an investigator or a manager of the inquiry's region."""
    held = roles.user_roles(user)
    return bool(held & {roles.INVESTIGATOR, roles.MANAGER}) and _region_id(user) == region_id


def team_role(inquiry: Inquiry, user) -> str | None:
    """`SUPERVISOR`, `INVESTIGATOR` or None: how `user` works on the inquiry, if at all."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.pk == inquiry.supervisor_id and may_supervise(user, inquiry.region_id):
        return SUPERVISOR
    if (
        is_investigator_of(user, inquiry.region_id)
        and inquiry.investigators.filter(pk=user.pk).exists()
    ):
        return INVESTIGATOR
    return None


def _team_check(inquiry: Inquiry, actor, *, supervisor_only: bool = False) -> str:
    role = team_role(inquiry, actor)
    if role is None:
        raise PermissionDenied(_("Only the inquiry's investigators and supervisor may do this."))
    if supervisor_only and role != SUPERVISOR:
        raise PermissionDenied(_("Only the inquiry's supervisor may do this."))
    return role


def _open_check(inquiry: Inquiry) -> None:
    if inquiry.status != Inquiry.Status.OPEN:
        raise TransitionConflict(_("The inquiry is closed."), state=inquiry.status)


def inquiry_lock(inquiry: Inquiry | int) -> Inquiry:
    pk = inquiry.pk if isinstance(inquiry, Inquiry) else inquiry
    try:
        return Inquiry.objects.select_for_update().get(pk=pk)
    except Inquiry.DoesNotExist:
        raise ValidationError({"inquiry": _("No such inquiry.")}) from None


def _text(value: str | None, field: str, message: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: message})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": TEXT_MAX}})
    return text


def _moment(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------------
# Opening and the team


def _subject_row(inquiry: Inquiry, target, region_id: int) -> InquirySubject:
    """The subject row for a case, act, contract, contractor or person, refused when it lies in
    another region."""
    kinds = InquirySubject.Kind
    if isinstance(target, Case):
        row, region = InquirySubject(kind=kinds.CASE, case=target), target.region_id
    elif isinstance(target, AcceptanceAct):
        row, region = InquirySubject(kind=kinds.ACT, act=target), target.case.region_id
    elif isinstance(target, Contract):
        row = InquirySubject(kind=kinds.CONTRACT, contract=target)
        region = target.department.district.region_id
    elif isinstance(target, Contractor):
        row, region = InquirySubject(kind=kinds.CONTRACTOR, contractor=target), region_id
    elif isinstance(target, Person):
        row, region = InquirySubject(kind=kinds.PERSON, person=target), region_id
    else:
        raise ValidationError(
            {
                "subjects": _(
                    "An inquiry is about a case, an act, a contract, a contractor or an official."
                )
            }
        )
    if region != region_id:
        raise ValidationError({"subjects": _("A subject lies outside the inquiry's region.")})
    row.inquiry = inquiry
    return row


def _next_number(region: Region, year: int) -> str:
    prefix = f"INQ-{region.code}-{year}-"
    made = Inquiry.objects.filter(region=region, number__startswith=prefix).count()
    return f"{prefix}{made + 1}"


def inquiry_open(
    *,
    actor,
    subjects: Iterable[Any],
    allegations: str,
    supervisor,
    investigators: Iterable[Any] = (),
    source_kind: str = "",
    source_id: int | None = None,
    due_working_days: int = DEFAULT_DUE_WORKING_DAYS,
) -> Inquiry:
    """Open an inquiry in the actor's region on one or more subjects (cases, acts, contracts,
    contractors, officials as `Person`). The actor is assigned; officials and contractors among
    the subjects become its subject parties. Due in `due_working_days` working days."""
    region_id = _region_id(actor)
    if region_id is None or not is_investigator_of(actor, region_id):
        raise PermissionDenied(_("Only an anti-corruption investigator opens inquiries."))
    allegations = _text(allegations, "allegations", _("Say what is alleged."))
    targets = list(subjects)
    if not targets:
        raise ValidationError({"subjects": _("Name at least one subject of the inquiry.")})
    if supervisor is None or not may_supervise(supervisor, region_id):
        raise ValidationError(
            {"supervisor": _("The supervisor is an investigator or a manager of the region.")}
        )
    team = [actor, *investigators]
    for user in team:
        if not is_investigator_of(user, region_id):
            raise ValidationError(
                {"investigators": _("Only investigators of the region can be assigned.")}
            )
    source_kind = (source_kind or "").strip()[:32]
    if not 1 <= int(due_working_days) <= 60:
        raise ValidationError({"due": _("Give between 1 and 60 working days.")})
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=region_id)
        now = clock.now()
        inquiry = Inquiry.objects.create(
            number=_next_number(region, now.astimezone(deadlines.local_zone()).year),
            region=region,
            allegations=allegations,
            opened_by=actor,
            opened_at=now,
            supervisor=supervisor,
            due_at=deadlines.add_working_days(now, int(due_working_days)),
            source_kind=source_kind,
            source_id=source_id if source_kind else None,
        )
        inquiry.investigators.add(*{user.pk for user in team})
        rows = [_subject_row(inquiry, target, region_id) for target in targets]
        InquirySubject.objects.bulk_create(rows)
        log_append(
            inquiry,
            actor=actor,
            action="opened",
            payload={
                "number": inquiry.number,
                "region": region.pk,
                "allegations": allegations,
                "supervisor": supervisor.pk,
                "investigators": sorted({user.pk for user in team}),
                "subjects": [{"kind": row.kind, "id": row.target_id} for row in rows],
                "due_at": _moment(inquiry.due_at),
                "source": {"kind": source_kind, "id": inquiry.source_id} if source_kind else None,
            },
        )
        seen: set[tuple[str, int]] = set()
        for row in rows:
            if row.kind in (InquirySubject.Kind.PERSON, InquirySubject.Kind.CONTRACTOR):
                key = (row.kind, row.target_id)
                if key not in seen:
                    seen.add(key)
                    _party_write(
                        inquiry,
                        actor=actor,
                        role=InquiryParty.Role.SUBJECT,
                        person=row.person,
                        contractor=row.contractor,
                        identity={},
                    )
        return inquiry


def inquiry_assign(
    inquiry: Inquiry | int, *, actor, add: Iterable[Any] = (), remove: Iterable[Any] = ()
) -> Inquiry:
    """The supervisor assigns investigators of the region to the inquiry, or takes them off."""
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor, supervisor_only=True)
        _open_check(inquiry)
        add, remove = list(add), list(remove)
        for user in add:
            if not is_investigator_of(user, inquiry.region_id):
                raise ValidationError(
                    {"investigators": _("Only investigators of the region can be assigned.")}
                )
        current = set(inquiry.investigators.values_list("pk", flat=True))
        added = sorted({u.pk for u in add} - current)
        removed = sorted({u.pk for u in remove} & current)
        if not added and not removed:
            raise ValidationError({"investigators": _("Nothing to change in the team.")})
        if not (current | set(added)) - set(removed):
            raise ValidationError({"investigators": _("An inquiry needs an investigator.")})
        inquiry.investigators.add(*added)
        inquiry.investigators.remove(*removed)
        log_append(
            inquiry, actor=actor, action="assigned", payload={"added": added, "removed": removed}
        )
        return inquiry


def inquiry_deadline_extend(
    inquiry: Inquiry | int, *, actor, working_days: int, reason: str
) -> Inquiry:
    """The supervisor extends the inquiry's deadline by a number of working days, saying why."""
    text = _text(reason, "reason", _("Say why the deadline is extended."))
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= EXTENSION_MAX_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": _("Give between 1 and %(n)d working days.")
                % {"n": EXTENSION_MAX_WORKING_DAYS}
            }
        )
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor, supervisor_only=True)
        _open_check(inquiry)
        previous = inquiry.due_at
        inquiry.due_at = deadlines.add_working_days(previous, days)
        inquiry.save(update_fields=["due_at"])
        log_append(
            inquiry,
            actor=actor,
            action="deadline_extended",
            reason=text,
            payload={
                "previous_due_at": _moment(previous),
                "due_at": _moment(inquiry.due_at),
                "working_days": days,
            },
        )
        return inquiry


# ---------------------------------------------------------------------------------------------
# Parties


def _identity_clean(identity: dict[str, Any] | None) -> dict[str, str]:
    data = {
        field: str((identity or {}).get(field) or "").strip()[:500] for field in IDENTITY_FIELDS
    }
    data = {field: value for field, value in data.items() if value}
    if not data.get("name"):
        raise ValidationError({"name": _("Give the person's name.")})
    return data


def _party_write(
    inquiry: Inquiry, *, actor, role: str, person, contractor, identity: dict[str, str]
) -> InquiryParty:
    number = inquiry.parties.count() + 1
    party = InquiryParty.objects.create(
        inquiry=inquiry,
        number=number,
        role=role,
        person=person,
        contractor=contractor,
        identity=identity,
        added_by=actor,
        added_at=clock.now(),
    )
    payload: dict[str, Any] = {
        "party": party.pk,
        "number": number,
        "role": role,
        "person": party.person_id,
        "contractor": party.contractor_id,
    }
    if identity:
        # A keyed digest: the log proves which identity was recorded without telling it.
        payload["identity_index"] = crypto.blind_index(canonical_json(identity))
    log_append(inquiry, actor=actor, action="party_added", payload=payload)
    return party


def inquiry_party_add(
    inquiry: Inquiry | int,
    *,
    actor,
    role: str,
    person: Person | None = None,
    contractor: Contractor | None = None,
    identity: dict[str, Any] | None = None,
) -> InquiryParty:
    """Add a party. A subject is an official (`person`) or a `contractor`; a witness or a reporter
    is given by `identity` (name, phone, e-mail, address, note), which is stored encrypted and
    shown only through `inquiry_party_reveal`."""
    if role not in InquiryParty.Role.values:
        raise ValidationError({"role": _("Choose subject, witness or reporter.")})
    if role == InquiryParty.Role.SUBJECT:
        if (person is None) == (contractor is None):
            raise ValidationError({"person": _("A subject is one official or one contractor.")})
        identity_data: dict[str, str] = {}
    else:
        if person is not None or contractor is not None:
            raise ValidationError(
                {"person": _("A witness or a reporter is recorded by identity only.")}
            )
        identity_data = _identity_clean(identity)
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor)
        _open_check(inquiry)
        if (
            role == InquiryParty.Role.SUBJECT
            and inquiry.parties.filter(role=role, person=person, contractor=contractor).exists()
        ):
            raise ValidationError({"person": _("This subject is already a party.")})
        return _party_write(
            inquiry,
            actor=actor,
            role=role,
            person=person,
            contractor=contractor,
            identity=identity_data,
        )


def inquiry_party_reveal(party: InquiryParty | int, *, actor, reason: str) -> dict[str, str]:
    """A witness's or reporter's identity, for the inquiry's team, with the reason logged."""
    pk = party.pk if isinstance(party, InquiryParty) else party
    inquiry_id = InquiryParty.objects.filter(pk=pk).values_list("inquiry_id", flat=True).first()
    if inquiry_id is None:
        raise ValidationError({"party": _("No such party.")})
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry_id)
        _team_check(inquiry, actor)
        text = reveal_reason_clean(reason)
        party = InquiryParty.objects.get(pk=pk)
        if not party.protected:
            raise ValidationError(
                {"party": _("Only a witness's or reporter's identity is kept secret.")}
            )
        data = dict(party.identity)
        log_append(
            inquiry,
            actor=actor,
            action="party_revealed",
            reason=text,
            payload={"party": party.pk, "fields": sorted(data)},
        )
        return data


# ---------------------------------------------------------------------------------------------
# Evidence and custody


def _file_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def current_custodian_id(item: EvidenceItem) -> int:
    last = item.transfers.order_by("-transferred_at", "-id").values("to_user_id").first()
    return last["to_user_id"] if last else item.custodian_id


def _on_team(inquiry: Inquiry, user) -> bool:
    return team_role(inquiry, user) is not None


def evidence_add(
    inquiry: Inquiry | int,
    *,
    actor,
    file: UploadedFile | None = None,
    case_event: CaseEvent | None = None,
    attachment: Attachment | None = None,
    act: AcceptanceAct | None = None,
    description: str = "",
    custodian=None,
) -> EvidenceItem:
    """Record one piece of evidence: an uploaded file (its SHA-256 computed here, kept in the
    private storage) or a link to a case event, a photo or an act on a case the actor may see.
    `custodian` (default: the actor) is on the team and holds it from now."""
    given = [x for x in (file, case_event, attachment, act) if x is not None]
    if len(given) != 1:
        raise ValidationError({"file": _("Give one file, or link one case event, photo or act.")})
    description = _text(description, "description", "", required=False)
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor)
        _open_check(inquiry)
        custodian = custodian or actor
        if not _on_team(inquiry, custodian):
            raise ValidationError({"custodian": _("The custodian is on the inquiry's team.")})
        item = EvidenceItem(
            inquiry=inquiry,
            number=EvidenceItem.objects.filter(inquiry=inquiry).count() + 1,
            description=description,
            custodian=custodian,
            added_by=actor,
            added_at=clock.now(),
        )
        visible = cases_visible_to(actor)
        if file is not None:
            if file.size is not None and file.size > EVIDENCE_MAX_BYTES:
                raise ValidationError({"file": _("The file is larger than 50 MB.")})
            item.kind = EvidenceItem.Kind.FILE
            item.sha256 = _file_sha256(file)
            item.original_name = (file.name or "")[:255]
            item.content_type = (getattr(file, "content_type", "") or "")[:100]
            item.size = file.size
            item.file.save(file.name or "evidence", file, save=False)
        elif case_event is not None:
            if not visible.filter(pk=case_event.case_id).exists():
                raise ValidationError({"case_event": _("No such case event.")})
            item.kind, item.case_event, item.sha256 = (
                EvidenceItem.Kind.CASE_EVENT,
                case_event,
                case_event.hash,
            )
        elif attachment is not None:
            if not visible.filter(pk=attachment.case_id).exists():
                raise ValidationError({"attachment": _("No such photo.")})
            item.kind, item.attachment, item.sha256 = (
                EvidenceItem.Kind.PHOTO,
                attachment,
                attachment.sha256,
            )
        else:
            if not visible.filter(pk=act.case_id).exists():
                raise ValidationError({"act": _("No such act.")})
            item.kind, item.act, item.sha256 = (
                EvidenceItem.Kind.ACT,
                act,
                act.content_sha256,
            )
        record_append(inquiry, item, actor=actor, action="evidence_added")
        return item


def evidence_transfer(item: EvidenceItem | int, *, actor, to_user, reason: str) -> CustodyTransfer:
    """Hand a piece of evidence over: its custodian (or the supervisor) gives it to another
    member of the team, saying why. The hand-over is recorded, never changed."""
    text = _text(reason, "reason", _("Say why the evidence changes hands."))
    pk = item.pk if isinstance(item, EvidenceItem) else item
    inquiry_id = EvidenceItem.objects.filter(pk=pk).values_list("inquiry_id", flat=True).first()
    if inquiry_id is None:
        raise ValidationError({"evidence": _("No such evidence item.")})
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry_id)
        role = _team_check(inquiry, actor)
        _open_check(inquiry)
        item = EvidenceItem.objects.get(pk=pk)
        holder = current_custodian_id(item)
        if role != SUPERVISOR and actor.pk != holder:
            raise PermissionDenied(_("Only its custodian or the supervisor hands evidence over."))
        if to_user is None or not _on_team(inquiry, to_user):
            raise ValidationError({"to_user": _("Evidence goes to a member of the team.")})
        if to_user.pk == holder:
            raise ValidationError({"to_user": _("They already hold it.")})
        transfer = CustodyTransfer(
            evidence=item,
            from_user_id=holder,
            to_user=to_user,
            transferred_at=clock.now(),
            reason=text,
            recorded_by=actor,
        )
        record_append(inquiry, transfer, actor=actor, action="custody_transferred", reason=text)
        return transfer


# ---------------------------------------------------------------------------------------------
# Notes, findings


def inquiry_note_add(
    inquiry: Inquiry | int,
    *,
    actor,
    text: str,
    kind: str = InquiryNote.Kind.NOTE,
    party: InquiryParty | None = None,
    held_at: dt.datetime | None = None,
) -> InquiryNote:
    """Write an interview note (with the party interviewed and when) or a plain note."""
    body = _text(text, "text", _("Write the note."))
    if kind not in InquiryNote.Kind.values:
        raise ValidationError({"kind": _("Choose interview or note.")})
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor)
        _open_check(inquiry)
        if party is not None and party.inquiry_id != inquiry.pk:
            raise ValidationError({"party": _("No such party in this inquiry.")})
        note = InquiryNote(
            inquiry=inquiry,
            kind=kind,
            party=party,
            text=body,
            held_at=held_at,
            written_by=actor,
            written_at=clock.now(),
        )
        record_append(inquiry, note, actor=actor, action="note_added")
        return note


def finding_record(
    inquiry: Inquiry | int, *, actor, party: InquiryParty, conclusion: str, reasoning: str
) -> Finding:
    """Record the finding on a subject party: substantiated, not substantiated or inconclusive,
    with the reasoning. A later finding on the same party revises it; the earlier stays."""
    if conclusion not in Finding.Conclusion.values:
        raise ValidationError(
            {"conclusion": _("Choose substantiated, not substantiated or inconclusive.")}
        )
    text = _text(reasoning, "reasoning", _("Give the reasoning for the finding."))
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor)
        _open_check(inquiry)
        if party.inquiry_id != inquiry.pk:
            raise ValidationError({"party": _("No such party in this inquiry.")})
        if party.role != InquiryParty.Role.SUBJECT:
            raise ValidationError({"party": _("Findings are made on the inquiry's subjects.")})
        finding = Finding(
            inquiry=inquiry,
            party=party,
            conclusion=conclusion,
            reasoning=text,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        record_append(inquiry, finding, actor=actor, action="finding_recorded")
        return finding


# ---------------------------------------------------------------------------------------------
# Sanctions


def _sanction_payload(sanction: Sanction) -> dict[str, Any]:
    return {
        "sanction": sanction.pk,
        "person": sanction.person_id,
        "contractor": sanction.contractor_id,
        "kind": sanction.kind,
        "legal_basis": sanction.legal_basis,
        "status": sanction.status,
        "order_number": sanction.order_number,
        "order_date": sanction.order_date.isoformat() if sanction.order_date else None,
        "publishable": sanction.publishable,
    }


def sanction_propose(
    inquiry: Inquiry | int,
    *,
    actor,
    target: Person | Contractor,
    kind: str,
    legal_basis: str,
    publishable: bool = False,
) -> Sanction:
    """Propose a sanction on one of the inquiry's subjects: an official or a contractor."""
    if isinstance(target, Person):
        allowed, where = PERSON_SANCTIONS, {"person": target}
    elif isinstance(target, Contractor):
        allowed, where = CONTRACTOR_SANCTIONS, {"contractor": target}
    else:
        raise ValidationError({"target": _("A sanction is on an official or a contractor.")})
    if kind not in allowed:
        raise ValidationError({"kind": _("This sanction does not apply to this subject.")})
    basis = _text(legal_basis, "legal_basis", _("Give the legal basis."))
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor)
        _open_check(inquiry)
        if not inquiry.parties.filter(role=InquiryParty.Role.SUBJECT, **where).exists():
            raise ValidationError({"target": _("Sanctions are on the inquiry's subjects.")})
        now = clock.now()
        sanction = Sanction.objects.create(
            inquiry=inquiry,
            kind=kind,
            legal_basis=basis,
            publishable=bool(publishable),
            proposed_by=actor,
            proposed_at=now,
            status_changed_at=now,
            **where,
        )
        log_append(
            inquiry, actor=actor, action="sanction_proposed", payload=_sanction_payload(sanction)
        )
        return sanction


def sanction_set_status(
    sanction: Sanction | int,
    *,
    actor,
    status: str,
    reason: str = "",
    order_number: str | None = None,
    order_date: dt.date | None = None,
    publishable: bool | None = None,
) -> Sanction:
    """Record what became of a sanction: imposed (by an order: number and date), appealed or
    cancelled. Also after the inquiry is closed (an appeal comes later)."""
    pk = sanction.pk if isinstance(sanction, Sanction) else sanction
    inquiry_id = Sanction.objects.filter(pk=pk).values_list("inquiry_id", flat=True).first()
    if inquiry_id is None:
        raise ValidationError({"sanction": _("No such sanction.")})
    if status not in Sanction.Status.values:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    text = _text(reason, "reason", "", required=False)
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry_id)
        _team_check(inquiry, actor)
        sanction = Sanction.objects.select_for_update().get(pk=pk)
        if status not in SANCTION_MOVES[sanction.status]:
            raise TransitionConflict(
                _("A sanction cannot go from “%(from)s” to “%(to)s”.")
                % {"from": sanction.get_status_display(), "to": Sanction.Status(status).label},
                state=sanction.status,
            )
        if order_number is not None:
            sanction.order_number = _text(order_number, "order_number", "", required=False)[:64]
        if order_date is not None:
            sanction.order_date = order_date
        if status == Sanction.Status.IMPOSED and not (
            sanction.order_number and sanction.order_date
        ):
            raise ValidationError(
                {"order_number": _("An imposed sanction names its order: number and date.")}
            )
        if status in (Sanction.Status.CANCELLED, Sanction.Status.APPEALED) and not text:
            raise ValidationError({"reason": _("Say why.")})
        previous = sanction.status
        sanction.status = status
        sanction.status_changed_at = clock.now()
        if publishable is not None:
            sanction.publishable = bool(publishable)
        sanction.save()
        log_append(
            inquiry,
            actor=actor,
            action=f"sanction_{status}",
            reason=text,
            payload={**_sanction_payload(sanction), "previous_status": previous},
        )
        return sanction


# ---------------------------------------------------------------------------------------------
# Closing


def inquiry_close(
    inquiry: Inquiry | int,
    *,
    actor,
    outcome: str,
    outcome_text: str = "",
    recommendations: str = "",
    publishable: bool = False,
) -> Inquiry:
    """The supervisor closes the inquiry with its outcome and recommendations, once every
    subject party has a finding. `publishable`: the outcome may be shown to the public (never a
    reporter's or witness's identity)."""
    if outcome not in Inquiry.Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the listed outcomes.")})
    words = _text(outcome_text, "outcome_text", "", required=False)
    advice = _text(recommendations, "recommendations", "", required=False)
    with transaction.atomic():
        inquiry = inquiry_lock(inquiry)
        _team_check(inquiry, actor, supervisor_only=True)
        _open_check(inquiry)
        unfound = inquiry.parties.filter(role=InquiryParty.Role.SUBJECT, findings__isnull=True)
        if unfound.exists():
            raise ValidationError(
                {"outcome": _("Record a finding on every subject before closing.")}
            )
        if (
            outcome == Inquiry.Outcome.SANCTIONS
            and not inquiry.sanctions.exclude(status=Sanction.Status.CANCELLED).exists()
        ):
            raise ValidationError({"outcome": _("No sanction is proposed or imposed.")})
        inquiry.status = Inquiry.Status.CLOSED
        inquiry.outcome = outcome
        inquiry.outcome_text = words
        inquiry.recommendations = advice
        inquiry.publishable = bool(publishable)
        inquiry.closed_at = clock.now()
        inquiry.save()
        log_append(
            inquiry,
            actor=actor,
            action="closed",
            payload={
                "outcome": outcome,
                "outcome_text": words,
                "recommendations": advice,
                "publishable": inquiry.publishable,
            },
        )
        return inquiry
