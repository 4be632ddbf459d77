"""The text search of the staff list and the API is served by indexes on PostgreSQL.

Django writes `icontains` as UPPER(col::text) LIKE UPPER(...), so an index on the bare column is
never used and a search at a million cases reads the whole table. With sequential scans priced
out, these plans must reach the rows through the search indexes; if a query or an index drifts
so that they no longer match, the plan falls back to a sequential scan and the test fails."""

import pytest
from django.db import connection

from casework.models import Case
from casework.selectors import cases_visible_to
from workflows import caselist
from workflows.api.filters import CaseFilter

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        # Left with bitmap scans only, which need an index condition: the search's own.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    return queryset.explain()


@pytest.mark.parametrize("text", ["маресьева", "Яма у дома"])
def test_staff_list_search_uses_the_trigram_indexes(requires_postgres, world, text):
    world.case()
    cases = caselist._searched(Case.objects.all(), text)
    plan = plan_of(cases)
    assert "Seq Scan on casework_case" not in plan, plan
    for index in ("case_title_upper_trgm", "case_address_upper_trgm"):
        assert index in plan, plan
    assert "case_description_upper_trgm" in plan, plan


def test_api_search_uses_the_indexes_including_the_tracking_code(requires_postgres, world):
    world.case()
    cases = CaseFilter({"q": "aqt-2026-000001"}, queryset=Case.objects.all()).qs
    plan = plan_of(cases)
    assert "Seq Scan on casework_case" not in plan, plan
    assert "case_tracking_code_upper" in plan, plan
    assert "case_description_upper_trgm" in plan, plan


def test_search_still_finds_in_any_case_of_letters(world):
    case = world.case(title="Открытый люк на улице Маресьева")
    found = caselist._searched(cases_visible_to(world.investigator), "МАРЕСЬЕВА")
    assert list(found) == [case]
    found = CaseFilter({"q": "маресьева"}, queryset=cases_visible_to(world.investigator)).qs
    assert list(found) == [case]
