"""An inquiry world: a failed acceptance in region A, its team (two investigators and a manager
supervising), outsiders, and an inquiry opened on the act and the inspector who signed it.
Import the fixtures into a test module with `from tests.oversight.inquiry_fixtures import *`
(`__all__` names only the fixtures); import the helpers by name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services
from oversight.inquiries import inquiry_open
from oversight.models import AcceptanceAct, Inquiry, InquiryParty
from tests.oversight.conftest import Posts, accepted, deliver_all

REPORTER = {"name": "Сәуле Бекова", "phone": "+77015550101"}
FINDING_TEXT = "Акт подписан без выезда на место: фото до работ сделано раньше наряда."


@dataclass
class Team:
    lead: object  # the investigator who opened it
    second: object  # assigned later
    supervisor: object  # the region's manager
    idle: object  # an investigator of the region, not assigned
    other_region: object  # an investigator of region B


@pytest.fixture
def team(world) -> Team:
    return Team(
        lead=world.investigator,
        second=world.user("investigator", name="investigator2", region=world.region_a),
        supervisor=world.manager,
        idle=world.user("investigator", name="investigator3", region=world.region_a),
        other_region=world.investigator_b,
    )


@pytest.fixture
def failed_act(world, posts: Posts) -> AcceptanceAct:
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    return act


@pytest.fixture
def inquiry(world, posts, team, failed_act) -> Inquiry:
    return inquiry_open(
        actor=team.lead,
        subjects=[failed_act, posts.inspector],
        allegations="Инспектор принял ремонт, который развалился через два месяца.",
        supervisor=team.supervisor,
        source_kind="red_flag_hit",
        source_id=42,
    )


def subject_party(inquiry: Inquiry) -> InquiryParty:
    return inquiry.parties.get(role=InquiryParty.Role.SUBJECT, person__isnull=False)


def upload(content: bytes = b"%PDF-1.4 scanned order", name: str = "order.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


__all__ = ["failed_act", "inquiry", "team"]  # the fixtures, for a star import
