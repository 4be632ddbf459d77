"""The report commands: the data hash as the last line, the whole country by default, the author
named with --by, and verify_audit --head for a chain head printed on an older report."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.audit import chain_head
from tests.reports.month_data import seed_month
from tests.reports.pdftools import pdf_text, reader

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_without_a_region_the_report_covers_the_whole_country(world, tmp_path):
    month = seed_month(world)
    out = tmp_path / "country.pdf"
    printed = _run("monthly_report", "--month", "2025-03", "--out", str(out), "--lang", "en")
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "By region" in text
    assert world.region_a.code in text and world.region_b.code in text
    case_list = next(iter(reader(out.read_bytes()).attachments.values()))[0].decode("utf-8-sig")
    assert month.codes["other_region"] in case_list and month.codes["normal_1"] in case_list
    last = printed.strip().splitlines()[-1]
    assert last.startswith("data hash: ")
    data_hash = last.removeprefix("data hash: ")
    assert len(data_hash) == 64 and data_hash in pdf_text(out.read_bytes()).replace("\n", "")
    again = _run("monthly_report", "--month", "2025-03", "--out", str(out), "--lang", "kk")
    assert again.strip().splitlines()[-1] == last  # the same data in another language


def test_the_report_names_the_person_given_with_by(world, tmp_path):
    seed_month(world)
    world.manager.first_name, world.manager.last_name = "Әлия", "Серікова"
    world.manager.save()
    out = tmp_path / "r.pdf"
    _run("monthly_report", "--month", "2025-03", "--out", str(out), "--region", "AQT",
         "--by", world.manager.username, "--lang", "en")  # fmt: skip
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "Әлия Серікова" in text
    assert "manage.py monthly_report" not in text
    with pytest.raises(CommandError, match="unknown user nobody"):
        call_command("monthly_report", month="2025-03", out=str(out), by="nobody")
    with pytest.raises(CommandError, match="may not make reports"):
        call_command("monthly_report", month="2025-03", out=str(out), by=world.clerk.username)


def test_recommendations_are_printed_on_the_front_page(world, tmp_path):
    seed_month(world)
    advice = tmp_path / "advice.txt"
    advice.write_text("Проверить подрядчика по договору T-2025 до 15 апреля.", encoding="utf-8")
    out = tmp_path / "r.pdf"
    _run("monthly_report", "--month", "2025-03", "--out", str(out), "--region", "AQT",
         "--recommendations", str(advice))  # fmt: skip
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "Проверить подрядчика по договору T-2025 до 15 апреля." in text


def test_verify_audit_head_says_whether_an_old_head_is_in_the_chain(world):
    world.case()
    old_head, _count = chain_head()
    world.case()
    world.case()
    printed = _run("verify_audit", "--head", old_head)
    assert f"head {old_head} is in the chain; 2 events followed it" in printed
    current, _count = chain_head()
    assert "0 events followed it" in _run("verify_audit", "--head", current)
    with pytest.raises(CommandError, match="is not in the audit chain"):
        call_command("verify_audit", head="ab" * 32)
    with pytest.raises(CommandError, match="64 hex digits"):
        call_command("verify_audit", head="not-a-hash")
