"""The contractor's bell, in the portal: a new work order, a repair returned for rework (with
the inspector's reason) and a late repair each tell the company's people once, beside the
e-mail, and lead to the order in the portal; another company hears nothing."""

import pytest
from django.utils import translation

from casework import services
from casework.models import StaffNotice
from casework.staff_notices import notice_text
from casework.sweep import sweep_run
from contractors.notices import contractor_work_order_notice
from contractors.selectors import current_work_order
from tests.factories import image_upload
from tests.workflows.conftest import deliver_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(world):
    """A second person of the same company, with no e-mail address: the bell still tells them."""
    return world.user("contractor", name="foreman_b", contractor=world.contractor)


def portal_notices() -> list[tuple[str, str]]:
    rows = StaffNotice.objects.filter(kind__startswith="work_order_").select_related("recipient")
    return sorted((n.recipient.username, n.kind) for n in rows)


def test_a_work_order_tells_its_company_once_in_the_portal(world, colleague, mailoutbox):
    world.contractor_user.email = "foreman@testzhol.kz"
    world.contractor_user.save()
    case = world.advance(world.case(), "contractor_notified")
    deliver_all()
    assert portal_notices() == [("contractor", "work_order_issued"),
                                ("foreman_b", "work_order_issued")]  # fmt: skip
    assert [m.to for m in mailoutbox] == [["foreman@testzhol.kz"]]
    order = current_work_order(case)
    # Processed again: nobody is told twice.
    contractor_work_order_notice({"work_order": order.pk, "notice": "issued"})
    assert len(portal_notices()) == 2
    # Contractors never get the staff task notice (their repair task links to /staff/).
    assert not StaffNotice.objects.filter(kind="task_new", recipient=world.contractor_user)
    notice = StaffNotice.objects.filter(recipient=world.contractor_user).get()
    with translation.override("kk"):
        assert notice_text(notice).startswith(f"Жаңа №{order.pk} наряд: Шұңқыр")


def test_a_returned_repair_tells_the_company_why(world, colleague):
    case = world.advance(world.case(), "repaired")
    deliver_all()
    services.case_return_for_rework(case, actor=world.inspector, reason="Края не обрезаны")
    deliver_all()

    def returned():
        return StaffNotice.objects.filter(kind="work_order_returned").order_by("id")

    assert sorted(n.recipient.username for n in returned()) == ["contractor", "foreman_b"]
    notice = returned().get(recipient=world.contractor_user)
    with translation.override("ru"):
        assert "инспектор вернул ремонт на доработку: Края не обрезаны" in notice_text(notice)
    # The same return processed twice is told once; a second return is news again.
    event = case.events.get(action="return_for_rework")
    order = current_work_order(case)
    contractor_work_order_notice({"work_order": order.pk, "notice": "returned", "event": event.pk})
    assert returned().count() == 2
    services.case_report_repaired(
        case,
        actor=world.contractor_user,
        before=[image_upload("b.jpg")],
        after=[image_upload("a.png", "PNG")],
    )
    services.case_return_for_rework(case, actor=world.inspector, reason="Снова не то")
    deliver_all()
    assert returned().count() == 4
    assert returned().last().params["reason"] == "Снова не то"
    assert not StaffNotice.objects.filter(recipient=world.other_contractor_user)


def test_a_late_repair_reminds_the_company_in_the_portal(world):
    case = world.advance(world.case(), "contractor_notified")
    deliver_all()
    sweep_run(now=case.stage_due_at)
    deliver_all()
    assert portal_notices() == [("contractor", "work_order_issued"),
                                ("contractor", "work_order_overdue")]  # fmt: skip


def test_the_portal_bell_leads_to_the_portals_notices_and_on_to_the_order(client, world):
    case = world.advance(world.case(), "contractor_notified")
    deliver_all()
    order = current_work_order(case)
    notice = StaffNotice.objects.get(recipient=world.contractor_user)
    client.force_login(world.contractor_user)
    html = client.get("/contractor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/contractor/notices/"' in html and 'aria-label="Notices, 1 unread"' in html
    page = client.get("/contractor/notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/contractor/notices/{notice.pk}/"' in page and "/staff/" not in page
    opened = client.get(f"/contractor/notices/{notice.pk}/")
    assert opened["Location"] == f"/contractor/orders/{order.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    # Staff have their own page; the portal's is for contractors' people.
    client.force_login(world.officer)
    assert client.get("/contractor/notices/").status_code == 403
