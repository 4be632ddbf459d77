"""Small vector charts drawn as SVG from the report's figures (WeasyPrint keeps them vectors).

Hand-built on purpose: two chart kinds with a few dozen elements each do not justify a charting
library, and every label here goes through `svg_text` (escaped, and without the characters XML
forbids: an SVG is XML, and names typed into the admin may hold them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from casework.xmltext import xml_text

FONT = 'font-family="Baqylau Sans, sans-serif"'
COLOURS = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48")


def svg_text(value: object) -> str:
    return escape(xml_text(str(value)))


def _nice_max(value: float) -> float:
    """The top of the axis: four equal steps of a round size (1, 2, 2.5 or 5 times 10^k)."""
    if value <= 4:
        return 4
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    while magnitude > value and magnitude > 0.1:
        magnitude /= 10
    for factor in (0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if value <= step * 4:
            return step * 4
    return magnitude * 40


def _ticks(top: float) -> list[float]:
    return [top * i / 4 for i in range(5)]


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str
) -> SafeString:
    width, height = 640, 240
    left, right, top, bottom = 44, 26, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max([v for _n, values in series for v in values] + [0]))
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{svg_text(title)}">',
        f'<text x="{left}" y="16" font-size="12" font-weight="bold" {FONT}>'
        f"{svg_text(title)}</text>",
    ]
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-width="0.7"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end" {FONT}>'
            f"{_number(tick)}</text>"
        )
    for index, label in enumerate(labels):
        x = left + step * index
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="8.5" text-anchor="middle" '
            f"{FONT}>{svg_text(label)}</text>"
        )
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = " ".join(
            f"{left + step * i:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{left + step * i:.1f}" cy="{top + plot_h - plot_h * v / peak:.1f}" '
                f'r="2.4" fill="{colour}"/>'
            )
        lx = left + number * 170
        parts.append(
            f'<rect x="{lx}" y="{height - 16}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{height - 11}" font-size="9.5" {FONT}>{svg_text(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    unit: str = "",
    axis_max: float | None = None,
) -> SafeString:
    """Grouped horizontal bars: one group per label, one bar per series, each with its value
    written beside it. `axis_max` fixes the axis (100 for percentages)."""
    width = 640
    left, right, top = 170, 40, 28
    bar_h, gap = 11, 9
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(labels) + 30
    plot_w = width - left - right
    peak = axis_max or _nice_max(max([v or 0 for _n, values in series for v in values] + [0]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{svg_text(title)}">',
        f'<text x="0" y="16" font-size="12" font-weight="bold" {FONT}>{svg_text(title)}</text>',
    ]
    for tick in _ticks(peak):
        x = left + plot_w * tick / peak
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 28}" '
            'stroke="#ddd" stroke-width="0.7"/>'
        )
    for index, label in enumerate(labels):
        y0 = top + group_h * index
        parts.append(
            f'<text x="{left - 6}" y="{y0 + bar_h * len(series) / 2 + 3:.1f}" font-size="9" '
            f'text-anchor="end" {FONT}>{svg_text(label)}</text>'
        )
        for number, (_name, values) in enumerate(series):
            value = values[index] or 0
            y = y0 + number * bar_h
            w = plot_w * value / peak
            parts.append(
                f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{COLOURS[number % len(COLOURS)]}"/>'
                f'<text x="{left + w + 3:.1f}" y="{y + bar_h - 3.5:.1f}" font-size="8.5" {FONT}>'
                f"{_number(value)}{svg_text(unit)}</text>"
            )
    for number, (name, _values) in enumerate(series):
        lx = left + number * 170
        parts.append(
            f'<rect x="{lx}" y="{height - 16}" width="12" height="6" '
            f'fill="{COLOURS[number % len(COLOURS)]}"/>'
            f'<text x="{lx + 16}" y="{height - 10}" font-size="9.5" {FONT}>{svg_text(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
