"""The managers' dashboard: its figures recomputed independently from the stored rows, every
drill-down link showing exactly the counted cases, a constant number of queries, months in local
time, the manager's scope, and the role matrix of the dashboard and the escalations list."""

import datetime as dt
import re
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import clock, figures, services
from casework.models import Case, CaseEvent, Escalation
from casework.selectors import cases_visible_to
from casework.states import CLOSED_STATES
from casework.sweep import sweep_run
from contractors.models import WorkOrder
from contractors.services import work_order_issue, work_order_report_repair
from tests.factories import image_upload
from workflows.dashboard import dashboard_build

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
# "Now" for the whole story: the 20th of November 2026, in the afternoon, local time.
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ALMATY)
DASHBOARD = "/staff/dashboard/"
ESCALATIONS = "/staff/escalations/"


def at(y, m, d, h=11, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=ALMATY)


class Story:
    def __init__(self, world):
        self.world = world

    def case(self, moment, district=None):
        with clock.frozen_at(moment):
            return self.world.case(district=district, received_at=moment)

    def assign(self, case, moment, department=None, clerk=None):
        with clock.frozen_at(moment):
            return services.case_assign(
                case, actor=clerk or self.world.clerk, department=department or self.world.dep_a1
            )

    def reject(self, case, moment, clerk=None):
        with clock.frozen_at(moment):
            return services.case_reject(
                case, actor=clerk or self.world.clerk, reason_code="spam", reason="Реклама."
            )

    def issue(self, case, moment, due, contract=None):
        with clock.frozen_at(moment):
            return work_order_issue(
                case, actor=self.world.officer, contract=contract or self.world.contract, due_at=due
            )

    def report(self, case, moment, user=None):
        with clock.frozen_at(moment):
            work_order_report_repair(
                case,
                actor=user or self.world.contractor_user,
                before=[image_upload("b.jpg")],
                after=[image_upload("a.png", "PNG")],
            )


@pytest.fixture
def story(world, settings):
    settings.TIME_ZONE = "Asia/Almaty"
    s = Story(world)
    w = world
    # Received on the last evening of October, local time (already November in UTC+0? no:
    # 18:30 UTC on the 31st) and on the first night of November (still October in UTC).
    s.late_october = s.case(at(2026, 10, 31, 23, 30))
    s.early_november = s.case(at(2026, 11, 1, 0, 30))
    # Received in September, assigned the next day, left open: overdue since late September.
    s.forgotten = s.case(at(2026, 9, 1))
    s.assign(s.forgotten, at(2026, 9, 2))
    # Received in September, rejected in October after weeks in the department.
    s.rejected = s.case(at(2026, 9, 10))
    s.assign(s.rejected, at(2026, 9, 11))
    s.reject(s.rejected, at(2026, 10, 5), clerk=w.clerk)
    # Contractors: one order reported late, one never reported, one on time.
    s.late_report = s.case(at(2026, 10, 1))
    s.assign(s.late_report, at(2026, 10, 2))
    s.issue(s.late_report, at(2026, 10, 3), due=at(2026, 10, 8))
    s.report(s.late_report, at(2026, 10, 12))
    s.never = s.case(at(2026, 10, 2))
    s.assign(s.never, at(2026, 10, 2, 15))
    s.issue(s.never, at(2026, 10, 5), due=at(2026, 10, 9))
    s.on_time = s.case(at(2026, 10, 3))
    s.assign(s.on_time, at(2026, 10, 3, 15))
    s.issue(s.on_time, at(2026, 10, 5), due=at(2026, 10, 20), contract=w.other_contract)
    s.report(s.on_time, at(2026, 10, 9), user=w.other_contractor_user)
    # Another region's case: never counted for this manager.
    s.elsewhere = s.case(at(2026, 10, 10), district=w.b1)
    # The deadline sweep ran through the autumn.
    for moment in (at(2026, 9, 15), at(2026, 9, 30), at(2026, 10, 15), at(2026, 11, 10)):
        sweep_run(now=moment)
    return s


# --- the figures recomputed from the rows, in Python ---------------------------------------


def _month_code(moment):
    return moment.astimezone(ALMATY).strftime("%Y-%m")


def _month_end(code):
    year, month = map(int, code.split("-"))
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=ALMATY)
    return min(end, NOW)


def recompute(cases):
    cases = list(cases)
    ids = {c.pk for c in cases}
    received = Counter(_month_code(c.received_at) for c in cases)
    closed = Counter(_month_code(c.closed_at) for c in cases if c.closed_at)
    overdue = Counter()
    for m in figures.recent_months(NOW):
        end = _month_end(m.code)
        for c in cases:
            open_then = (c.closed_at is None and c.state not in CLOSED_STATES) or (
                c.closed_at is not None and c.closed_at >= end
            )
            if c.received_at < end and c.due_at and c.due_at < end and open_then:
                overdue[m.code] += 1
    escalated = defaultdict(set)
    for e in Escalation.objects.filter(case_id__in=ids, fired_at__isnull=False):
        escalated[(_month_code(e.fired_at), e.level)].add(e.case_id)
    finished, late = defaultdict(set), defaultdict(set)
    by_case = defaultdict(dict)
    for e in CaseEvent.objects.filter(case_id__in=ids):
        by_case[e.case_id][e.seq] = e
    for case_id, events in by_case.items():
        for seq, e in events.items():
            if e.action not in figures.STAGE_ENDING_ACTIONS or e.from_state not in figures.STAGES:
                continue
            key = (_month_code(e.created_at), e.from_state)
            finished[key].add(case_id)
            due = events[seq - 1].payload.get("stage_due_at")
            if due and e.created_at > dt.datetime.fromisoformat(due):
                late[key].add(case_id)
    late_orders = defaultdict(set)
    for order in WorkOrder.objects.filter(case_id__in=ids).exclude(status="superseded"):
        if order.due_at >= NOW:
            continue
        done = order.status in ("reported", "accepted")
        if not done or order.completed_at > order.due_at:
            late_orders[(_month_code(order.due_at), order.contractor_id)].add(order.case_id)
    return received, closed, overdue, escalated, finished, late, late_orders


def test_figures_match_an_independent_count(world, story):
    scope = cases_visible_to(world.manager)
    with clock.frozen_at(NOW):
        months = figures.recent_months()
        rows = figures.month_figures(scope, months)
        october = figures.month_parse("2026-10")
        stages = {s.stage: s for s in figures.stage_timeliness(scope, october)}
        from contractors.selectors import late_contractors

        late = late_contractors(scope, october.start, october.end)
    received, closed, overdue, escalated, finished, late_stage, late_orders = recompute(scope)
    assert [m.code for m in months][0] == "2025-11" and months[-1].code == "2026-11"
    assert len(months) == 13 and months[-1].end == NOW
    for row in rows:
        code = row.month.code
        assert row.received == received[code], code
        assert row.closed == closed[code], code
        assert row.overdue == overdue[code], code
        for level in figures.LEVELS:
            assert row.escalated[level] == len(escalated[(code, level)]), (code, level)
    for stage in figures.STAGES:
        assert stages[stage].finished == len(finished[("2026-10", stage)]), stage
        assert stages[stage].late == len(late_stage[("2026-10", stage)]), stage
    assert {(r.contractor_id, r.late_cases) for r in late} == {
        (contractor, len(cases))
        for (code, contractor), cases in late_orders.items()
        if code == "2026-10"
    }
    # The crafted story is what the test believes it is: not all zeros.
    by_code = {row.month.code: row for row in rows}
    assert by_code["2026-10"].received == 4  # the last-evening case is October's, locally
    assert by_code["2026-11"].received == 1  # the first-night case is November's
    assert by_code["2026-09"].received == 2
    assert by_code["2026-10"].closed == 1
    assert by_code["2026-09"].overdue >= 1 and by_code["2026-11"].overdue >= 2
    assert sum(row.escalated[3] for row in rows) >= 1
    assert stages["assigned"].late >= 1
    assert {r.contractor_id for r in late} == {world.contractor.pk}
    assert late[0].late_cases == 2


def test_another_regions_cases_are_not_counted(world, story):
    with clock.frozen_at(NOW):
        mine = figures.month_figures(cases_visible_to(world.manager), figures.recent_months())
        theirs = figures.month_figures(cases_visible_to(world.manager_b), figures.recent_months())
    assert sum(r.received for r in mine) == Case.objects.filter(region=world.region_a).count()
    assert sum(r.received for r in theirs) == 1


def test_the_number_of_queries_does_not_grow_with_the_data(world, story):
    scope = cases_visible_to(world.manager)
    with clock.frozen_at(NOW), CaptureQueriesContext(connection) as before:
        dashboard_build(scope)
    for day in range(1, 8):
        c = story.case(at(2026, 11, day, 9))
        story.assign(c, at(2026, 11, day, 10))
    with clock.frozen_at(NOW), CaptureQueriesContext(connection) as after:
        dashboard_build(scope)
    assert len(before) == len(after) <= 6


# --- drill-down: every figure links to exactly its cases -----------------------------------


def _list_total(client, href):
    response = client.get(href)
    assert response.status_code == 200, response.content.decode()[:1500]
    return response.context["page"].total, response


def test_every_bar_opens_a_list_of_exactly_its_cases(world, story, client):
    client.force_login(world.manager)
    with clock.frozen_at(NOW):
        scope = cases_visible_to(world.manager)
        october = figures.month_parse("2026-10")
        board = dashboard_build(scope, october)
        checked = 0
        for chart in board.charts + board.focus_charts:
            for row in chart.rows:
                for bar in row.bars:
                    total, _ = _list_total(client, bar.href)
                    assert total == bar.value, (chart.key, row.label, bar.href)
                    checked += bar.value > 0
    assert checked >= 8


def test_the_list_shows_the_dashboard_filter_it_was_opened_with(world, story, client):
    client.force_login(world.manager)
    with clock.frozen_at(NOW):
        response = client.get("/staff/cases/?show=all&received=2026-10")
    html = response.content.decode()
    assert 'id="drill-filters"' in html
    assert 'name="received" value="2026-10"' in html
    codes = set(re.findall(r'data-case="([^"]+)"', html))
    assert story.late_october.tracking_code in codes
    assert story.early_november.tracking_code not in codes


@pytest.mark.parametrize("bad", ["2026-13", "next", "2099-01"])
def test_a_bad_month_in_the_list_filters_is_refused_with_a_message(world, client, bad):
    client.force_login(world.manager)
    response = client.get(f"/staff/cases/?show=all&closed={bad}")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


# --- the pages and who may open them -------------------------------------------------------


@pytest.mark.parametrize(
    "name,status",
    [
        ("manager", 200),
        ("clerk", 403),
        ("officer", 403),
        ("inspector", 403),
        ("investigator", 403),
        ("contractor", 403),
    ],
)
def test_only_managers_open_the_dashboard_and_escalations(world, client, name, status):
    user = world.users[name]
    client.force_login(user)
    for url in (DASHBOARD, ESCALATIONS):
        assert client.get(url).status_code == status, url
    menu = client.get("/staff/cases/").content.decode()
    assert (f'href="{DASHBOARD}"' in menu) == (status == 200)


def test_a_manager_lands_on_the_dashboard(world, client):
    client.force_login(world.manager)
    assert client.get("/staff/")["Location"] == DASHBOARD


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_dashboard_page_draws_labelled_svg_charts_with_tables(world, story, client):
    client.force_login(world.manager)
    with clock.frozen_at(NOW):
        client.get(DASHBOARD)  # the first visit remembers the language: a write of its own
        with CaptureQueriesContext(connection) as before:
            response = client.get(DASHBOARD, {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="bar-chart"') == 6
    assert html.count('<title id="chart-') == 6
    assert html.count('<details class="chart-table">') == 6
    assert "<script" not in html.split("<main", 1)[-1]
    assert world.contractor.legal_name in html
    for day in range(1, 6):
        c = story.case(at(2026, 10, day, 9))
        story.assign(c, at(2026, 10, day, 10))
        story.issue(c, at(2026, 10, day, 11), due=at(2026, 10, day + 1, 11))
    with clock.frozen_at(NOW), CaptureQueriesContext(connection) as after:
        assert client.get(DASHBOARD, {"month": "2026-10"}).status_code == 200
    assert len(after) == len(before) <= 20


def test_the_dashboard_refuses_a_month_in_the_future(world, client):
    client.force_login(world.manager)
    with clock.frozen_at(NOW):
        response = client.get(DASHBOARD, {"month": "2027-01"})
    assert response.status_code == 400


def test_escalations_list_newest_first_in_scope_and_by_level(world, story, client):
    client.force_login(world.manager)
    response = client.get(ESCALATIONS)
    rows = list(response.context["page"].object_list)
    expected = list(
        Escalation.objects.filter(fired_at__isnull=False, case__region=world.region_a).order_by(
            "-fired_at", "-id"
        )
    )
    assert rows == expected and rows
    assert all(r.case.region_id == world.region_a.pk for r in rows)
    level3 = client.get(ESCALATIONS, {"level": "3"}).context["page"].object_list
    assert list(level3) == [r for r in expected if r.level == 3]
    assert client.get(ESCALATIONS, {"level": "9"}).status_code == 400
    other = Client_for(world.manager_b)
    assert story.forgotten.tracking_code not in other.get(ESCALATIONS).content.decode()


def Client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_escalations_list_is_paginated(world, story, client, monkeypatch):
    from workflows.views import dashboard as views

    monkeypatch.setattr(views, "ESCALATIONS_PAGE", 2)
    client.force_login(world.manager)
    first = client.get(ESCALATIONS)
    assert len(first.context["page"].object_list) == 2
    assert 'rel="next"' in first.content.decode()
    second = client.get(ESCALATIONS, {"page": 2})
    assert set(second.context["page"].object_list).isdisjoint(first.context["page"].object_list)
