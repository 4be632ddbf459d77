"""The dossier reads as a person would want it: names, local times and translated labels, never
ids, codes or raw payloads; late markers, money and doubtful photos where they belong."""

import contextlib
import datetime as dt
import re

import pytest

from casework import clock, services
from casework.models import Case
from casework.services import case_reopen, complainant_reveal
from contractors.models import WorkOrder
from contractors.selectors import current_work_order
from contractors.services import work_order_acknowledge
from reports.dossier import dossier_build
from tests.factories import image_upload
from tests.reports.pdftools import pdf_text

pytestmark = pytest.mark.django_db

INTERNALS = (
    "department:",
    "contract:",
    "contractor:",
    "failed_verification_by",
    "work_order",
    "fields:",
    "['name'",
    "citizen or system",
    "complainant_revealed",
    "extend_deadline",
    "notify_contractor",
)
ENGLISH_ROLES = ("Clerk", "Department officer", "Inspector", "Contractor", "Investigator")


@pytest.fixture
def lived_case(world):
    world.officer.first_name, world.officer.last_name = "Нұрлан", "Әбенов"
    world.officer.save()
    world.inspector.first_name, world.inspector.last_name = "Гүлнар", "Исаева"
    world.inspector.save()
    case = world.advance(world.case(), "contractor_notified")
    work_order_acknowledge(current_work_order(case), actor=world.contractor_user)
    case = finish(world, case)
    case_reopen(case, actor=world.clerk, reason="Яма снова появилась.", kind="citizen_dispute")
    complainant_reveal(case, actor=world.investigator, reason="Запрос прокуратуры о проверке.")
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_dossier_prints_names_local_times_and_labels_not_internals(lived_case, world, language):
    text = " ".join(pdf_text(dossier_build(lived_case, language=language,
                                           moment=clock.now()).pdf.content).split())  # fmt: skip
    for internal in INTERNALS:
        assert internal not in text, internal
    for role in ENGLISH_ROLES:
        assert not re.search(rf"\b{role}\b", text), role
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", text)  # no microseconds
    assert not re.search(r"\+00:00|UTC", text)
    assert "Гүлнар Исаева" in text and "Нұрлан Әбенов" in text  # the failed sign-off, by name
    assert world.contractor.legal_name in text
    assert "Дороги" in text or "Жол" in text  # the department by name


def finish(world, case, when=None):
    """Report the repair and accept it (at `when`, or now)."""
    frozen = clock.frozen_at(when) if when else contextlib.nullcontext()
    with frozen:
        services.case_report_repaired(
            case,
            actor=world.contractor_user,
            before=[image_upload("b.jpg")],
            after=[image_upload("a.png", "PNG")],
        )
        services.case_verify(case, actor=world.inspector)
    return Case.objects.get(pk=case.pk)


def test_the_dossier_marks_lateness_money_acceptance_and_warranty(world):
    world.inspector.first_name, world.inspector.last_name = "Гүлнар", "Исаева"
    world.inspector.save()
    received = clock.now() - dt.timedelta(days=60)
    case = world.case(received_at=received)
    with clock.frozen_at(received + dt.timedelta(hours=2)):
        case = world.advance(case, "contractor_notified")
    case = finish(world, case, received + dt.timedelta(days=45))  # weeks after it was due
    order = WorkOrder.objects.get(case=case)
    text = " ".join(pdf_text(dossier_build(case, language="en",
                                           moment=clock.now()).pdf.content).split())  # fmt: skip
    assert re.search(r"closed \d+ working days after the answer deadline", text)
    assert re.search(r"\d+ working days late", text)
    assert "1,000,000.00 ₸" in text  # the contract's amount
    assert "Гүлнар Исаева" in text  # who accepted
    if order.warranty_ends_at:
        assert "Warranty until" in text


def test_complainant_name_is_a_persons_name_not_a_things_title(world):
    from django.utils import translation

    from reports.labels import contact_field_label

    for language, title in (("ru", "Название"), ("kk", "Атауы")):
        with translation.override(language):
            assert contact_field_label("name") != title
