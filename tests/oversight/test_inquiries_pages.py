"""The inquiry pages: the team sees the inquiry and acts through its forms; anyone else gets 404
on the inquiry, its actions and its dossier, and nothing changes."""

import pytest
from django.urls import reverse

from oversight.inquiries import evidence_add
from oversight.models import Finding, InquiryLogEntry, InquiryNote, InquiryParty
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import FINDING_TEXT, REPORTER, subject_party, upload
from tests.reports.pdftools import pdf_text

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="ru")


def test_the_team_sees_the_inquiry_in_its_list_and_page(client, world, posts, team, inquiry):
    for user in (team.lead, team.supervisor):
        listing = get(client, user, reverse("oversight:inquiries"))
        assert listing.status_code == 200 and inquiry.number in listing.content.decode()
        page = get(client, user, reverse("oversight:inquiry", args=[inquiry.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert inquiry.number in html and "Марат Тілеуов, Inspector (ru)" in html


@pytest.mark.parametrize("who", ["idle", "other_region"])
def test_an_investigator_off_the_team_gets_404_everywhere(client, world, team, inquiry, who):
    user = getattr(team, who)
    assert inquiry.number not in get(client, user, reverse("oversight:inquiries")).content.decode()
    for url in (
        reverse("oversight:inquiry", args=[inquiry.pk]),
        reverse("reports:inquiry-dossier", args=[inquiry.pk]),
    ):
        assert get(client, user, url).status_code == 404, url
    before = InquiryLogEntry.objects.count()
    response = client.post(
        reverse("oversight:inquiry-action", args=[inquiry.pk, "note"]),
        {"kind": "note", "text": "Чужая заметка"},
    )
    assert response.status_code == 404
    assert InquiryLogEntry.objects.count() == before and not InquiryNote.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "officer", "inspector", "contractor_user"])
def test_other_staff_get_nothing(client, world, team, inquiry, who):
    user = getattr(world, who)
    assert get(client, user, reverse("oversight:inquiries")).status_code == 403
    assert get(client, user, reverse("oversight:inquiry", args=[inquiry.pk])).status_code == 404


def test_the_team_records_a_finding_and_a_party_through_the_forms(client, world, team, inquiry):
    client.force_login(team.lead)
    party = subject_party(inquiry)
    response = client.post(
        reverse("oversight:inquiry-action", args=[inquiry.pk, "finding"]),
        {"party": party.pk, "conclusion": "substantiated", "reasoning": FINDING_TEXT},
    )
    assert response.status_code == 302
    assert Finding.objects.get(party=party).reasoning == FINDING_TEXT
    response = client.post(
        reverse("oversight:inquiry-action", args=[inquiry.pk, "party"]),
        {"role": "witness", **REPORTER},
    )
    assert response.status_code == 302
    witness = inquiry.parties.get(role=InquiryParty.Role.WITNESS)
    html = get(client, team.lead, reverse("oversight:inquiry", args=[inquiry.pk])).content.decode()
    assert REPORTER["name"] not in html and REPORTER["phone"] not in html
    response = client.post(
        reverse("oversight:inquiry-reveal", args=[inquiry.pk]),
        {"party": witness.pk, "reason": "Нужно вызвать свидетеля на опрос в отдел."},
    )
    assert response.status_code == 200 and REPORTER["phone"] in response.content.decode()
    assert inquiry.log.filter(action="party_revealed").count() == 1


def test_a_bad_form_or_a_closed_inquiry_is_refused(client, world, team, inquiry):
    client.force_login(team.lead)
    url = reverse("oversight:inquiry-action", args=[inquiry.pk, "finding"])
    assert client.post(url, {"party": subject_party(inquiry).pk}).status_code == 400
    # Only the supervisor closes.
    close = reverse("oversight:inquiry-action", args=[inquiry.pk, "close"])
    assert client.post(close, {"outcome": "no_violation"}).status_code == 403


def test_the_team_downloads_the_dossier(client, world, team, inquiry):
    url = reverse("reports:inquiry-dossier", args=[inquiry.pk]) + "?language=en"
    response = get(client, team.supervisor, url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert inquiry.number in pdf_text(response.content)


def test_an_evidence_file_is_downloaded_by_the_team_only(client, world, team, inquiry):
    content = b"%PDF-1.4 the order"
    item = evidence_add(inquiry, actor=team.lead, file=upload(content))
    url = reverse("oversight:evidence-file", args=[inquiry.pk, item.number])
    response = get(client, team.lead, url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        content
    )
    assert "attachment" in response["Content-Disposition"]
    assert get(client, team.idle, url).status_code == 404
