"""Fixtures kept beside the clone in ../shared/fixtures (Meta's webhook examples, the Open311
schemas). A clone without them skips the tests that read them, with the reason; under CI=true,
where they must be there, those tests fail."""

from pathlib import Path

from tests.conftest import need

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def shared_fixture(*parts: str) -> Path:
    """The path of a shared fixture file or folder; skip (or fail under CI) when it is missing."""
    path = SHARED_FIXTURES.joinpath(*parts)
    need(path.exists(), f"{path} (the shared fixtures, kept beside the clone in ../shared/)")
    return path
