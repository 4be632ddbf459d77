import pytest


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    # No browser or page of ours may reach outside 127.0.0.1 in tests.
    settings.MAP_TILE_URL = ""
