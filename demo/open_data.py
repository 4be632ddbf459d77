"""Publish the open data of the demo cases at once, so /open-data/ has files to hand out without
waiting for the night's task."""

from __future__ import annotations

from portal.open_data_dump import open_data_dump


def open_data_seed() -> int:
    """Write the open data dump of the demo data; the number of cases in it."""
    return open_data_dump().rows
