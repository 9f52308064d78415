"""Geometry of the server-drawn SVG charts: numbers only, the templates draw them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .selectors import GroupFigures

WIDTH = 640
LABEL_WIDTH = 200
ROW_HEIGHT = 36
TOP = 8
AXIS_HEIGHT = 28
PLOT_LEFT = LABEL_WIDTH + 8
PLOT_RIGHT = WIDTH - 16


@dataclass(frozen=True)
class BoxRow:
    figures: GroupFigures
    y: int
    middle: int
    minimum: float | None = None
    lower: float | None = None
    median: float | None = None
    upper: float | None = None
    maximum: float | None = None
    value: float | None = None

    @property
    def box_width(self) -> float:
        return round(max((self.upper or 0) - (self.lower or 0), 1), 1)


@dataclass(frozen=True)
class BoxChart:
    rows: list[BoxRow]
    ticks: list[tuple[float, Decimal]]
    height: int
    axis_y: int
    width: int = WIDTH
    label_x: int = LABEL_WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT


def _nice_top(top: Decimal) -> Decimal:
    if top <= 0:
        return Decimal(1)
    step = Decimal(10) ** (len(str(int(top))) - 1)
    for factor in (1, 2, 5, 10):
        if top <= step * factor:
            return step * factor
    return step * 10


def box_chart(groups: list[GroupFigures]) -> BoxChart | None:
    """One row per group: whiskers from the lowest to the highest value, the box between the
    quartiles, a line at the median and a diamond at the community's value."""
    highs = [g.distribution.maximum for g in groups if g.distribution.maximum is not None]
    highs += [g.value for g in groups if g.value is not None]
    if not highs:
        return None
    top = _nice_top(max(highs))
    span = PLOT_RIGHT - PLOT_LEFT

    def x(value: Decimal | None) -> float | None:
        return None if value is None else round(PLOT_LEFT + float(value / top) * span, 1)

    rows = []
    for index, figures in enumerate(groups):
        y = TOP + index * ROW_HEIGHT
        d = figures.distribution
        rows.append(
            BoxRow(
                figures=figures,
                y=y,
                middle=y + ROW_HEIGHT // 2,
                minimum=x(d.minimum),
                lower=x(d.lower_quartile),
                median=x(d.median),
                upper=x(d.upper_quartile),
                maximum=x(d.maximum),
                value=x(figures.value),
            )
        )
    axis_y = TOP + len(groups) * ROW_HEIGHT
    ticks = [(x(top * k / 4), top * k / 4) for k in range(5)]
    return BoxChart(rows=rows, ticks=ticks, height=axis_y + AXIS_HEIGHT, axis_y=axis_y)


TREND_HEIGHT = 220
TREND_LEFT = 56
TREND_TOP = 12
TREND_BOTTOM = 190
DASHES = ("", "6 4", "2 4", "10 4 2 4", "1 3")


@dataclass(frozen=True)
class Line:
    label: str
    points: str
    dots: list[tuple[float, float]]
    dash: str
    own: bool = False


@dataclass(frozen=True)
class TrendChart:
    lines: list[Line]
    years: list[tuple[float, int]]
    ticks: list[tuple[float, Decimal]]
    width: int = WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    right: int = PLOT_RIGHT
    top: int = TREND_TOP
    bottom: int = TREND_BOTTOM


def trend_chart(comparison, community_name: str | None) -> TrendChart | None:
    """A line per group through its medians (years with too few communities left out) and
    one through the community's own values, over the years of the trend."""
    trend = comparison.trend
    if len(trend) < 2:
        return None
    series: list[tuple[str, list[tuple[int, Decimal]], bool]] = []
    if community_name is not None:
        own = [(year, value) for year, value, _row in trend if value is not None]
        series.append((community_name, own, True))
    for index, figures in enumerate(trend[0][2]):
        medians = [
            (year, row[index].distribution.median)
            for year, _value, row in trend
            if not row[index].distribution.withheld
        ]
        series.append((figures.group.label, medians, False))
    values = [value for _label, points, _own in series for _year, value in points]
    if not values:
        return None
    top = _nice_top(max(values))
    first, last = trend[0][0], trend[-1][0]
    span = max(last - first, 1)

    def x(year: int) -> float:
        return round(TREND_LEFT + (year - first) / span * (PLOT_RIGHT - TREND_LEFT), 1)

    def y(value: Decimal) -> float:
        return round(TREND_BOTTOM - float(value / top) * (TREND_BOTTOM - TREND_TOP), 1)

    lines = []
    for index, (label, points, own) in enumerate(series):
        dots = [(x(year), y(value)) for year, value in points]
        lines.append(
            Line(
                label=label,
                points=" ".join(f"{px},{py}" for px, py in dots),
                dots=dots,
                dash=DASHES[index % len(DASHES)] if not own else "",
                own=own,
            )
        )
    return TrendChart(
        lines=lines,
        years=[(x(year), year) for year, _value, _row in trend],
        ticks=[(y(top * k / 4), top * k / 4) for k in range(5)],
    )
