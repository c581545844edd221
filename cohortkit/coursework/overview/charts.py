"""Line charts of rates per week, laid out as SVG coordinates for the template to draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Point:
    x: float
    y: float
    week: int
    percent: int


@dataclass
class Series:
    label: str
    css_class: str
    segments: list[str]  # polyline ``points`` of each unbroken run of weeks
    points: list[Point]


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class LineChart:
    """A line chart of rates (0–100 %) per week, ready for the template to draw as SVG."""

    slug: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]
    weeks: list[int]
    rows: list[tuple[str, list[int | None]]]  # the data as a table


CHART_WIDTH, CHART_HEIGHT = 640, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 64, 20, 16, 40


def line_chart(
    *,
    slug: str,
    title: str,
    what: str,
    week_count: int,
    series: Sequence[tuple[str, Sequence[int | None]]],
) -> LineChart:
    """Lay out one line per series over weeks 1..``week_count``, values in percent (None: no
    data that week, which breaks the line). A pure function: numbers in, coordinates out."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = plot_width / max(1, week_count - 1)

    def x_of(week: int) -> float:
        return round(CHART_LEFT + (week - 1) * step, 1)

    def y_of(percent: int) -> float:
        return round(CHART_TOP + (100 - percent) / 100 * plot_height, 1)

    drawn: list[Series] = []
    sentences: list[str] = []
    for index, (label, values) in enumerate(series):
        points = [
            Point(x_of(week), y_of(value), week, value)
            for week, value in enumerate(values, start=1)
            if value is not None
        ]
        segments: list[str] = []
        run: list[Point] = []
        for point in points:
            if run and point.week != run[-1].week + 1:
                segments.append(" ".join(f"{p.x},{p.y}" for p in run))
                run = []
            run.append(point)
        if run:
            segments.append(" ".join(f"{p.x},{p.y}" for p in run))
        drawn.append(Series(label, f"series-{index % 6}", segments, points))
        said = ", ".join(f"week {p.week} {p.percent}%" for p in points) or "no data yet"
        sentences.append(f"{label}: {said}.")
    return LineChart(
        slug=slug,
        title=title,
        description=f"{what}, per week, one line per track. " + " ".join(sentences),
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        top=CHART_TOP,
        bottom=CHART_HEIGHT - CHART_BOTTOM,
        x_ticks=[Tick(x_of(week), str(week)) for week in range(1, week_count + 1)],
        y_ticks=[Tick(y_of(percent), f"{percent}%") for percent in (0, 25, 50, 75, 100)],
        series=drawn,
        weeks=list(range(1, week_count + 1)),
        rows=[(label, list(values)) for label, values in series],
    )
