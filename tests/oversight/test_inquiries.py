"""Inquiries: opened by an investigator of the region on one or more subjects, seen and changed
only by its team, every change in the hash-chained inquiry log; evidence with its SHA-256 and
custody; findings per party; sanctions and their statuses; closing."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from casework import crypto, deadlines
from casework.models import CaseEvent
from casework.services import TransitionConflict
from oversight.inquiries import (
    current_custodian_id,
    evidence_add,
    evidence_transfer,
    finding_record,
    inquiry_assign,
    inquiry_close,
    inquiry_deadline_extend,
    inquiry_note_add,
    inquiry_open,
    inquiry_party_add,
    inquiry_party_reveal,
    sanction_propose,
    sanction_set_status,
)
from oversight.inquiry_log import log_verify
from oversight.models import (
    EvidenceItem,
    Finding,
    Inquiry,
    InquiryLogEntry,
    InquiryParty,
    InquirySubject,
    Sanction,
)
from oversight.selectors import inquiries_visible_to, sanctions_visible_to
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import FINDING_TEXT, REPORTER, subject_party, upload

pytestmark = pytest.mark.django_db

REASON = "Нужно вызвать заявителя на опрос по обстоятельствам приёмки."


def actions(inquiry: Inquiry) -> list[str]:
    return list(inquiry.log.order_by("seq").values_list("action", flat=True))


def test_opening_numbers_the_inquiry_names_its_subjects_and_logs_it(world, posts, team, inquiry):
    year = inquiry.opened_at.astimezone(deadlines.local_zone()).year
    assert inquiry.number == f"INQ-AQT-{year}-1"
    assert inquiry.region == world.region_a and inquiry.status == Inquiry.Status.OPEN
    assert set(inquiry.investigators.all()) == {team.lead}
    assert inquiry.supervisor == team.supervisor
    assert (inquiry.source_kind, inquiry.source_id) == ("red_flag_hit", 42)
    assert sorted(inquiry.subjects.values_list("kind", flat=True)) == ["act", "person"]
    # 15 working days on the Kazakh calendar.
    assert inquiry.due_at == deadlines.add_working_days(inquiry.opened_at, 15)
    # The official named as a subject is a subject party, ready for a finding.
    assert subject_party(inquiry).person == posts.inspector
    assert actions(inquiry) == ["opened", "party_added"]
    opened = inquiry.log.get(seq=1)
    assert opened.actor == team.lead and opened.payload["number"] == inquiry.number
    assert log_verify().ok


def test_numbers_count_up_per_region_and_year(world, posts, team, inquiry, failed_act):
    second = inquiry_open(
        actor=team.lead, subjects=[world.contractor], allegations="x", supervisor=team.lead
    )
    assert second.number.endswith("-2") and second.number.startswith("INQ-AQT-")


@pytest.mark.parametrize("who", ["clerk", "officer", "inspector", "manager"])
def test_only_an_investigator_opens_an_inquiry(world, posts, team, failed_act, who):
    with pytest.raises(PermissionDenied):
        inquiry_open(
            actor=world.users[who],
            subjects=[failed_act],
            allegations="x",
            supervisor=team.supervisor,
        )
    assert not Inquiry.objects.exists()


def test_a_subject_of_another_region_or_a_supervisor_from_elsewhere_is_refused(
    world, posts, team, failed_act
):
    case_b = world.case(district=world.b1)
    with pytest.raises(ValidationError) as refused:
        inquiry_open(actor=team.lead, subjects=[case_b], allegations="x", supervisor=team.lead)
    assert "subjects" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        inquiry_open(
            actor=team.lead, subjects=[failed_act], allegations="x", supervisor=world.manager_b
        )
    assert "supervisor" in refused.value.message_dict
    with pytest.raises(ValidationError):
        inquiry_open(actor=team.lead, subjects=[], allegations="x", supervisor=team.lead)
    # Region B's investigator may not open one on region A's act.
    with pytest.raises(ValidationError):
        inquiry_open(
            actor=team.other_region,
            subjects=[failed_act],
            allegations="x",
            supervisor=world.manager_b,
        )
    assert not Inquiry.objects.exists() and not InquiryLogEntry.objects.exists()


def test_only_the_team_sees_an_inquiry(world, team, inquiry):
    assert list(inquiries_visible_to(team.lead)) == [inquiry]
    assert list(inquiries_visible_to(team.supervisor)) == [inquiry]
    for outsider in (team.idle, team.other_region, world.officer, world.manager_b, team.second):
        assert not inquiries_visible_to(outsider).exists(), outsider
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    assert list(inquiries_visible_to(team.second)) == [inquiry]
    inquiry_assign(inquiry, actor=team.supervisor, remove=[team.second])
    assert not inquiries_visible_to(team.second).exists()
    assert actions(inquiry)[-2:] == ["assigned", "assigned"]


def test_an_administrator_is_not_on_the_team(world, team, inquiry, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert not inquiries_visible_to(admin).exists()
    with pytest.raises(PermissionDenied):
        inquiry_note_add(inquiry, actor=admin, text="x")


def test_an_investigator_who_leaves_the_role_loses_the_inquiry(world, team, inquiry):
    team.lead.groups.clear()
    team.lead.__dict__.pop("_baqylau_roles", None)
    assert not inquiries_visible_to(team.lead).exists()
    with pytest.raises(PermissionDenied):
        inquiry_note_add(inquiry, actor=team.lead, text="x")


def test_only_the_supervisor_changes_the_team_or_the_deadline(world, team, inquiry):
    with pytest.raises(PermissionDenied):
        inquiry_assign(inquiry, actor=team.lead, add=[team.second])
    with pytest.raises(ValidationError):
        inquiry_assign(inquiry, actor=team.supervisor, add=[team.other_region])
    with pytest.raises(PermissionDenied):
        inquiry_deadline_extend(inquiry, actor=team.lead, working_days=5, reason="Экспертиза")
    with pytest.raises(ValidationError):
        inquiry_deadline_extend(inquiry, actor=team.supervisor, working_days=5, reason=" ")
    before = Inquiry.objects.get(pk=inquiry.pk).due_at
    extended = inquiry_deadline_extend(
        inquiry, actor=team.supervisor, working_days=5, reason="Ждём заключение экспертизы."
    )
    assert extended.due_at == deadlines.add_working_days(before, 5)
    entry = inquiry.log.get(action="deadline_extended")
    assert entry.reason == "Ждём заключение экспертизы." and entry.payload["working_days"] == 5


def test_a_reporters_identity_is_encrypted_and_revealed_only_with_a_logged_reason(
    world, team, inquiry
):
    party = inquiry_party_add(
        inquiry, actor=team.lead, role=InquiryParty.Role.REPORTER, identity=REPORTER
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity FROM oversight_inquiryparty WHERE id = %s", [party.pk])
        stored = cursor.fetchone()[0]
    assert REPORTER["name"] not in stored and REPORTER["phone"] not in stored
    added = inquiry.log.get(action="party_added", payload__party=party.pk)
    assert REPORTER["name"] not in str(added.payload)
    assert added.payload["identity_index"] == crypto.blind_index(
        '{"name":"Сәуле Бекова","phone":"+77015550101"}'
    )
    with pytest.raises(ValidationError):
        inquiry_party_reveal(party, actor=team.lead, reason="надо")
    with pytest.raises(PermissionDenied):
        inquiry_party_reveal(party, actor=team.idle, reason=REASON)
    assert not inquiry.log.filter(action="party_revealed").exists()
    assert inquiry_party_reveal(party, actor=team.lead, reason=REASON) == REPORTER
    revealed = inquiry.log.get(action="party_revealed")
    assert revealed.reason == REASON and revealed.actor == team.lead
    assert revealed.payload == {"party": party.pk, "fields": ["name", "phone"]}


def test_a_witness_is_recorded_by_identity_only_and_a_subject_never_twice(
    world, posts, team, inquiry
):
    with pytest.raises(ValidationError):
        inquiry_party_add(
            inquiry, actor=team.lead, role=InquiryParty.Role.WITNESS, person=posts.head
        )
    with pytest.raises(ValidationError):
        inquiry_party_add(inquiry, actor=team.lead, role=InquiryParty.Role.WITNESS, identity={})
    with pytest.raises(ValidationError):
        inquiry_party_add(
            inquiry, actor=team.lead, role=InquiryParty.Role.SUBJECT, person=posts.inspector
        )
    head = inquiry_party_add(
        inquiry, actor=team.lead, role=InquiryParty.Role.SUBJECT, person=posts.head
    )
    assert head.number == 2


def test_an_uploaded_file_is_evidence_with_its_sha256_in_the_log(world, team, inquiry):
    content = b"%PDF-1.4 the appointing order, scanned"
    item = evidence_add(inquiry, actor=team.lead, file=upload(content), description="Приказ")
    assert item.kind == EvidenceItem.Kind.FILE
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.file.read() == content and item.size == len(content)
    assert item.number == 1 and current_custodian_id(item) == team.lead.pk
    entry = inquiry.log.get(action="evidence_added")
    assert entry.payload["record"]["sha256"] == item.sha256
    assert entry.payload["record"]["id"] == item.pk


def test_a_case_photo_event_or_act_is_evidence_with_its_own_hash(world, team, inquiry, failed_act):
    photo = failed_act.photos.first().attachment
    event = CaseEvent.objects.get(case=failed_act.case, action="act_signed")
    by_photo = evidence_add(inquiry, actor=team.lead, attachment=photo)
    by_event = evidence_add(inquiry, actor=team.lead, case_event=event)
    by_act = evidence_add(inquiry, actor=team.lead, act=failed_act)
    assert by_photo.sha256 == photo.sha256
    assert by_event.sha256 == event.hash
    assert by_act.sha256 == failed_act.content_sha256
    assert [by_photo.number, by_event.number, by_act.number] == [1, 2, 3]
    with pytest.raises(ValidationError):
        evidence_add(inquiry, actor=team.lead, act=failed_act, attachment=photo)


def test_evidence_from_a_case_the_investigator_may_not_see_is_refused(world, team, inquiry):
    case_b = world.case(district=world.b1)
    event_b = CaseEvent.objects.get(case=case_b, seq=1)
    with pytest.raises(ValidationError):
        evidence_add(inquiry, actor=team.lead, case_event=event_b)
    assert not EvidenceItem.objects.exists()


def test_custody_passes_along_the_team_with_a_reason_and_is_logged(world, team, inquiry):
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    item = evidence_add(inquiry, actor=team.lead, file=upload())
    with pytest.raises(ValidationError):
        evidence_transfer(item, actor=team.lead, to_user=team.idle, reason="На экспертизу")
    with pytest.raises(ValidationError):
        evidence_transfer(item, actor=team.lead, to_user=team.second, reason="")
    with pytest.raises(PermissionDenied):  # not the holder
        evidence_transfer(item, actor=team.second, to_user=team.second, reason="Забираю")
    first = evidence_transfer(item, actor=team.lead, to_user=team.second, reason="На экспертизу")
    assert (first.from_user, first.to_user) == (team.lead, team.second)
    assert current_custodian_id(item) == team.second.pk
    # The supervisor may take it back from whoever holds it.
    back = evidence_transfer(item, actor=team.supervisor, to_user=team.lead, reason="Возврат")
    assert back.from_user == team.second and current_custodian_id(item) == team.lead.pk
    logged = inquiry.log.filter(action="custody_transferred").order_by("seq")
    assert [e.payload["record"]["to"] for e in logged] == [team.second.pk, team.lead.pk]
    assert log_verify().ok


def test_findings_are_per_subject_party_and_a_later_one_revises_the_earlier(world, team, inquiry):
    reporter = inquiry_party_add(
        inquiry, actor=team.lead, role=InquiryParty.Role.REPORTER, identity=REPORTER
    )
    with pytest.raises(ValidationError):
        finding_record(
            inquiry, actor=team.lead, party=reporter, conclusion="substantiated", reasoning="x"
        )
    with pytest.raises(ValidationError):
        finding_record(
            inquiry, actor=team.lead, party=subject_party(inquiry), conclusion="guilty",
            reasoning="x",
        )  # fmt: skip
    party = subject_party(inquiry)
    finding_record(
        inquiry, actor=team.lead, party=party, conclusion="inconclusive", reasoning="Мало данных."
    )
    finding_record(
        inquiry, actor=team.lead, party=party, conclusion="substantiated", reasoning=FINDING_TEXT
    )
    assert Finding.objects.filter(party=party).count() == 2
    from oversight.selectors import findings_in_force

    assert findings_in_force(inquiry)[party.pk].reasoning == FINDING_TEXT


def test_a_sanction_fits_its_subject_and_moves_only_along_its_statuses(world, posts, team, inquiry):
    with pytest.raises(ValidationError):  # not a subject of this inquiry
        sanction_propose(
            inquiry, actor=team.lead, target=posts.head, kind="reprimand", legal_basis="ст. 1"
        )
    with pytest.raises(ValidationError):  # the register is for suppliers
        sanction_propose(
            inquiry,
            actor=team.lead,
            target=posts.inspector,
            kind="unscrupulous_suppliers",
            legal_basis="ст. 1",
        )
    sanction = sanction_propose(
        inquiry,
        actor=team.lead,
        target=posts.inspector,
        kind=Sanction.Kind.SEVERE_REPRIMAND,
        legal_basis="Закон РК «О государственной службе», ст. 40",
        publishable=True,
    )
    assert sanction.status == Sanction.Status.PROPOSED
    with pytest.raises(ValidationError):  # imposing names the order
        sanction_set_status(sanction, actor=team.lead, status="imposed")
    with pytest.raises(TransitionConflict):
        sanction_set_status(sanction, actor=team.lead, status="appealed", reason="Жалоба")
    import datetime as dt

    imposed = sanction_set_status(
        sanction,
        actor=team.lead,
        status="imposed",
        order_number="125-к",
        order_date=dt.date(2026, 3, 2),
    )
    assert imposed.status == Sanction.Status.IMPOSED and imposed.order_number == "125-к"
    assert actions(inquiry)[-2:] == ["sanction_proposed", "sanction_imposed"]
    assert list(sanctions_visible_to(team.supervisor)) == [sanction]
    assert not sanctions_visible_to(team.idle).exists()


def test_closing_needs_the_supervisor_and_a_finding_on_every_subject(world, posts, team, inquiry):
    with pytest.raises(PermissionDenied):
        inquiry_close(inquiry, actor=team.lead, outcome="no_violation")
    with pytest.raises(ValidationError):
        inquiry_close(inquiry, actor=team.supervisor, outcome="no_violation")
    finding_record(
        inquiry,
        actor=team.lead,
        party=subject_party(inquiry),
        conclusion="substantiated",
        reasoning=FINDING_TEXT,
    )
    with pytest.raises(ValidationError):  # "sanctions" with none proposed
        inquiry_close(inquiry, actor=team.supervisor, outcome="sanctions")
    sanction_propose(
        inquiry, actor=team.lead, target=posts.inspector, kind="reprimand", legal_basis="ст. 40"
    )
    closed = inquiry_close(
        inquiry,
        actor=team.supervisor,
        outcome="sanctions",
        recommendations="Проверять фото до приёмки.",
        publishable=True,
    )
    assert closed.status == Inquiry.Status.CLOSED and closed.publishable
    assert actions(inquiry)[-1] == "closed"
    with pytest.raises(TransitionConflict):
        inquiry_note_add(inquiry, actor=team.lead, text="Поздно")
    assert log_verify().ok


def test_every_change_is_one_log_entry_and_the_chain_links_them(
    world, posts, team, inquiry, failed_act
):
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    item = evidence_add(inquiry, actor=team.lead, act=failed_act)
    evidence_transfer(item, actor=team.lead, to_user=team.second, reason="Для анализа")
    inquiry_note_add(
        inquiry, actor=team.second, text="Опрошен инспектор.", kind="interview",
        party=subject_party(inquiry),
    )  # fmt: skip
    finding_record(
        inquiry,
        actor=team.second,
        party=subject_party(inquiry),
        conclusion="substantiated",
        reasoning=FINDING_TEXT,
    )
    assert actions(inquiry) == [
        "opened",
        "party_added",
        "assigned",
        "evidence_added",
        "custody_transferred",
        "note_added",
        "finding_recorded",
    ]
    entries = list(InquiryLogEntry.objects.order_by("id"))
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    report = log_verify()
    assert report.ok and report.checked == len(entries)


def test_inquiry_records_refuse_orm_changes(world, team, inquiry):
    item = evidence_add(inquiry, actor=team.lead, file=upload())
    entry = inquiry.log.first()
    for obj in (item, entry):
        with pytest.raises(PermissionError):
            obj.save()
        with pytest.raises(PermissionError):
            obj.delete()
    with pytest.raises(PermissionError):
        EvidenceItem.objects.filter(pk=item.pk).update(sha256="0" * 64)
    with pytest.raises(PermissionError):
        InquiryLogEntry.objects.all().delete()


def test_subjects_name_their_kind(world, inquiry):
    kinds = {s.kind: s.target_id for s in inquiry.subjects.all()}
    assert set(kinds) == {InquirySubject.Kind.ACT, InquirySubject.Kind.PERSON}
