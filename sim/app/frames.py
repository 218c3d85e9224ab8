"""Fast frames of the live figures: a figure's static parts (axes, ticks, labels, legends) are
drawn once and kept as a background; each frame restores it and draws only the artists that
move (lines, trust edges, bars, titles). The background is redrawn only when an axis' limits
change, and the limits move in nice steps (`nice_limits`, `nice_top`), so that is rare.

Outside a frame every artist is an ordinary one, so `savefig` (the PNG exports) draws them all.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

_LOCATOR = MaxNLocator(4)
FILL = 0.25  # the data must fill this share of an axis, or its limits are recomputed
HEADROOM = 0.4  # room left beyond the data each side when limits are recomputed


def nice_limits(low: float, high: float) -> tuple[float, float]:
    """The smallest range of round tick values that holds [low, high] (stable while the data
    stay inside it, so the background need not be redrawn)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return low, high
    ticks = _LOCATOR.tick_values(low, high)
    return float(ticks[0]), float(ticks[-1])


def sticky_limits(current: tuple[float, float], low: float, high: float) -> tuple[float, float]:
    """Limits that hold [low, high]: the current ones while they hold the data and the data
    fill at least `FILL` of them, else new round limits with a margin of `HEADROOM` of the
    data's span each side (so a trend crosses them only now and then)."""
    c_low, c_high = current
    span = high - low
    if c_low <= low and high <= c_high and span >= FILL * (c_high - c_low):
        return c_low, c_high
    margin = HEADROOM * span if span > 0 else max(abs(high), 1e-9) * 0.1
    return nice_limits(low - margin, high + margin)


def data_range(ax) -> tuple[float | None, float | None]:
    """The lowest and highest finite value of the axes' lines (None, None if there are none)."""
    values = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    values = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    if not values.size:
        return None, None
    return float(values.min()), float(values.max())


def nice_top(month: int) -> int:
    """The time axis' end: 12 at first, then the next whole year up to five years, then the
    next five years."""
    step = 12 if month <= 60 else 60
    return max(12, step * math.ceil(month / step))


class FrameRenderer:
    """Renders one figure to PNG, redrawing its background only when the axes' limits change.

    Args:
        fig: the figure (its dpi is the PNG's).
        moving: the artists updated every frame, in drawing order.
    """

    def __init__(self, fig: Figure, moving: list):
        self.fig = fig
        self.moving = list(moving)
        self.canvas = FigureCanvasAgg(fig)
        self.background = None
        self.signature = None
        self.full_draws = 0

    def _signature(self) -> tuple:
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes)
        return (*limits, self.canvas.get_width_height(), self.fig.dpi)

    def invalidate(self) -> None:
        """Redraw the background at the next frame (ticks or labels changed, limits did not)."""
        self.background = None

    def png(self) -> bytes:
        """The figure as PNG bytes, as `savefig` would draw it."""
        signature = self._signature()
        if signature != self.signature or self.background is None:
            for artist in self.moving:
                artist.set_animated(True)  # left out of the background
            try:
                self.canvas.draw()
                self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            finally:
                for artist in self.moving:
                    artist.set_animated(False)
            self.signature = signature
            self.full_draws += 1
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.get_visible():
                artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()
