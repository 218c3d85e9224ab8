"""Values on hover for the app's plots, which are PNG images drawn by matplotlib.

Over each image lies a layer of transparent areas, each with a `title` the browser shows as a
tooltip when the pointer rests on it: one area per band of months (or rounds) of each axes, or
one per organisation. Their places come from matplotlib's data-to-figure transform, as shares of
the figure's width and height, so they hold at any width the page shows the image at and at any
dpi it was saved at (the figure is saved whole: no `bbox_inches`).

UI-free: the areas are plain values (`Area`) and one HTML string (`areas_html`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from sim.app.verdict import financial_year

# At most this many bands across one axes: the band is the shortest of `BAND_MONTHS` that keeps
# to it (one month each for the first 40 months, then a quarter, half a year, a year, ...).
MAX_BANDS = 40
BAND_MONTHS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600)


@dataclass(frozen=True)
class Area:
    """A rectangle of the image, in percent of its width and height from the top left, and the
    words shown when the pointer rests on it."""

    left: float
    top: float
    width: float
    height: float
    title: str


def number(value: float) -> str:
    """A value as the tooltips show it: three significant figures or so, never an exponent."""
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    size = abs(value)
    digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3
    text = f"{value:,.{digits}f}"
    return "0" if text.strip("-0.,") == "" else text


def month_bands(months: int, max_bands: int = MAX_BANDS) -> list[tuple[int, int]]:
    """The bands of months 1..`months` (first and last month of each, 1-based, inclusive)."""
    if months <= 0:
        return []
    width = next((k for k in BAND_MONTHS if math.ceil(months / k) <= max_bands), BAND_MONTHS[-1])
    width = max(width, math.ceil(months / max_bands))
    return [(first, min(first + width - 1, months)) for first in range(1, months + 1, width)]


def when(month: int, per: int, start_year: int | None = None) -> str:
    """The time of a month in words: 'month 30, year 3 (2027/28)' (NHS), 'round 12' (games)."""
    if per == 1:
        return f"round {month}"
    year = (int(month) - 1) // per + 1
    fy = f" ({financial_year(year, start_year)})" if start_year else ""
    return f"month {month}, year {year}{fy}"


def _figure_box(ax) -> tuple[float, float, float, float]:
    """The axes' box in figure fractions: x0, y0 (bottom), x1, y1."""
    (x0, y0), (x1, y1) = ax.get_position().get_points()
    return float(x0), float(y0), float(x1), float(y1)


def _x_fraction(ax, x: np.ndarray) -> np.ndarray:
    """Data x values as fractions of the figure's width (matplotlib's transforms)."""
    pts = np.column_stack([np.asarray(x, dtype=float), np.zeros(len(x))])
    display = ax.transData.transform(pts)
    return ax.figure.transFigure.inverted().transform(display)[:, 0]


def column_areas(ax, edges, titles) -> list[Area]:
    """One area per column of the axes: column i spans data x from edges[i] to edges[i + 1]
    (clipped to the axes) and the axes' full height."""
    x0, y0, x1, y1 = _figure_box(ax)
    fx = np.clip(_x_fraction(ax, np.asarray(edges, dtype=float)), x0, x1)
    out = []
    for i, title in enumerate(titles):
        left, right = fx[i], fx[i + 1]
        if right - left <= 1e-6:
            continue
        out.append(Area(100 * left, 100 * (1 - y1), 100 * (right - left), 100 * (y1 - y0), title))
    return out


def point_areas(ax, xy, titles, size: float = 0.012) -> list[Area]:
    """One square area around each data point (`size`: half its side, in figure widths; the
    height keeps it square on the figure)."""
    fig = ax.figure
    pts = fig.transFigure.inverted().transform(ax.transData.transform(np.asarray(xy, float)))
    aspect = fig.get_figwidth() / fig.get_figheight()
    half_h = size * aspect
    return [
        Area(100 * (x - size), 100 * (1 - y - half_h), 200 * size, 200 * half_h, title)
        for (x, y), title in zip(pts, titles, strict=True)
    ]


def band_edges(bands: list[tuple[int, int]], per: int) -> np.ndarray:
    """The x edges (in the axis' units: years or rounds) of bands of months: each band reaches
    half a month beyond its first and last month, so the columns meet."""
    if not bands:
        return np.zeros(0)
    edges = [bands[0][0] - 0.5] + [last + 0.5 for _first, last in bands]
    return np.asarray(edges, dtype=float) / per


def series_areas(ax, per: int, months: int, text, start_year: int | None = None) -> list[Area]:
    """Bands of months across a time axes; `text(month)` gives the values at the band's last
    month (the title starts with the time)."""
    bands = month_bands(months)
    titles = [f"{when(last, per, start_year)}: {text(last)}" for _first, last in bands]
    return column_areas(ax, band_edges(bands, per), titles)


def areas_html(areas: list[Area]) -> str:
    """The areas as absolutely placed, transparent divs with a `title` (the layer's content)."""
    return "".join(
        f'<div class="cc-area" style="left:{a.left:.3f}%;top:{a.top:.3f}%;'
        f'width:{a.width:.3f}%;height:{a.height:.3f}%" title="{html.escape(a.title)}"></div>'
        for a in areas
    )


__all__ = [
    "Area",
    "areas_html",
    "band_edges",
    "column_areas",
    "month_bands",
    "number",
    "point_areas",
    "series_areas",
    "when",
]
