"""The demo's inquiry: Zhambyl's investigator looks into the Taraz manholes repair that failed
two months after the inspector accepted it (see `demo.seed._taraz_manholes`)."""

from __future__ import annotations

import datetime as dt

from oversight.inquiries import (
    evidence_add,
    finding_record,
    inquiry_note_add,
    inquiry_open,
    sanction_propose,
)
from oversight.models import AcceptanceAct, AcceptedWorkFailure, InquiryParty, Sanction
from oversight.people import person_for_user


def inquiries_seed(world) -> int:
    """Open the Taraz inquiry with its evidence, an interview, a finding and a proposed
    (publishable) reprimand; left open for the supervisor to decide. Returns how many were made."""
    investigator = world.users.get("investigator.zhambyl")
    supervisor = world.users.get("manager.zhambyl")
    inspector = world.users.get("inspector.taraz")
    failure = (
        AcceptedWorkFailure.objects.filter(
            act__case__title="Ямы вокруг люков на проспекте Толе би",
            case__title="Ямы у люков снова появились",
        )
        .select_related("act")
        .order_by("detected_at")
        .first()
    )
    if not (investigator and supervisor and inspector) or failure is None:
        return 0
    act: AcceptanceAct = failure.act
    official = person_for_user(inspector)
    inquiry = inquiry_open(
        actor=investigator,
        subjects=[act, official],
        allegations=(
            "Ремонт вокруг люков на проспекте Толе би, 42 принят по акту № "
            f"{act.number} на {act.amount_kzt} ₸, а через два месяца ямы вернулись. Фото «до» "
            "сделано за неделю до наряда: проверить, выезжал ли инспектор на место."
        ),
        supervisor=supervisor,
        source_kind="accepted_work_failure",
        source_id=failure.pk,
    )
    evidence_add(inquiry, actor=investigator, act=act, description="Акт приёмки")
    for photo in act.photos.select_related("attachment").order_by("id")[:2]:
        evidence_add(
            inquiry,
            actor=investigator,
            attachment=photo.attachment,
            description="Фото из акта приёмки",
        )
    party = inquiry.parties.get(role=InquiryParty.Role.SUBJECT, person=official)
    inquiry_note_add(
        inquiry,
        actor=investigator,
        kind="interview",
        party=party,
        text="Инспектор пояснил, что принял работы по фотографиям подрядчика, на место не выезжал.",
        held_at=inquiry.opened_at + dt.timedelta(hours=1),
    )
    finding_record(
        inquiry,
        actor=investigator,
        party=party,
        conclusion="substantiated",
        reasoning=(
            "Работы приняты без выезда на место; фото «до» снято до выдачи наряда; через два "
            "месяца ремонт разрушился (гарантийная жалоба в 10 м)."
        ),
    )
    sanction_propose(
        inquiry,
        actor=investigator,
        target=official,
        kind=Sanction.Kind.REPRIMAND,
        legal_basis="Закон РК «О государственной службе», ст. 40",
        publishable=True,
    )
    return 1
