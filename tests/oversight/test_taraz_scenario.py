"""Issue 13's story end to end on PostgreSQL: pits around manholes in Taraz, told on WhatsApp; the
clerk routes it, the officer issues a work order, the contractor reports the repair with a photo
taken a week before the order, the inspector sees the warning and accepts anyway (an act for
2.5 m², 49 500 ₸); two months later a complaint 10 m away says the pits are back. The failure is
linked to the act, "accepted work failed" heads the investigator's queue with the inspector's name
and post and the money; an inquiry from the hit ends in a publishable reprimand; the citizen's
tracking page tells it without a name; the audit chains verify and the app's own database role
cannot rewrite the inquiry's records."""

import datetime as dt
import re
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casework import clock
from casework.deadlines import local_zone
from casework.models import Attachment, Case
from contractors.selectors import current_work_order
from contractors.services import work_order_report_repair
from oversight.inquiries import (
    evidence_add,
    evidence_transfer,
    finding_record,
    inquiry_assign,
    inquiry_close,
    inquiry_open,
    inquiry_party_add,
    sanction_propose,
    sanction_set_status,
)
from oversight.models import (
    AcceptanceAct,
    AcceptedWorkFailure,
    CustodyTransfer,
    InquiryLogEntry,
    InquiryParty,
    Person,
    Position,
    RedFlagHit,
    Sanction,
)
from reports.monthly import monthly_gather
from reports.periods import Scope, period_for
from tests.contractors.photos import photo
from tests.intake.conftest import (  # noqa: F401  (the intake fixtures, by name)
    _own_rate_limit_counters,
    channels,
    platforms,
    post_webhook,
    wa_location,
    wa_text,
)
from tests.oversight.conftest import appoint, deliver_all, post
from tests.pg_roles import app_connection_params

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# A yard on Tole Bi street in Taraz (the test world's district B1 of region ZHA lies around it).
SITE = (42.901200, 71.378100)
# Degrees of latitude per metre, with earthdistance's Earth radius (contractors.geo).
PER_METRE = 1 / 111_319.5
INSPECTOR = "Қайрат Есенов"
INSPECTOR_POST = "Inspector of the Taraz housing and utilities department"
REPORTER = {"name": "Гүлмира Әбенова", "phone": "+77025550199"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def accountability(page: str) -> str:
    if 'id="accountability"' not in page:
        return ""
    return page.split('id="accountability"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def taraz(world):
    """Taraz's staff (district B1, department B1-ROADS) with their posts; the contractor's
    current-repair contract B1-001 covers the district."""
    since = clock.now().date() - dt.timedelta(days=400)
    staff = {
        "clerk": world.user("clerk", name="clerk.taraz", district=world.b1),
        "officer": world.user("officer", name="officer.taraz", department=world.dep_b1),
        "inspector": world.user("inspector", name="inspector.taraz", department=world.dep_b1),
    }
    person = Person.objects.create(full_name=INSPECTOR, user=staff["inspector"])
    inspector_post = post(Position.Kind.INSPECTOR, title=INSPECTOR_POST, department=world.dep_b1)
    appoint(person, inspector_post, since, order_number="41-к")
    head = Person.objects.create(full_name="Дәурен Сапаров", user=staff["officer"])
    appoint(head, post(Position.Kind.DEPARTMENT_HEAD, title="Head", department=world.dep_b1), since)
    rep = Person.objects.create(full_name="Бекзат Нұров", user=world.contractor_user)
    appoint(
        rep,
        post(Position.Kind.CONTRACTOR_REPRESENTATIVE, title="Foreman", contractor=world.contractor),
        since,
    )
    staff["inspector_person"] = person
    return staff


@pytest.mark.usefixtures("channels")
def test_the_taraz_manholes_story_end_to_end(
    requires_postgres, app_role, request, client, world, taraz
):
    # 1. The citizen writes on WhatsApp, then sends the place: a case opens in Taraz.
    webhook = request.getfixturevalue("post_webhook")
    text = "У канализационных люков на Толе би 12 провалился асфальт, вокруг ямы"
    assert webhook("whatsapp", wa_text("wamid.taraz1", text)).status_code == 200
    response = webhook("whatsapp", wa_location("wamid.taraz2", lat=SITE[0], lon=SITE[1]))
    assert response.status_code == 200
    deliver_all()
    case = Case.objects.get()
    assert case.channel == "whatsapp" and case.district == world.b1
    assert case.region == world.region_b
    assert case.description == text

    # 2. The clerk routes it and the officer issues a work order, through the staff pages.
    client.force_login(taraz["clerk"])
    response = client.post(
        f"/staff/cases/{case.pk}/act/assign/",
        {"department": world.dep_b1.pk, "version": case.event_seq},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    client.force_login(taraz["officer"])
    response = client.post(
        f"/staff/cases/{case.pk}/act/notify_contractor/",
        {"contract": world.contract_b1.pk, "version": case.event_seq},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = current_work_order(case)
    assert order.contract == world.contract_b1
    issued = order.issued_at

    # The contractor reports the repair; its "before" photo was taken a week before the order.
    with clock.frozen_at(issued + dt.timedelta(hours=3)):
        work_order_report_repair(
            case,
            actor=world.contractor_user,
            before=[photo(11, taken_at=issued - dt.timedelta(days=7), lat=SITE[0], lon=SITE[1])],
            after=[photo(12, taken_at=issued + dt.timedelta(hours=2), lat=SITE[0], lon=SITE[1])],
        )
    deliver_all()
    before_photo = Attachment.objects.get(case=case, kind="before")

    # The inspector's decision page warns of it, above the button that accepts the repair.
    with clock.frozen_at(issued + dt.timedelta(hours=5)):
        client.force_login(taraz["inspector"])
        client.cookies["django_language"] = "en"
        page = client.get(f"/staff/cases/{case.pk}/act/verify/").content.decode()
        assert 'data-flag="taken_before_order"' in page
        assert page.index('data-flag="taken_before_order"') < page.index('id="action-verify"')
        case.refresh_from_db()
        inspected = issued + dt.timedelta(hours=4, minutes=30)
        response = client.post(
            f"/staff/cases/{case.pk}/act/verify/",
            {
                "quantity": "2.5",
                "unit": "m2",
                "amount_kzt": "49500",
                "description": "Восстановлено асфальтовое покрытие вокруг двух люков",
                "photos": [photo(13, taken_at=inspected, lat=SITE[0], lon=SITE[1])],
                "version": case.event_seq,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    deliver_all()
    case.refresh_from_db()
    assert case.state == "verified"
    act = AcceptanceAct.objects.get(case=case)
    assert (str(act.quantity), act.unit, act.amount_kzt) == ("2.500", "m2", 49500)
    assert act.contract == world.contract_b1
    signatory = act.signatories.get(role="inspector")
    assert signatory.person == taraz["inspector_person"]

    # 3. Two months later a complaint 10 m away says the pits are back.
    later = issued + dt.timedelta(days=61)
    with clock.frozen_at(later):
        # (Through the web form's service: intake stamps a message with the real time of its
        # receipt, which the test cannot move two months on.)
        second = world.case(
            district=world.b1,
            title="Ямы у люков снова появились",
            description="Ямы у люков на Толе би снова появились, ремонт развалился",
            latitude=f"{SITE[0] + 10 * PER_METRE:.6f}",
            longitude=f"{SITE[1]:.6f}",
            complainant={"name": "Ерлан Сейтов", "phone": "+77015550123"},
        )
        deliver_all()
        failure = AcceptedWorkFailure.objects.get(act=act)
        assert failure.case == second and 9 < failure.distance_m < 11

        # The red flags were found as the events happened, and a full pass agrees.
        call_command("red_flags", "--check", stdout=StringIO())
        hit = RedFlagHit.objects.get(indicator="accepted_work_failed", subject_kind="act")
        assert hit.subject_id == act.pk and hit.person == taraz["inspector_person"]
        photo_hit = RedFlagHit.objects.get(indicator="photo_evidence", case=case)
        assert photo_hit.details["reasons"] == ["taken_before_order"]
        # Same act, same money: the failure leads on its score (an outcome outranks a warning
        # about the photos), not on which row happened to be stored last.
        assert photo_hit.money_kzt == hit.money_kzt and hit.score > photo_hit.score

        # The month's report counts it: the inspector's sign-off of that month later failed, and the
        # contractor has a warranty claim in the month of the second complaint.
        signed_month = act.signed_at.astimezone(local_zone()).date().replace(day=1)
        data, _query = monthly_gather(
            Scope(region=world.region_b), period_for(signed_month, now=later)
        )
        [official] = [r for r in data["officials"] if r["user_id"] == taraz["inspector"].pk]
        assert (official["signoffs"], official["failed"]) == (1, 1)
        assert official["failed_case_ids"] == [case.pk]
        claim_month = later.astimezone(local_zone()).date().replace(day=1)
        data, _query = monthly_gather(
            Scope(region=world.region_b), period_for(claim_month, now=later + dt.timedelta(hours=1))
        )
        [company] = [r for r in data["contractors"] if r["contractor_id"] == world.contractor.pk]
        assert company["warranty_claims"] == 1

        # First in the investigator's queue, with the inspector's name and post and the money.
        investigator = world.investigator_b
        client.force_login(investigator)
        queue = client.get("/staff/red-flags/").content.decode()
        assert re.findall(r'id="hit-(\d+)"', queue)[0] == str(hit.pk)
        row = queue.split(f'id="hit-{hit.pk}"', 1)[1].split("</tr>", 1)[0]
        assert f"{INSPECTOR}, {INSPECTOR_POST}" in row and act.number in row
        assert re.search(r"49[\s\xa0,.]?500", row)
        response = api(investigator).get("/api/v1/red-flags/", HTTP_ACCEPT_LANGUAGE="en")
        results = response.json()["results"]
        first = results[0]
        assert first["id"] == hit.pk and first["indicator"] == "accepted_work_failed"
        assert first["money_kzt"] == "49500.00" and first["person_name"] == INSPECTOR
        assert first["person_post"] == f"{INSPECTOR}, {INSPECTOR_POST}"
        assert first["contractor_name"] == world.contractor.legal_name

        # 4. The investigator opens an inquiry from the hit and takes it to a reprimand.
        supervisor = world.manager_b
        inquiry = inquiry_open(
            actor=investigator,
            subjects=[act, taraz["inspector_person"]],
            allegations="Инспектор принял ремонт по фото, сделанному до наряда; ремонт развалился.",
            supervisor=supervisor,
            source_kind="red_flag_hit",
            source_id=hit.pk,
        )
        assert inquiry.region == world.region_b and inquiry.number.startswith("INQ-ZHA-")
        photo_item = evidence_add(inquiry, actor=investigator, attachment=before_photo)
        act_item = evidence_add(inquiry, actor=investigator, act=act)
        assert photo_item.sha256 == before_photo.sha256 and act_item.sha256 == act.content_sha256
        second_investigator = world.user("investigator", name="investigator.zhambyl2")
        second_investigator.staff_profile.region = world.region_b
        second_investigator.staff_profile.save()
        inquiry_assign(inquiry, actor=supervisor, add=[second_investigator])
        custody = evidence_transfer(
            photo_item, actor=investigator, to_user=second_investigator, reason="На экспертизу EXIF"
        )
        inquiry_party_add(
            inquiry, actor=investigator, role=InquiryParty.Role.REPORTER, identity=REPORTER
        )
        subject = inquiry.parties.get(role=InquiryParty.Role.SUBJECT, person__isnull=False)
        finding_record(
            inquiry,
            actor=investigator,
            party=subject,
            conclusion="substantiated",
            reasoning="Фото «до» сделано за неделю до наряда; акт подписан без проверки.",
        )
        sanction = sanction_propose(
            inquiry,
            actor=investigator,
            target=taraz["inspector_person"],
            kind=Sanction.Kind.REPRIMAND,
            legal_basis="Закон РК «О государственной службе», ст. 40",
            publishable=True,
        )
        sanction_set_status(
            sanction,
            actor=investigator,
            status="imposed",
            order_number="88-к",
            order_date=later.date(),
        )
        inquiry_close(inquiry, actor=supervisor, outcome="sanctions", publishable=True)
        inquiry.refresh_from_db()
        assert inquiry.status == "closed" and inquiry.publishable

        # 5. The second citizen's tracking page tells the story, without a name.
        client.logout()
        client.cookies["django_language"] = "en"
        page = client.get(f"/track/{second.tracking_code}/?t={second.access_token}")
        assert page.status_code == 200
        html = page.content.decode()
        told = accountability(html)
        steps = [part.split('"', 1)[0] for part in told.split('data-step="')[1:]]
        assert steps == ["accepted", "failed", "inquiry_opened", "sanction", "inquiry_closed"]
        assert INSPECTOR_POST in told and inquiry.number in told
        assert "Reprimand" in told and "88-к" in told
        for private in (INSPECTOR, REPORTER["name"], REPORTER["phone"], "Айгүл Сейтқали"):
            assert private not in html

    # 6. Every chain verifies; the app's own role cannot rewrite the inquiry's records.
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "inquiry log chain intact" in out.getvalue()
    entry = InquiryLogEntry.objects.filter(inquiry=inquiry).order_by("seq").first()
    with psycopg.connect(**app_connection_params(), autocommit=True) as conn:
        for sql, params in (
            ("UPDATE oversight_inquirylogentry SET reason = 'x' WHERE id = %s", [entry.pk]),
            ("DELETE FROM oversight_inquirylogentry WHERE id = %s", [entry.pk]),
            ("UPDATE oversight_custodytransfer SET reason = 'x' WHERE id = %s", [custody.pk]),
            ("DELETE FROM oversight_custodytransfer WHERE id = %s", [custody.pk]),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with conn.transaction(), conn.cursor() as cursor:
                    cursor.execute(sql, params)
    assert CustodyTransfer.objects.get(pk=custody.pk).reason == "На экспертизу EXIF"
    assert InquiryLogEntry.objects.get(pk=entry.pk).reason == entry.reason
    call_command("verify_audit", stdout=StringIO())
