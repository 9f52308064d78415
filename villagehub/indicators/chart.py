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
