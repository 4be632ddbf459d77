import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def table_counts():
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def test_seed_demo_builds_a_world_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--cases", "40", stdout=out)
    assert "demo data created: 40 cases" in out.getvalue()
    assert "clerk.aktobe" in out.getvalue() and "demo12345" in out.getvalue()
    first = table_counts()
    assert first["casework.Case"] == 40
    assert first["casework.District"] == 14  # 13 in Aktobe region + Taraz
    from casework.models import Case

    assert {c.state for c in Case.objects.all()} >= {"received", "assigned", "verified"}
    out = io.StringIO()
    call_command("seed_demo", "--cases", "40", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert table_counts() == first
    call_command("verify_audit", stdout=io.StringIO())


def test_seed_demo_refuses_production_without_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_rejects_a_silly_case_count(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--cases"):
        call_command("seed_demo", "--cases", "-5", stdout=io.StringIO())
