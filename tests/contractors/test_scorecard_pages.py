"""The staff scorecards page, its CSV export, and the contractor's own scorecard."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from casework import services
from contractors.forms import month_bounds
from contractors.scorecards import contractor_scorecards


@pytest.fixture
def month(world):
    a = world.advance(world.case(), "verified")
    b = world.advance(world.case(latitude="50.3", longitude="57.2"), "repaired")
    services.case_return_for_rework(b, actor=world.inspector, reason="Плохо")
    services.case_reopen(a, actor=world.clerk, reason="Снова яма", kind="citizen_dispute")
    first, last = month_bounds(timezone.localdate())
    return {"start": first.isoformat(), "end": last.isoformat()}


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_manager_sees_scores_chart_and_failed_signoffs(world, month):
    client = Client()
    client.force_login(world.manager)
    response = client.get("/contractor/scorecards/", month)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.contractor.legal_name in html
    assert 'class="bar-row"' in html and "width: " in html
    assert world.inspector.username in html  # the verifier whose sign-off failed
    officials = response.context["officials"]
    assert any(o.user_id == world.inspector.pk and o.failed == 1 for o in officials)


def test_csv_export_carries_the_same_figures(world, month):
    client = Client()
    client.force_login(world.investigator)
    response = client.get("/contractor/scorecards/csv/", {**month, "table": "contractors"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    from contractors.forms import PeriodForm

    form = PeriodForm(month)
    assert form.is_valid()
    (score,) = contractor_scorecards(*form.moments(), region=world.region_a)
    assert rows[1] == [
        score.legal_name,
        score.bin,
        str(score.orders),
        str(score.on_time),
        f"{score.on_time_rate * 100:.1f}" if score.on_time_rate is not None else "",
        f"{score.avg_working_days_late:.2f}" if score.avg_working_days_late is not None else "",
        "1",
        "1",
        "0",
    ]
    officials = _csv(client.get("/contractor/scorecards/csv/", {**month, "table": "officials"}))
    assert any(row[0] == world.inspector.username and row[3] == "1" for row in officials[1:])


def test_scope_limits_what_each_official_sees(world, month):
    client = Client()
    client.force_login(world.manager_b)
    response = client.get("/contractor/scorecards/", month)
    assert response.status_code == 200
    assert response.context["contractors"] == []
    client.force_login(world.officer)
    response = client.get("/contractor/scorecards/", month)
    assert [s.contractor_id for s in response.context["contractors"]] == [world.contractor.pk]
    assert response.context["officials"] is None
    assert (
        client.get("/contractor/scorecards/csv/", {**month, "table": "officials"}).status_code
        == 403
    )
    client.force_login(world.clerk)
    assert client.get("/contractor/scorecards/").status_code == 403


def test_district_filter_and_bad_dates(world, month):
    client = Client()
    client.force_login(world.manager)
    response = client.get("/contractor/scorecards/", {**month, "district": world.a2.pk})
    assert response.status_code == 200 and response.context["contractors"] == []
    bad = client.get("/contractor/scorecards/", {"start": "2026-05-10", "end": "2026-05-01"})
    assert bad.status_code == 400
    assert "end" in bad.context["form"].errors
    assert client.get("/contractor/scorecards/csv/", {"start": "yesterday"}).status_code == 400
    other_region = client.get("/contractor/scorecards/", {**month, "district": world.b1.pk})
    assert other_region.status_code == 400  # not a choice in a region-A manager's scope


def test_the_contractor_sees_their_own_scorecard(world, month):
    client = Client()
    client.force_login(world.contractor_user)
    response = client.get("/contractor/scorecard/", month)
    assert response.status_code == 200
    score = response.context["score"]
    assert score.contractor_id == world.contractor.pk
    assert score.orders == 2 and score.returned_at_verification == 1


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_pages_render_in_each_language(world, month, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.manager)
    assert client.get("/contractor/scorecards/", month).status_code == 200
    client.force_login(world.contractor_user)
    for url in ("/contractor/", "/contractor/scorecard/"):
        assert client.get(url).status_code == 200


def test_kazakh_and_russian_text_is_shown(world, month):
    client = Client()
    client.force_login(world.contractor_user)
    kk = client.get("/contractor/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    ru = client.get("/contractor/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Ашық нысандар" in kk
    assert "Открытые объекты" in ru


@pytest.mark.parametrize(
    "today,first,last",
    [
        ("2026-11-01T00:30", "2026-10-01", "2026-10-31"),  # a month one day (half an hour) old
        ("2026-11-15T12:00", "2026-10-01", "2026-10-31"),
        ("2026-11-30T23:50", "2026-10-01", "2026-10-31"),
        ("2027-01-01T09:00", "2026-12-01", "2026-12-31"),
    ],
)
def test_scorecards_open_on_the_last_full_month(world, settings, today, first, last):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from casework import clock

    settings.TIME_ZONE = "Asia/Almaty"
    moment = dt.datetime.fromisoformat(today).replace(tzinfo=ZoneInfo("Asia/Almaty"))
    client = Client()
    client.force_login(world.manager)
    with clock.frozen_at(moment):
        staff = client.get("/contractor/scorecards/")
        client.force_login(world.contractor_user)
        own = client.get("/contractor/scorecard/")
    for response in (staff, own):
        assert response.status_code == 200
        form = response.context["form"]
        assert (form.cleaned_data["start"].isoformat(), form.cleaned_data["end"].isoformat()) == (
            first,
            last,
        )
    assert f'value="{first}"' in staff.content.decode()
