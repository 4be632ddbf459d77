"""Tests reading ../shared/fixtures skip with the reason in a clone without it, fail under CI."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests import conftest, shared_fixtures


@pytest.fixture
def no_shared_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(shared_fixtures, "SHARED_FIXTURES", tmp_path / "shared" / "fixtures")


def test_a_missing_shared_fixture_skips_with_its_path_outside_ci(no_shared_folder, monkeypatch):
    monkeypatch.setattr(conftest, "CI", False)
    with pytest.raises(Skipped, match=r"shared/fixtures/open311 \(the shared fixtures"):
        shared_fixtures.shared_fixture("open311")


def test_a_missing_shared_fixture_fails_under_ci(no_shared_folder, monkeypatch):
    monkeypatch.setattr(conftest, "CI", True)
    with pytest.raises(Failed, match="required under CI=true"):
        shared_fixtures.shared_fixture("open311")


def test_a_present_shared_fixture_is_its_path(monkeypatch, tmp_path):
    (tmp_path / "open311").mkdir()
    monkeypatch.setattr(shared_fixtures, "SHARED_FIXTURES", tmp_path)
    assert shared_fixtures.shared_fixture("open311") == tmp_path / "open311"
