"""Geometry of the server-rendered SVG charts; the markup lives in `templates/_charts.html`.

No script and no asset from another host: the charts are SVG drawn on the server, so they
work offline, print, and pass the page's Content-Security-Policy (SVG attributes, not
inline styles). Every chart also has a table with the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.models import SIGNALS, STATUSES

# Signal colours: progress and achieved green, setback red, mention grey (as in site.css).
SIGNAL_COLOURS: dict[str, str] = {
    "mention": "#9ca3af",
    "progress": "#1d4ed8",
    "achieved": "#15803d",
    "setback": "#b91c1c",
}
STATUS_CHANGE_COLOUR = "#111827"


@dataclass(frozen=True)
class Segment:
    key: str
    count: int
    x: float  # in percent of the bar
    width: float


def status_bar(by_status: dict[str, int]) -> list[Segment]:
    """The statuses as one bar, in vocabulary order; empty statuses take no room."""
    total = sum(by_status.values())
    segments: list[Segment] = []
    x = 0.0
    for status in STATUSES:
        count = by_status.get(status, 0)
        if not count or not total:
            continue
        width = 100 * count / total
        segments.append(Segment(status, count, round(x, 3), round(width, 3)))
        x += width
    return segments


@dataclass(frozen=True)
class Bar:
    key: str
    count: int
    y: float
    height: float


@dataclass
class Column:
    month: str
    x: float
    bars: list[Bar] = field(default_factory=list)
    status_changes: int = 0
    marker_y: float = 0.0
    label: str | None = None  # shown under the axis for every few months


@dataclass
class Timeline:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    column_width: float
    bar_width: float
    peak: int
    columns: list[Column]
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal guides


WIDE = 640  # drawn 1:1 or larger on a desktop
NARROW = 360  # drawn about 1:1 on a phone, so its 11-unit labels stay 11 px
HEIGHT = 220
TOP = 24  # room for the status-change markers
BOTTOM = 190  # the axis; month labels below it
LEFT = 28  # room for the value labels


def _tick_values(peak: int) -> list[int]:
    if peak <= 4:
        return list(range(0, peak + 1))
    step = max(1, round(peak / 4))
    return list(range(0, peak + 1, step))


def timeline(months: list[dict[str, Any]], width: int = WIDE) -> Timeline | None:
    """Stacked columns of evidence by signal per month, a marker per month with status changes.

    `width` in SVG units: the page draws a WIDE chart for desktops and a NARROW one for
    phones, so that labels keep a readable size on both.
    """
    if not months:
        return None
    peak = max(max(m["evidence"] for m in months), 1)
    column_width = (width - LEFT) / len(months)
    bar_width = max(min(column_width * 0.7, 36.0), 1.5)
    scale = (BOTTOM - TOP) / peak
    label_every = max(1, -(-len(months) // (8 if width >= WIDE else 4)))
    columns = []
    for index, month in enumerate(months):
        x = LEFT + index * column_width + (column_width - bar_width) / 2
        column = Column(month["month"], round(x, 2), status_changes=month["status_changes"])
        y = float(BOTTOM)
        for signal in SIGNALS:
            count = month["signals"].get(signal, 0)
            if count:
                height = count * scale
                y -= height
                column.bars.append(Bar(signal, count, round(y, 2), round(height, 2)))
        column.marker_y = round(max(y - 8, TOP / 2), 2)
        if index % label_every == 0:
            column.label = month["month"]
        columns.append(column)
    ticks = [(round(BOTTOM - v * scale, 2), v) for v in _tick_values(peak)]
    return Timeline(
        width, HEIGHT, TOP, BOTTOM, round(column_width, 2), round(bar_width, 2), peak, columns, ticks
    )


def timelines(months: list[dict[str, Any]]) -> dict[str, Timeline] | None:
    """The desktop and the phone drawing of the same months (None when there is nothing to draw)."""
    wide, narrow = timeline(months, WIDE), timeline(months, NARROW)
    if wide is None or narrow is None:
        return None
    return {"wide": wide, "narrow": narrow}
