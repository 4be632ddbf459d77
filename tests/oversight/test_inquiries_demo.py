"""The demo opens the Taraz inquiry, so a new investigator finds the workspace full, and its log
verifies."""

import pytest
from django.core.management import call_command

from oversight.models import Inquiry, Sanction
from oversight.selectors import inquiries_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_the_taraz_inquiry_for_zhambyls_investigator():
    from demo.seed import seed

    made = seed(case_count=30)
    assert made["inquiries"] == 1
    inquiry = Inquiry.objects.get()
    assert inquiry.number.startswith("INQ-ZHA-")
    investigator = inquiry.opened_by
    assert investigator.username == "investigator.zhambyl"
    assert list(inquiries_visible_to(investigator)) == [inquiry]
    assert inquiry.evidence.filter(kind="act").exists()
    assert inquiry.findings.get().conclusion == "substantiated"
    sanction = inquiry.sanctions.get()
    assert sanction.status == Sanction.Status.PROPOSED and sanction.publishable
    call_command("verify_audit")
    # Seeding again adds none.
    seed(case_count=30)
    assert Inquiry.objects.count() == 1
