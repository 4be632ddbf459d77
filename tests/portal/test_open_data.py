"""The open data set: exactly the public cases, in CSV and GeoJSON, with no personal data and no
citizen-written text, every column documented; served from the latest nightly dump with its
SHA-256 as the ETag; 503 before the first dump; the task is safe to run twice."""

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from casework import clock
from casework.deadlines import working_days_between
from casework.models import Case, Category
from portal.open_data import COLUMN_NAMES, COLUMNS
from portal.open_data_dump import latest_dump, open_data_dump
from portal.tasks import open_data_dump as open_data_dump_task

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Qwertz-secret-word"
COMPLAINANT = {"name": "Жанар Темірбекова", "phone": "+77017654321", "email": "zhanar@example.kz"}


@pytest.fixture
def cases(world):
    """Public cases in several states, a corruption report and a non-public category's case, each
    with a planted complainant and a secret word in everything the citizen wrote."""
    hidden = Category.objects.create(
        code="hidden", name_kk="Жасырын", name_ru="Скрытая", name_en="Hidden", public=False
    )

    def planted(**kw):
        return world.case(
            title=f"Яма {SECRET}",
            description=f"Пишу {SECRET}",
            address=f"ул. {SECRET} 1",
            complainant=COMPLAINANT,
            **kw,
        )

    received = planted()
    notified = world.advance(planted(), "contractor_notified")
    rejected = world.advance(planted(latitude=None, longitude=None), "rejected")
    report = world.advance(planted(category=world.corruption), "under_review")
    secret_category = planted(category=hidden)
    return {
        "public": [received, notified, rejected],
        "hidden": [report, secret_category],
    }


def dumped_bytes(client, name: str) -> bytes:
    response = client.get(f"/open-data/{name}")
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_the_dump_holds_exactly_the_public_cases(client, cases, world):
    open_data_dump()
    rows = csv_rows(dumped_bytes(client, "cases.csv"))
    assert [tuple(rows[0])] == [COLUMN_NAMES]
    codes = {row["tracking_code"] for row in rows}
    assert codes == {case.tracking_code for case in cases["public"]}
    geo = json.loads(dumped_bytes(client, "cases.geojson"))
    assert geo["type"] == "FeatureCollection"
    assert {f["id"] for f in geo["features"]} == codes
    by_code = {row["tracking_code"]: row for row in rows}
    received, notified, rejected = cases["public"]
    assert by_code[notified.tracking_code]["contractor"] == world.contractor.legal_name
    assert by_code[notified.tracking_code]["contractor_bin"] == world.contractor.bin
    assert by_code[notified.tracking_code]["department_code"] == "A1-ROADS"
    assert by_code[received.tracking_code]["contractor"] == ""
    assert by_code[rejected.tracking_code]["state"] == "rejected"
    assert by_code[rejected.tracking_code]["closed_on"]
    assert by_code[rejected.tracking_code]["latitude"] == ""
    features = {f["id"]: f for f in geo["features"]}
    assert features[rejected.tracking_code]["geometry"] is None
    point = features[received.tracking_code]["geometry"]
    assert point == {"type": "Point", "coordinates": [57.167, 50.2839]}
    assert features[notified.tracking_code]["properties"]["category_code"] == "pothole"


def test_no_personal_data_nor_citizen_text_in_any_byte(client, cases):
    open_data_dump()
    everything = b"".join(
        dumped_bytes(client, name)
        for name in ("cases.csv", "cases.geojson", "cases.csv.sha256", "cases.geojson.sha256")
    )
    text = everything.decode("utf-8")
    for private in (SECRET, *COMPLAINANT.values(), "Пишу", "Жасырын", "Hidden", "Реклама"):
        assert private not in text
    for case in cases["hidden"]:
        assert case.tracking_code not in text
    # Not even a count: the manifest's row count is the public cases'.
    assert latest_dump().rows == len(cases["public"])


def test_the_sha256_matches_the_bytes_and_is_the_etag(client, cases):
    dump = open_data_dump()
    for name in ("cases.csv", "cases.geojson"):
        content = dumped_bytes(client, name)
        digest = hashlib.sha256(content).hexdigest()
        assert dump.sha256[name] == digest
        response = client.get(f"/open-data/{name}")
        assert response["ETag"] == f'"{digest}"'
        assert response["Last-Modified"]
        checksum = client.get(f"/open-data/{name}.sha256")
        assert checksum.content.decode() == f"{digest}  {name}\n"
        with default_storage.open(f"{dump.folder}/{name}.sha256") as handle:
            assert handle.read().decode() == f"{digest}  {name}\n"


def test_304_on_if_none_match_and_if_modified_since(client, cases):
    open_data_dump()
    first = client.get("/open-data/cases.csv")
    again = client.get("/open-data/cases.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    since = client.get("/open-data/cases.csv", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    stale = client.get("/open-data/cases.csv", HTTP_IF_NONE_MATCH='"0000"')
    assert stale.status_code == 200


def test_before_the_first_dump_the_files_say_not_yet_published(client, world):
    for name in ("cases.csv", "cases.geojson", "cases.csv.sha256"):
        response = client.get(f"/open-data/{name}")
        assert response.status_code == 503
        assert response["Retry-After"] == "3600"
        assert 'id="open-data-not-yet"' in response.content.decode()
    page = client.get("/open-data/")
    assert page.status_code == 200 and 'id="open-data-not-yet"' in page.content.decode()
    assert client.get("/open-data/passwords.csv").status_code == 404


def test_running_the_task_twice_is_safe(client, cases):
    open_data_dump_task.apply().get(disable_sync_subtasks=False)
    first = latest_dump()
    first_bytes = dumped_bytes(client, "cases.csv")
    open_data_dump_task.apply().get(disable_sync_subtasks=False)
    second = latest_dump()
    assert second.folder != first.folder
    assert second.sha256 == first.sha256  # same data, same bytes, same ETag
    assert dumped_bytes(client, "cases.csv") == first_bytes
    for _ in range(3):
        open_data_dump(keep=2)
    folders, _files = default_storage.listdir("open-data")
    assert len(folders) == 2


def test_an_unfinished_dump_is_never_served(client, cases):
    done = open_data_dump()
    # A run that died before its manifest: newer, but not whole.
    default_storage.save("open-data/99990101T000000000000Z-dead00/cases.csv", io.BytesIO(b"x"))
    assert latest_dump().folder == done.folder
    assert dumped_bytes(client, "cases.csv") != b"x"


def test_working_days_late_counts_kazakh_working_days(client, world):
    received = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    case = world.case(received_at=received)
    case = Case.objects.get(pk=case.pk)
    later = case.due_at + dt.timedelta(days=30)
    with clock.frozen_at(later):
        open_data_dump()
    row = csv_rows(dumped_bytes(client, "cases.csv"))[0]
    expected = working_days_between(case.due_at, later)
    assert expected > 10
    assert row["working_days_late"] == str(expected)
    assert row["received_on"] == "2026-03-02"


def test_every_column_is_documented_on_the_page_and_in_the_docs(client):
    docs = (ROOT / "docs" / "open-data.md").read_text()
    for language in ("kk", "ru", "en"):
        client.cookies["django_language"] = language
        html = client.get("/open-data/").content.decode()
        assert f'<html lang="{language}">' in html
        for column in COLUMNS:
            assert f"<code>{column.name}</code>" in html
            assert f"`{column.name}`" in docs
    assert "CC BY 4.0" in docs


def test_the_command_writes_a_dump_and_prints_its_sha256(cases):
    out = io.StringIO()
    call_command("open_data_dump", stdout=out)
    dump = latest_dump()
    assert dump.sha256["cases.csv"] in out.getvalue()
    assert f"{len(cases['public'])} cases" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("open_data_dump", "--keep", "0")


@pytest.mark.parametrize("args", [["--keep", "0"], ["--keep", "many"], ["--bogus"]])
def test_the_command_refuses_bad_arguments_in_one_line(args):
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "open_data_dump", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "keep" in lines[0] or "bogus" in lines[0]


def test_the_page_has_an_etag_per_language_and_dump(client, cases):
    first = client.get("/open-data/")
    assert client.get("/open-data/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    client.cookies["django_language"] = "kk"
    assert client.get("/open-data/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    del client.cookies["django_language"]
    open_data_dump()
    published = client.get("/open-data/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert published.status_code == 200 and published["Last-Modified"]
    assert client.head("/open-data/cases.csv").status_code == 200


def test_rows_are_read_page_by_page_without_loss_or_repeat(client, cases, monkeypatch):
    import portal.open_data

    monkeypatch.setattr(portal.open_data, "CHUNK_SIZE", 2)
    open_data_dump()
    codes = [row["tracking_code"] for row in csv_rows(dumped_bytes(client, "cases.csv"))]
    expected = list(
        Case.objects.filter(pk__in=[c.pk for c in cases["public"]])
        .order_by("pk")
        .values_list("tracking_code", flat=True)
    )
    assert codes == expected


def test_the_open_data_page_lists_the_projects_datasets(client):
    html = client.get("/open-data/").content.decode()
    assert 'href="/open-data/projects.oc4ids.json"' in html
    assert 'href="/open-data/projects.csv"' in html
    assert client.get("/open-data/projects.csv").status_code == 200
