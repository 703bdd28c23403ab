"""Small server-rendered SVG line charts.

Each chart is an image with a title and a description that a screen reader
announces (``role="img"``, ``<title>``, ``<desc>``), labelled axes, series told
apart by line pattern and marker shape as well as color, and labelled
reference lines.  Pages always put a table of the same numbers next to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wraparound.web.formatting import format_number, us_date

MARGIN_LEFT = 52
MARGIN_RIGHT = 18
MARGIN_TOP = 30
MARGIN_BOTTOM = 44
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'

# Colors with at least 4.5:1 contrast on white; patterns and markers differ too.
SERIES_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#1d4e89", "", "circle"),
    ("#a8431a", "6 4", "square"),
    ("#4b6b1f", "2 3", "diamond"),
)


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: float


@dataclass(frozen=True)
class ChartSeries:
    label: str
    points: Sequence[ChartPoint]


@dataclass(frozen=True)
class ReferenceLine:
    value: float
    label: str


@dataclass(frozen=True)
class _Frame:
    """Maps days and values to SVG coordinates."""

    width: int
    height: int
    first_day: int
    last_day: int
    low: float
    high: float

    def x(self, day: dt.date) -> float:
        plot_width = self.width - MARGIN_LEFT - MARGIN_RIGHT
        if self.last_day == self.first_day:
            return MARGIN_LEFT + plot_width / 2
        share = (day.toordinal() - self.first_day) / (self.last_day - self.first_day)
        return MARGIN_LEFT + share * plot_width

    def y(self, value: float) -> float:
        plot_height = self.height - MARGIN_TOP - MARGIN_BOTTOM
        share = (value - self.low) / (self.high - self.low)
        return self.height - MARGIN_BOTTOM - share * plot_height


def nice_step(span: float, target_ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about ``target_ticks`` ticks."""
    raw = span / max(target_ticks, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def value_ticks(low: float, high: float) -> list[float]:
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = nice_step(high - low)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return [first + index * step for index in range(count + 1)]


def count_ticks(high: int) -> list[float]:
    """Ticks from 0 for a count: whole numbers only (no "0.25 messages")."""
    ticks = value_ticks(0.0, max(float(high), 1.0))
    if ticks[1] - ticks[0] >= 1:
        return ticks
    return [float(number) for number in range(max(high, 1) + 1)]


def day_ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Year ticks over long spans, else first, middle and last day."""
    if (last - first).days >= 2 * 365:
        years = list(range(first.year + 1, last.year + 1))
        stride = max(1, math.ceil(len(years) / 6))
        return [(dt.date(year, 1, 1), str(year)) for year in years[::stride]]
    if first == last:
        return [(first, us_date(first))]
    middle = first + (last - first) / 2
    return [(day, us_date(day)) for day in (first, middle, last)]


def _marker(shape: str, x: float, y: float, color: str) -> SafeString:
    if shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="7" height="7" fill="{}"/>', f"{x - 3.5:.1f}", f"{y - 3.5:.1f}", color
        )
    if shape == "diamond":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
        return format_html('<polygon points="{}" fill="{}"/>', points, color)
    return format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', f"{x:.1f}", f"{y:.1f}", color)


def value_gridline(left: float, right: float, y: float, value: float) -> SafeString:
    """A horizontal line across the plot at ``y``, its value written left of it."""
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dde1e6"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#3d4449">{}</text>',
        left,
        right,
        f"{y:.1f}",
        f"{y:.1f}",
        left - 6,
        f"{y + 4:.1f}",
        format_number(value),
    )


def _axes(frame: _Frame, ticks: list[float], unit: str, days: list[tuple[dt.date, str]]) -> list[SafeString]:
    parts: list[SafeString] = []
    right = frame.width - MARGIN_RIGHT
    parts.extend(value_gridline(MARGIN_LEFT, right, frame.y(tick), tick) for tick in ticks)
    bottom = frame.height - MARGIN_BOTTOM
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#5f6b76"/>', MARGIN_LEFT, right, bottom, bottom
        )
    )
    for day, label in days:
        x = frame.x(day)
        anchor = "end" if x > right - 30 else ("start" if x < MARGIN_LEFT + 30 else "middle")
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#5f6b76"/>'
                '<text x="{}" y="{}" text-anchor="{}" font-size="13" fill="#3d4449">{}</text>',
                f"{x:.1f}",
                f"{x:.1f}",
                bottom,
                bottom + 4,
                f"{x:.1f}",
                bottom + 17,
                anchor,
                label,
            )
        )
    middle_x = MARGIN_LEFT + (right - MARGIN_LEFT) / 2
    parts.append(
        format_html(
            '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#3d4449">{}</text>'
            '<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" font-size="13" '
            'fill="#3d4449">{}</text>',
            f"{middle_x:.1f}",
            frame.height - 8,
            _("Date"),
            f"{MARGIN_TOP + (bottom - MARGIN_TOP) / 2:.1f}",
            unit,
        )
    )
    return parts


def _reference_lines(frame: _Frame, lines: Sequence[ReferenceLine]) -> list[SafeString]:
    right = frame.width - MARGIN_RIGHT
    return [
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#6b5600" stroke-dasharray="2 3"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#6b5600">{}</text>',
            MARGIN_LEFT,
            right,
            f"{frame.y(line.value):.1f}",
            f"{frame.y(line.value):.1f}",
            right - 2,
            f"{frame.y(line.value) - 4:.1f}",
            line.label,
        )
        for line in lines
    ]


def _series(frame: _Frame, series: Sequence[ChartSeries]) -> list[SafeString]:
    parts: list[SafeString] = []
    legend_x = MARGIN_LEFT
    for index, one in enumerate(series):
        color, dashes, shape = SERIES_STYLES[index % len(SERIES_STYLES)]
        ordered = sorted(one.points, key=lambda point: point.day)
        coordinates = " ".join(f"{frame.x(p.day):.1f},{frame.y(p.value):.1f}" for p in ordered)
        if len(ordered) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>',
                    coordinates,
                    color,
                    dashes or "none",
                )
            )
        parts.extend(_marker(shape, frame.x(p.day), frame.y(p.value), color) for p in ordered)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="12" y2="12" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>{}'
                '<text x="{}" y="16" font-size="13" fill="#1b1f23">{}</text>',
                legend_x,
                legend_x + 24,
                color,
                dashes or "none",
                _marker(shape, legend_x + 12, 12, color),
                legend_x + 30,
                one.label,
            )
        )
        legend_x += round(30 + _text_width(str(one.label)) + 20)  # the next entry, after this label
    return parts


def _text_width(text: str, font_size: float = 13) -> float:
    """A generous estimate of the width of ``text`` in the chart's sans-serif font (no font metrics
    on the server): 0.6 em a character."""
    return len(text) * font_size * 0.6


def svg_start(
    *, chart_id: str, width: int, height: int, title: str, description: str, css_class: str = "chart"
) -> SafeString:
    """The opening of every chart: an image (``role="img"``) named by its title and described by its
    description, for screen readers; the caller closes it with ``</svg>``."""
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" {}>'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        css_class,
        width,
        height,
        chart_id,
        chart_id,
        mark_safe(FONT),
        chart_id,
        title,
        chart_id,
        description,
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[ChartSeries],
    unit: str,
    reference_lines: Sequence[ReferenceLine] = (),
    width: int = 400,
    height: int = 210,
) -> SafeString:
    """An accessible SVG line chart of values over days; empty when there is nothing to draw."""
    points = [point for one in series for point in one.points]
    if not points:
        return mark_safe("")
    first, last = min(p.day for p in points), max(p.day for p in points)
    values = [p.value for p in points] + [line.value for line in reference_lines]
    ticks = value_ticks(min(values), max(values))
    frame = _Frame(width, height, first.toordinal(), last.toordinal(), ticks[0], ticks[-1])
    summary = ngettext(
        "%(count)d reading on %(first)s.",
        "%(count)d readings from %(first)s to %(last)s.",
        len({p.day for p in points}),
    ) % {"count": len({p.day for p in points}), "first": us_date(first), "last": us_date(last)}
    parts: list[SafeString] = [
        svg_start(
            chart_id=chart_id, width=width, height=height, title=title, description=f"{description} {summary}"
        ),
        *_axes(frame, ticks, unit, day_ticks(first, last)),
        *_reference_lines(frame, reference_lines),
        *_series(frame, series),
        mark_safe("</svg>"),
    ]
    return mark_safe("".join(parts))
