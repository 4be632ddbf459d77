"""Report runs from the staff pages, the commands and the monthly schedule."""

import hashlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from casework.models import CaseEvent
from reports import documents
from reports.models import ReportRun
from tests.reports.month_data import at, seed_month
from tests.reports.pdftools import pdf_text, save_pngs

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """Runs the after-commit hand-over to Celery (eager in tests) as it happens in production."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


def test_manager_asks_for_a_report_sees_progress_and_downloads_it(client, world, eager):
    seed_month(world)
    client.force_login(world.manager)
    page = client.get("/reports/")
    assert page.status_code == 200
    response = eager(
        client.post,
        "/reports/monthly/",
        {"month": "2025-03", "region": world.region_a.pk, "language": "ru"},
    )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert response["Location"] == f"/reports/runs/{run.pk}/"
    detail = client.get(response["Location"])
    assert b'role="progressbar"' in detail.content
    status = client.get(f"/reports/runs/{run.pk}/status/").json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    run.refresh_from_db()
    assert hashlib.sha256(content).hexdigest() == run.file_sha256 == download["X-Content-SHA256"]
    assert run.data_sha256 and run.chain_head and run.requested_by == world.manager
    assert world.manager.username in pdf_text(content)


def test_a_run_shows_its_progress_while_it_runs(client, world, monkeypatch):
    client.force_login(world.manager)
    run = ReportRun.objects.create(
        kind="monthly", month="2025-03-01", region=world.region_a, requested_by=world.manager
    )
    run.status, run.progress = ReportRun.Status.RUNNING, 45
    run.save()
    status = client.get(f"/reports/runs/{run.pk}/status/").json()
    assert status == {
        "id": run.pk,
        "status": "running",
        "status_label": str(ReportRun.Status.RUNNING.label),
        "progress": 45,
        "error": "",
        "finished": False,
    }
    assert client.get(f"/reports/runs/{run.pk}/download/").status_code == 404


def test_other_region_contractors_and_clerks_cannot_see_runs(client, world, eager):
    client.force_login(world.manager)
    eager(
        client.post,
        "/reports/monthly/",
        {"month": "2025-03", "region": world.region_a.pk, "language": "en"},
    )
    run = ReportRun.objects.get()
    for user, code in ((world.manager_b, 404), (world.contractor_user, 403), (world.clerk, 403)):
        client.force_login(user)
        assert client.get(f"/reports/runs/{run.pk}/download/").status_code == code
        assert client.get(f"/reports/runs/{run.pk}/status/").status_code == code
    client.force_login(world.manager_b)
    response = client.post(
        "/reports/monthly/", {"month": "2025-03", "region": world.region_a.pk, "language": "en"}
    )
    assert response.status_code == 400
    assert ReportRun.objects.count() == 1


@pytest.mark.parametrize(
    "month, field",
    [("2999-01", "month"), ("2025-13", "month"), ("march", "month"), ("", "month")],
)
def test_bad_months_get_a_field_error_and_change_nothing(client, world, month, field):
    client.force_login(world.manager)
    response = client.post(
        "/reports/monthly/", {"month": month, "region": world.region_a.pk, "language": "ru"}
    )
    assert response.status_code == 400
    assert response.context["monthly_form"].errors[field]
    assert not ReportRun.objects.exists()


def test_a_failed_run_says_why_and_keeps_no_file(client, world, eager, monkeypatch, settings):
    def broken(*args, **kwargs):
        kwargs["progress"](30)
        raise RuntimeError("the renderer ran out of paper")

    monkeypatch.setattr(documents, "monthly_build", broken)
    client.force_login(world.manager)
    eager(
        client.post,
        "/reports/monthly/",
        {"month": "2025-03", "region": world.region_a.pk, "language": "ru"},
    )
    run = ReportRun.objects.get()
    assert run.status == "failed"
    assert "ran out of paper" in run.error
    assert not run.file
    reports_dir = Path(settings.PRIVATE_MEDIA_ROOT) / "reports"
    assert not reports_dir.exists() or not any(p.is_file() for p in reports_dir.rglob("*"))
    page = client.get(f"/reports/runs/{run.pk}/")
    assert b"ran out of paper" in page.content


def test_investigators_dossier_needs_a_reason_and_logs_the_reveal(client, world, eager):
    case = world.advance(world.case(), "verified")
    client.force_login(world.investigator)
    form = {"tracking_code": case.tracking_code, "language": "ru", "variant": "investigator"}
    response = client.post("/reports/dossier/", form)
    assert response.status_code == 400
    assert not CaseEvent.objects.filter(action="complainant_revealed").exists()
    eager(
        client.post,
        "/reports/dossier/",
        {**form, "reason": "Запрос прокуратуры №17 о проверке приёмки"},
    )
    run = ReportRun.objects.get()
    assert run.status == "done", run.error
    reveal = CaseEvent.objects.get(case=case, action="complainant_revealed")
    assert reveal.actor == world.investigator and "Запрос прокуратуры №17" in reveal.reason
    with run.file.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Айгүл Сейтқали" in text and "+77011234567" in text
    # Nobody else sees the investigator's copy, not even a manager of the same region.
    client.force_login(world.manager)
    assert client.get(f"/reports/runs/{run.pk}/download/").status_code == 404


def test_standard_dossier_never_shows_the_complainant(client, world, eager):
    case = world.advance(world.case(), "verified")
    client.force_login(world.manager)
    form = {"tracking_code": case.tracking_code, "language": "ru", "variant": "standard"}
    eager(client.post, "/reports/dossier/", form)
    run = ReportRun.objects.get()
    with run.file.open("rb") as handle:
        content = handle.read()
    text = " ".join(pdf_text(content).split())
    assert case.tracking_code in text and "Айгүл" not in text and "+7701" not in text
    assert not CaseEvent.objects.filter(action="complainant_revealed").exists()
    save_pngs(content, "dossier-standard-ru")
    # A manager may not ask for the investigator's copy.
    response = client.post("/reports/dossier/", {**form, "variant": "investigator", "reason": "x"})
    assert response.status_code == 403


def test_monthly_schedule_runs_once_per_scope_and_mails_the_managers(world, eager, monkeypatch):
    from config.celery import app
    from reports import services

    entry = app.conf.beat_schedule["reports-monthly"]
    assert entry["task"] == "reports.tasks.monthly_schedule"
    schedule = entry["schedule"]
    assert schedule.hour == {6} and schedule.minute == {0} and schedule.day_of_month == {1}
    assert app.conf.timezone == "Asia/Almaty"
    world.manager.email = "manager@akimat.kz"
    world.manager.save()
    seed_month(world)
    runs = eager(services.monthly_schedule, now=at(4, 1, 6))
    scopes = {
        (r.region.code if r.region else "", r.district.code if r.district else "") for r in runs
    }
    assert ("AQT", "") in scopes and ("AQT", "A1") in scopes and ("ZHA", "B1") in scopes
    assert ("", "") in scopes  # the whole country
    assert all(r.month.isoformat() == "2025-03-01" for r in runs)
    done = ReportRun.objects.filter(status="done").count()
    assert done == len(runs)
    region_a = [m for m in mail.outbox if "manager@akimat.kz" in m.to]
    assert len(region_a) == 3  # the region and its two districts
    assert region_a[0].attachments[0][2] == "application/pdf"
    again = eager(services.monthly_schedule, now=at(4, 1, 6, 5))
    assert {r.pk for r in again} == {r.pk for r in runs}
    assert len(mail.outbox) == 3


def test_monthly_report_command_writes_the_pdf(world, tmp_path):
    seed_month(world)
    out = tmp_path / "report.pdf"
    call_command("monthly_report", month="2025-03", out=str(out), district="A1", lang="kk")
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    assert "A1" in pdf_text(content)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2999-01"], "2999-01 is in the future."),
        (["--month", "2025-3"], "Give the month as YYYY-MM"),
        (["--month", "2025-03", "--district", "NOPE"], "Unknown district “NOPE”."),
        (["--month", "2025-03", "--department", "NOPE"], "Unknown department “NOPE”."),
        (["--month", "2025-03", "--region", "ZHA", "--district", "A1"], "not in that region"),
    ],
)
def test_monthly_report_command_refuses_bad_arguments_in_one_line(world, tmp_path, args, message):
    out = tmp_path / "r.pdf"
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("monthly_report", *args, "--out", str(out))
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert not out.exists()


def test_case_dossier_command_and_its_errors(world, tmp_path):
    case = world.case()
    out = tmp_path / "d.pdf"
    call_command("case_dossier", case.tracking_code, out=str(out))
    assert case.tracking_code in pdf_text(out.read_bytes())
    with pytest.raises(CommandError, match="unknown case AQT-2026-999999"):
        call_command("case_dossier", "AQT-2026-999999", out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="is not an investigator"):
        call_command(
            "case_dossier", case.tracking_code, out=str(out), investigator="clerk", reason="r"
        )
    with pytest.raises(CommandError, match="--reason is required"):
        call_command("case_dossier", case.tracking_code, out=str(out), investigator="investigator")
    assert not (tmp_path / "x.pdf").exists()


def test_commands_exit_non_zero_with_one_line(world, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "monthly_report", "--month", "2999-01", "--out", "x.pdf"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**__import__("os").environ, "DEBUG": "1"},
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "2999-01 ещё не наступил." in result.stderr  # LANGUAGE_CODE is ru
