"""The monitor's trend charts: SVG drawn on the server with leather, no JavaScript.

leather writes plain SVG with presentation attributes (no `<style>`, no scripts), which the
site's Content-Security-Policy (`style-src 'self'`) lets through when the SVG is part of the
page. Each chart gets a title and a description that say in words what it draws (the text
alternative); the page puts the same figures in a table beside it. A year whose figure is
withheld (a small count) is a gap in the line, never a point: the chart shows no more than the
table.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

import leather

from kb.monitor.schemas import SMALL, IndicatorFigure, TrendPoint

__all__ = ["describe", "trend_svg"]

WIDTH, HEIGHT = 640, 240
LINE_COLOUR = "#1d4f91"  # 8.6:1 against white: the line and its points stand out (WCAG 1.4.11)
TEXT_COLOUR = "#333333"
GRID_COLOUR = "#d6d6d6"
FONT = "Liberation Sans, Arial, sans-serif"
_PERCENT_TICKS = [0, 25, 50, 75, 100]


def _theme() -> None:
    """leather's look is module state; the same values every time, so setting them is safe."""
    leather.theme.background_color = "#ffffff"
    leather.theme.margin = 0.03
    for name in ("title", "legend", "axis_title", "tick"):
        setattr(leather.theme, f"{name}_font_family", FONT)
    leather.theme.title_color = leather.theme.legend_color = TEXT_COLOUR
    leather.theme.axis_title_color = leather.theme.label_color = TEXT_COLOUR
    leather.theme.tick_color = GRID_COLOUR
    leather.theme.zero_color = "#767676"
    leather.theme.default_dot_radius = 4
    leather.theme.default_line_width = 3


class _LineWithPoints(leather.Line):  # type: ignore[misc]
    """A line with a point on every year it has: a year between two gaps is still seen, and
    one series draws no legend (the chart's title says what it shows)."""

    def __init__(self, colour: str) -> None:
        super().__init__(stroke_color=colour)
        self._points = leather.Dots(fill_color=colour)

    def to_svg(self, *args: object) -> ET.Element:
        group: ET.Element = super().to_svg(*args)
        group.extend(self._points.to_svg(*args))
        return group


def _dutch(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def _shown(figure: IndicatorFigure) -> str:
    if figure.value is not None:
        return f"{_dutch(figure.value)} %"
    if figure.suppressed == "klein_aantal" and figure.denominator == SMALL:
        return "niet getoond (minder dan 5 zaken)"
    return "niet getoond (afgeschermd om kleine aantallen te beschermen)"


def describe(label: str, place: str, points: Sequence[TrendPoint]) -> str:
    """The chart in words: its text alternative."""
    if not points:
        return f"{label}, {place}: nog geen jaren met uitkomsten."
    years = f"{points[0].year}–{points[-1].year}" if len(points) > 1 else str(points[0].year)
    each = "; ".join(f"{p.year}: {_shown(p.figure)}" for p in points)
    return f"{label}, {place}, percentage per jaar {years}. {each}."


def trend_svg(chart_id: str, label: str, place: str, points: Sequence[TrendPoint]) -> str | None:
    """The chart as an SVG element for the page, or None when no year has a published figure."""
    data = [(p.year, p.figure.value) for p in points]
    if all(value is None for _, value in data):
        return None
    _theme()
    years = [p.year for p in points]
    chart = leather.Chart()
    chart.add_x_scale(years[0] - 0.5, years[-1] + 0.5)
    chart.add_y_scale(0, 100)
    chart.add_x_axis(ticks=years, tick_formatter=lambda value, _i, _n: str(int(value)))
    chart.add_y_axis(ticks=_PERCENT_TICKS, tick_formatter=lambda value, _i, _n: f"{int(value)}%")
    chart.add_series(leather.Series(data), _LineWithPoints(LINE_COLOUR))
    group = chart.to_svg_group(width=WIDTH, height=HEIGHT)
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "class": "trend-chart",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "focusable": "false",
        },
    )
    title = ET.SubElement(svg, "title", {"id": f"{chart_id}-title"})
    title.text = f"{label}, {place}"
    desc = ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"})
    desc.text = describe(label, place, points)
    svg.append(group)
    return ET.tostring(svg, encoding="unicode")
