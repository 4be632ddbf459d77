"""The managers' dashboard: the figures of `casework.figures` and `contractors.selectors` for the
reader's scope, laid out as horizontal bar charts (drawn as inline SVG by the template, each with
a table of the same numbers) whose every bar links to the case list showing exactly its cases.

Horizontal bars on purpose: one row per month or stage reads on a phone as well as on a desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from casework import figures
from casework.models import Case, EscalationLevel
from casework.states import CaseState
from contractors.selectors import late_contractors

# The geometry of a chart, in SVG user units (the SVG scales to the width it is given).
# Narrow on purpose: scaled to a phone's width its 14-unit text stays readable.
WIDTH = 360
LABEL_W = 120
VALUE_W = 40
LABEL_LINE = 20  # a label above its bars (long names: stages, contractors)
BAR_H = 20
GAP = 10
TOP = 8
# Series colours, with enough contrast against white for WCAG AA (3:1 for graphics).
COLOURS = ("#1f5fa8", "#b4561b", "#2b7a4b")


@dataclass
class Bar:
    value: int
    href: str
    series: int = 0
    text: str = ""  # the label shown at the bar's end; the value when empty
    # geometry, filled in by `_lay_out`
    x: float = 0
    y: float = 0
    w: float = 0
    colour: str = ""
    name: str = ""  # the series'
    text_x: float = 0
    text_y: float = 0

    @property
    def shown(self) -> str:
        return self.text or str(self.value)


@dataclass
class Row:
    label: str
    bars: list[Bar]
    y: float = 0  # the label's baseline


@dataclass
class Chart:
    key: str
    title: str
    description: str
    series: list[str]
    rows: list[Row]
    peak: int = 0  # the value of a full-width bar
    height: float = 0
    legend: list[tuple[str, str]] = field(default_factory=list)
    value_w: int = VALUE_W  # room right of the longest bar for its label
    label_above: bool = False  # the row's label on a line of its own, above its bars

    @property
    def empty(self) -> bool:
        return not any(bar.value for row in self.rows for bar in row.bars)


def _lay_out(chart: Chart) -> Chart:
    per_row = max((len(row.bars) for row in chart.rows), default=1)
    above = LABEL_LINE if chart.label_above else 0
    row_h = above + per_row * BAR_H + GAP
    left = 4 if chart.label_above else LABEL_W
    chart.peak = max([bar.value for row in chart.rows for bar in row.bars] + [1])
    span = WIDTH - left - chart.value_w
    for i, row in enumerate(chart.rows):
        top = TOP + i * row_h
        row.y = top + 15 if chart.label_above else top + per_row * BAR_H / 2 + 5
        for j, bar in enumerate(row.bars):
            bar.x = left
            bar.y = top + above + j * BAR_H + 2
            bar.w = max(round(span * bar.value / chart.peak, 1), 2)  # a zero still shows
            bar.colour = COLOURS[bar.series % len(COLOURS)]
            bar.name = chart.series[bar.series]
            bar.text_x = bar.x + bar.w + 6
            bar.text_y = bar.y + 13
    chart.height = TOP + len(chart.rows) * row_h
    chart.legend = [(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(chart.series)]
    return chart


def case_list_link(**filters) -> str:
    """The staff case list with these filters (every case, open or closed)."""
    query = {"show": "all", **{k: v for k, v in filters.items() if v not in (None, "")}}
    return reverse("workflows:cases") + "?" + urlencode(query)


def month_label(month: figures.Month) -> str:
    return formats.date_format(month.first, "YEAR_MONTH_FORMAT")


def _monthly_chart(key, title, description, rows: list[figures.MonthFigures], attr, param):
    return _lay_out(
        Chart(
            key=key,
            title=title,
            description=description,
            series=[title],
            rows=[
                Row(
                    month_label(row.month),
                    [Bar(getattr(row, attr), case_list_link(**{param: row.month.code}))],
                )
                for row in rows
            ],
        )
    )


def _escalation_chart(rows: list[figures.MonthFigures]) -> Chart:
    return _lay_out(
        Chart(
            key="escalated",
            title=_("Cases escalated, by level"),
            description=_(
                "Level 1: stage deadline passed; level 2: a working day later, to the head of "
                "department and the akimat; level 3: legal answer deadline passed."
            ),
            series=[_("Level %(n)d") % {"n": level} for level in figures.LEVELS],
            rows=[
                Row(
                    month_label(row.month),
                    [
                        Bar(
                            row.escalated[level],
                            case_list_link(escalated=row.month.code, level=level),
                            series=i,
                        )
                        for i, level in enumerate(figures.LEVELS)
                    ],
                )
                for row in rows
            ],
        )
    )


def _stage_chart(month: figures.Month, stages: list[figures.StageTimeliness]) -> Chart:
    rows = []
    for stage in stages:
        percent = stage.on_time_percent
        rows.append(
            Row(
                CaseState(stage.stage).label,
                [
                    Bar(
                        stage.late,
                        case_list_link(late_stage_in=month.code, stage=stage.stage),
                        text=_("%(late)d late of %(finished)d")
                        % {"late": stage.late, "finished": stage.finished}
                        + ("" if percent is None else f" ({percent}%)"),
                    )
                ],
            )
        )
    chart = _lay_out(
        Chart(
            key="stages",
            title=_("Stage timeliness"),
            description=_(
                "Cases that left each stage in the month, and how many of them left it after "
                "the stage deadline (the percentage is the share on time)."
            ),
            series=[_("Late")],
            rows=rows,
            value_w=150,
            label_above=True,
        )
    )
    return chart


def _contractor_chart(month: figures.Month, late: list) -> Chart:
    return _lay_out(
        Chart(
            key="contractors",
            title=_("Most late contractors"),
            description=_(
                "Cases whose work order was due in the month and was not done by its due moment."
            ),
            series=[_("Late cases")],
            rows=[
                Row(
                    row.legal_name,
                    [
                        Bar(
                            row.late_cases,
                            case_list_link(late_orders_in=month.code, contractor=row.contractor_id),
                        )
                    ],
                )
                for row in late
            ],
            label_above=True,
        )
    )


@dataclass
class Dashboard:
    months: list[figures.Month]
    focus: figures.Month
    current: figures.MonthFigures
    charts: list[Chart]
    focus_charts: list[Chart]


def dashboard_build(cases: QuerySet[Case], focus: figures.Month | None = None) -> Dashboard:
    """Every figure for `cases` (the reader's scope): six queries whatever the data."""
    months = figures.recent_months()
    focus = focus or months[-1]
    counted = figures.month_figures(cases, months)
    rows = counted[::-1]  # the newest month first
    charts = [
        _monthly_chart(
            "received",
            _("Received"),
            _("Cases received in each month."),
            rows,
            "received",
            "received",
        ),
        _monthly_chart(
            "closed", _("Closed"), _("Cases closed in each month."), rows, "closed", "closed"
        ),
        _monthly_chart(
            "overdue",
            _("Overdue"),
            _(
                "Cases open at the end of each month (now, for this month) past their answer "
                "deadline."
            ),
            rows,
            "overdue",
            "overdue_at",
        ),
        _escalation_chart(rows),
    ]
    stages = figures.stage_timeliness(cases, focus)
    late = late_contractors(cases, focus.start, focus.end)
    return Dashboard(
        months=months,
        focus=focus,
        current=counted[-1],
        charts=charts,
        focus_charts=[_stage_chart(focus, stages), _contractor_chart(focus, late)],
    )


LEVEL_LABELS = dict(EscalationLevel.choices)
