"""The citizen's tracking page answers "was anyone held to account?": accepted by <post> →
failed → inquiry opened → outcome, only as far as the investigator made it public, and never a
name, a reporter or a witness."""

import datetime as dt

import pytest

from oversight.inquiries import (
    finding_record,
    inquiry_close,
    inquiry_party_add,
    sanction_propose,
    sanction_set_status,
)
from oversight.models import AcceptedWorkFailure, InquiryParty, Sanction
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import FINDING_TEXT, REPORTER, subject_party

pytestmark = pytest.mark.django_db


def tracking_page(client, case) -> str:
    client.cookies["django_language"] = "en"
    response = client.get(f"/track/{case.tracking_code}/?t={case.access_token}")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str) -> str:
    if 'id="accountability"' not in page:
        return ""
    return page.split('id="accountability"', 1)[1].split("</section>", 1)[0]


def test_the_outcome_reaches_the_tracking_page_only_once_made_public(
    client, world, posts, team, inquiry, failed_act
):
    failure = AcceptedWorkFailure.objects.get(act=failed_act)
    case = failure.case
    before = section(tracking_page(client, case))
    # The facts of record are told at once: accepted by the inspector's post, then failed.
    assert "Inspector" in before and "failed" in before
    assert "inquiry" not in before.lower()

    inquiry_party_add(inquiry, actor=team.lead, role=InquiryParty.Role.REPORTER, identity=REPORTER)
    finding_record(
        inquiry,
        actor=team.lead,
        party=subject_party(inquiry),
        conclusion="substantiated",
        reasoning=FINDING_TEXT,
    )
    sanction = sanction_propose(
        inquiry,
        actor=team.lead,
        target=posts.inspector,
        kind=Sanction.Kind.REPRIMAND,
        legal_basis="Закон РК «О государственной службе», ст. 40",
        publishable=True,
    )
    sanction_set_status(
        sanction,
        actor=team.lead,
        status="imposed",
        order_number="125-к",
        order_date=dt.date(2026, 3, 2),
    )
    # Imposed and publishable, but the inquiry's outcome is not public yet: nothing of it shows.
    assert "inquiry" not in section(tracking_page(client, case)).lower()

    inquiry_close(inquiry, actor=team.supervisor, outcome="sanctions", publishable=True)
    told = section(tracking_page(client, case))
    assert inquiry.number in told
    assert "Reprimand" in told and "125-к" in told and "02.03.2026" in told
    for private in (
        posts.inspector.full_name,
        REPORTER["name"],
        REPORTER["phone"],
        FINDING_TEXT,
        team.lead.get_username(),
    ):
        assert private not in told
    # Told in order: accepted, failed, inquiry opened, the sanction, closed.
    steps = [part.split('"', 1)[0] for part in told.split('data-step="')[1:]]
    assert steps == ["accepted", "failed", "inquiry_opened", "sanction", "inquiry_closed"]


def test_a_sanction_not_marked_publishable_stays_off_the_page(
    client, world, posts, team, inquiry, failed_act
):
    finding_record(
        inquiry,
        actor=team.lead,
        party=subject_party(inquiry),
        conclusion="substantiated",
        reasoning=FINDING_TEXT,
    )
    sanction = sanction_propose(
        inquiry, actor=team.lead, target=posts.inspector, kind="remark", legal_basis="ст. 40"
    )
    sanction_set_status(
        sanction, actor=team.lead, status="imposed", order_number="7-к", order_date=dt.date.today()
    )
    inquiry_close(inquiry, actor=team.supervisor, outcome="sanctions", publishable=True)
    told = section(tracking_page(client, AcceptedWorkFailure.objects.get(act=failed_act).case))
    assert inquiry.number in told and "7-к" not in told and "Remark" not in told


def test_a_case_with_no_failed_work_tells_no_story(client, world, posts):
    from tests.oversight.conftest import accepted

    case, _act = accepted(world)
    assert section(tracking_page(client, case)) == ""
