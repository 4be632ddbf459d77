import pytest


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    # Tests reach nothing outside 127.0.0.1: maps render markers on a blank background.
    settings.MAP_TILE_URL = ""
