"""Staff comments on a case and their @mentions: the comment joins the audit chain, the people
mentioned are told once in the bell and by e-mail, a mention nobody could receive is refused with
nothing written, and neither citizen nor contractor ever sees a comment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from casework.comments import case_comment, comment_mentions
from casework.models import CaseEvent, OutboxJob, StaffNotice
from casework.selectors import case_events
from casework.staff_notices import notice_link, notice_text
from tests.workflows.conftest import deliver_all
from workflows.notifications import staff_mention

pytestmark = pytest.mark.django_db


def mailed(mailoutbox) -> dict[str, str]:
    return {address: message.body for message in mailoutbox for address in message.to}


def comments_of(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, action="comment").values_list("reason", flat=True)
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@officer2 посмотри, пожалуйста", ["officer2"]),
        ("Спроси @inspector и @officer2, а потом снова @inspector.", ["inspector", "officer2"]),
        ("напиши на clerk@example.kz", []),
        ("@@x и @ пусто", []),
        ("(@officer_build)", ["officer_build"]),
    ],
)
def test_mentions_are_found_once_each_and_addresses_are_not_mentions(text, names):
    assert comment_mentions(text) == names


def test_a_mention_tells_the_colleague_once_in_the_bell_and_by_mail(world, mailoutbox):
    world.officer2.email = "officer2@example.kz"
    world.officer2.save()
    case = world.advance(world.case(), "assigned")
    deliver_all()
    StaffNotice.objects.all().delete()
    mailoutbox.clear()
    event = case_comment(
        case, actor=world.officer, text="@officer2 подрядчик просит схему, ответь ему"
    )
    assert event.action == "comment" and event.role == "officer"
    assert event.payload["mentions"] == [world.officer2.pk]
    deliver_all()
    notices = list(StaffNotice.objects.all())
    assert [(n.recipient_id, n.kind) for n in notices] == [(world.officer2.pk, "mention")]
    with translation.override("ru"):
        assert notice_text(notices[0]).startswith("officer упомянул(а) вас в деле")
    assert notice_link(notices[0]) == (
        reverse("workflows:case", args=[case.pk]) + f"#event-{event.pk}"
    )
    assert list(mailed(mailoutbox)) == ["officer2@example.kz"]
    assert "подрядчик просит схему" in mailed(mailoutbox)["officer2@example.kz"]
    # The job again, and the handler itself: still one notice and one e-mail.
    assert deliver_all() == 0
    staff_mention({"event": event.pk})
    deliver_all()
    assert StaffNotice.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_comment_without_mentions_tells_nobody(world, mailoutbox):
    case = world.advance(world.case(), "assigned")
    deliver_all()
    StaffNotice.objects.all().delete()
    case_comment(case, actor=world.officer, text="Звонил гражданин, яма растёт")
    assert not OutboxJob.objects.filter(kind="staff_mention").exists()
    deliver_all()
    assert not StaffNotice.objects.exists()
    assert comments_of(case) == ["Звонил гражданин, яма растёт"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the comment."),
        ("x" * 2001, "at most 2000 characters"),
        ("@nobody_here глянь", "Nobody on the staff has the username @nobody_here."),
        # Another district's clerk, and a contractor, may not see it: refused, not silently
        # dropped, so the author does not believe they were told.
        ("@clerk_a2 глянь", "@clerk_a2 may not see this case"),
        ("@contractor глянь", "@contractor may not see this case"),
    ],
)
def test_a_bad_comment_is_refused_and_writes_nothing(world, text, message):
    case = world.advance(world.case(), "assigned")
    seq = case.event_seq
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        case_comment(case, actor=world.officer, text=text)
    assert message in " ".join(refused.value.messages)
    case.refresh_from_db()
    assert case.event_seq == seq and comments_of(case) == []
    assert not OutboxJob.objects.filter(kind="staff_mention").exists()


def test_a_contractor_or_an_outsider_may_not_comment(world):
    case = world.advance(world.case(), "contractor_notified")
    for outsider in (world.contractor_user, world.clerk_a2, world.investigator_b):
        with pytest.raises(PermissionDenied):
            case_comment(case, actor=outsider, text="и я скажу")
    assert comments_of(case) == []


def test_on_a_corruption_report_only_the_regions_investigators_are_told(world):
    case = world.case(category=world.corruption, complainant={"name": "Аноним", "phone": ""})
    # The clerk may see the case and comment; a mention of the region's investigator tells them,
    # and the clerk of the district, who may see it, is still not told of a corruption report.
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        case_comment(case, actor=world.investigator, text="@clerk проверь дату")
    assert "@clerk may not see this case" in " ".join(refused.value.messages)
    case_comment(case, actor=world.clerk, text="@investigator передаю вам")
    deliver_all()
    assert list(
        StaffNotice.objects.filter(kind="mention").values_list("recipient_id", flat=True)
    ) == [world.investigator.pk]


def test_contractors_never_see_comments(world, client):
    case = world.advance(world.case(), "contractor_notified")
    case_comment(case, actor=world.officer, text="Подрядчик тянет, готовим претензию")
    assert "comment" in {e.action for e in case_events(case)}
    assert "comment" not in {e.action for e in case_events(case, world.contractor_user)}
    client.force_login(world.contractor_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("workflows:case", args=[case.pk]))
    if page.status_code == 200:
        assert "готовим претензию" not in page.content.decode()
    events = client.get(f"/api/v1/cases/{case.pk}/events/")
    assert "готовим претензию" not in events.content.decode()
    client.logout()
    client.cookies["django_language"] = "en"
    track = client.get(reverse("track:case", args=[case.tracking_code]), {"t": case.access_token})
    assert track.status_code == 200
    assert "Work order issued to a contractor" in track.content.decode()  # the timeline is there
    assert "готовим претензию" not in track.content.decode()


def test_the_case_page_adds_a_comment_and_keeps_a_refused_one(world, client):
    case = world.advance(world.case(), "assigned")
    client.force_login(world.officer)
    client.cookies["django_language"] = "en"
    url = reverse("workflows:case-comment", args=[case.pk])
    refused = client.post(url, {"text": "@nobody_here срочно, см. фото"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Nobody on the staff has the username @nobody_here." in html
    assert "срочно, см. фото</textarea>" in html  # what was typed is still there
    assert comments_of(case) == []
    done = client.post(url, {"text": "@officer2 срочно, см. фото"})
    event = CaseEvent.objects.get(case=case, action="comment")
    assert done.status_code == 302
    assert done["Location"] == reverse("workflows:case", args=[case.pk]) + f"#event-{event.pk}"
    page = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert f'id="event-{event.pk}"' in page and "@officer2 срочно, см. фото" in page
    assert client.get(url).status_code == 405
    client.force_login(world.clerk_a2)
    assert client.post(url, {"text": "чужое"}).status_code == 404
