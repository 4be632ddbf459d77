"""The report's map page: the period's overdue and failed repairs as points over district
outlines, drawn as SVG from coordinates (no map tiles, nothing fetched).

District outlines are kept in the repository (`reports/geo/district_outlines.json`). The system
holds no real administrative boundaries: the outlines there are approximations (a circle around
each district's centre), and the map's legend says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.charts import FONT, svg_text

OUTLINES = Path(__file__).with_name("geo") / "district_outlines.json"
KIND_COLOURS = {"overdue": "#b03a48", "failed": "#d9822b"}
WIDTH, HEIGHT, MARGIN = 640, 560, 24
MIN_SPAN = 0.1  # degrees


@cache
def district_outlines() -> dict[str, dict[str, Any]]:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))["districts"]


def _projection(points: Iterable[tuple[float, float]]):
    """Equirectangular projection scaled to the frame, corrected for the latitude's cosine."""
    points = list(points)
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    # At least about 10 km across, so that points in one street are not drawn as one corner.
    span_x = max((east - west) * squeeze, MIN_SPAN)
    span_y = max(north - south, MIN_SPAN)
    width, height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 40
    scale = min(width / span_x, height / span_y)
    middle_lon, middle_lat = (west + east) / 2, (south + north) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + width / 2 + (lon - middle_lon) * squeeze * scale
        y = MARGIN + height / 2 + (middle_lat - lat) * scale
        return x, y

    return project


def map_svg(points: list[dict[str, Any]], districts: dict[str, str], *, title: str) -> SafeString:
    """`points`: dicts with lat, lon, kind ("overdue" or "failed") and code; `districts`: the
    names of the districts to outline, by code."""
    outlines = district_outlines()
    shown = {code: outlines[code] for code in districts if code in outlines}
    coordinates = [(p["lon"], p["lat"]) for p in points]
    for outline in shown.values():
        coordinates += [tuple(xy) for xy in outline["outline"]]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{svg_text(title)}">',
        f'<text x="0" y="14" font-size="12" font-weight="bold" {FONT}>{svg_text(title)}</text>',
    ]
    if coordinates:
        project = _projection(coordinates)
        for code, outline in shown.items():
            path = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in (project(*xy) for xy in outline["outline"])
            )
            cx, cy = project(*outline["centre"])
            parts.append(
                f'<polygon points="{path}" fill="#eef2f7" stroke="#8a9bb0" '
                'stroke-width="0.8" stroke-dasharray="3 2"/>'
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="7" fill="#6a7b90" '
                f'text-anchor="middle" {FONT}>{svg_text(districts[code])}</text>'
            )
        for point in points:
            x, y = project(point["lon"], point["lat"])
            colour = KIND_COLOURS.get(point["kind"], "#555")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{colour}" '
                'fill-opacity="0.8" stroke="#fff" stroke-width="0.5"/>'
            )
    legend_y = HEIGHT - 28
    for number, (kind, label) in enumerate(
        (("overdue", _("Open beyond the legal deadline")), ("failed", _("Repair failed")))
    ):
        lx = number * 260
        parts.append(
            f'<circle cx="{lx + 6}" cy="{legend_y}" r="4" fill="{KIND_COLOURS[kind]}"/>'
            f'<text x="{lx + 14}" y="{legend_y + 3.5}" font-size="9.5" {FONT}>'
            f"{svg_text(label)}</text>"
        )
    note = _(
        "Dashed outlines are approximate (a circle around each district's centre): "
        "the system holds no real district boundaries."
    )
    parts.append(
        f'<text x="0" y="{HEIGHT - 8}" font-size="8.5" fill="#555" {FONT}>{svg_text(note)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
