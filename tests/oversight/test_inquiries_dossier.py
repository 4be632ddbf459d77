"""The inquiry dossier PDF in kk, ru and en: subjects by name and post, the log's hashes, the
evidence with its SHA-256 and custody, findings and sanctions; a reporter's identity only when
it was revealed (with a logged reason) and passed in."""

import datetime as dt

import pytest
from django.utils import translation

from casework import clock
from oversight.inquiries import (
    evidence_add,
    evidence_transfer,
    finding_record,
    inquiry_assign,
    inquiry_party_add,
    inquiry_party_reveal,
    sanction_propose,
    sanction_set_status,
)
from oversight.models import Finding, InquiryParty, Sanction
from reports.inquiry_dossier import inquiry_dossier_build
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import FINDING_TEXT, REPORTER, subject_party, upload
from tests.reports.pdftools import pdf_text

pytestmark = pytest.mark.django_db

REASON = "Прокуратура запросила материалы проверки с данными заявителя."


@pytest.fixture
def worked(world, posts, team, inquiry, failed_act):
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    scan = evidence_add(inquiry, actor=team.lead, file=upload(), description="Скан приказа")
    by_act = evidence_add(inquiry, actor=team.lead, act=failed_act)
    evidence_transfer(scan, actor=team.lead, to_user=team.second, reason="На экспертизу")
    reporter = inquiry_party_add(
        inquiry, actor=team.lead, role=InquiryParty.Role.REPORTER, identity=REPORTER
    )
    finding_record(
        inquiry,
        actor=team.lead,
        party=subject_party(inquiry),
        conclusion=Finding.Conclusion.SUBSTANTIATED,
        reasoning=FINDING_TEXT,
    )
    sanction = sanction_propose(
        inquiry,
        actor=team.lead,
        target=posts.inspector,
        kind=Sanction.Kind.SEVERE_REPRIMAND,
        legal_basis="Закон РК «О государственной службе», ст. 40",
        publishable=True,
    )
    sanction_set_status(
        sanction,
        actor=team.supervisor,
        status="imposed",
        order_number="125-к",
        order_date=dt.date(2026, 3, 2),
    )
    return inquiry, [scan, by_act], reporter


def text_of(inquiry, language, **kw) -> str:
    built = inquiry_dossier_build(inquiry, language=language, moment=clock.now(), **kw)
    return "".join(pdf_text(built.pdf.content).split())


def compact(value) -> str:
    return "".join(str(value).split())


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_dossier_shows_hashes_custody_findings_and_sanctions(world, worked, language):
    inquiry, evidence, _reporter = worked
    text = text_of(inquiry, language)
    assert compact(inquiry.number) in text
    for item in evidence:
        assert item.sha256 in text
    for entry in inquiry.log.all():
        assert entry.hash in text
    assert compact(FINDING_TEXT) in text
    assert compact("125-к") in text
    with translation.override(language):
        substantiated = Finding.Conclusion.SUBSTANTIATED.label
        severe = Sanction.Kind.SEVERE_REPRIMAND.label
        assert compact(substantiated) in text
        assert compact(severe) in text
    # The inspector by name and the post held, in the dossier's language.
    post = {"kk": "Inspector (kk)", "ru": "Inspector (ru)", "en": "Inspector"}[language]
    assert compact(f"Марат Тілеуов, {post}") in text
    # The custody: the evidence went from the lead to the second investigator, with the reason.
    assert compact("На экспертизу") in text
    if language != "en":
        assert "Substantiated" not in text and "Severereprimand" not in text


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_reporter_is_not_named_unless_revealed(world, worked, language):
    inquiry, _evidence, reporter = worked
    text = text_of(inquiry, language)
    assert compact(REPORTER["name"]) not in text and REPORTER["phone"] not in text
    revealed_identity = inquiry_party_reveal(reporter, actor=world.investigator, reason=REASON)
    identities = {reporter.pk: revealed_identity}
    revealed = text_of(inquiry, language, identities=identities)
    assert compact(REPORTER["name"]) in revealed
