"""Fast frames of the live figures: a figure's static parts (axes, ticks, labels, legends) are
drawn once and kept as a background; each frame restores it and draws only the artists that
move (lines, trust edges, bars, titles). The background is redrawn only when an axis' limits
change, and the limits move in nice steps (`nice_limits`, `nice_top`), so that is rare.

Outside a frame every artist is an ordinary one, so `savefig` (the PNG exports) draws them all.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
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
    """The time axis' end: one year, two, five, ten, then the next ten years (few changes, each
    of which redraws the figure's background)."""
    for top in (12, 24, 60, 120):
        if month <= top:
            return top
    return 120 * math.ceil(month / 120)


class FrameRenderer:
    """Renders one figure to PNG, redrawing its background only when the axes' limits change,
    and then only the axes whose limits changed when they have room of their own.

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
        self.axes_draws = 0  # backgrounds redrawn for some axes only
        self.cells: dict = {}  # axes -> the part of the figure it draws on (`_cells`)
        # Moving texts (titles with this month's numbers) drawn already: id -> (text, pixels).
        # Drawing text is most of a frame's cost and a title's words change only now and then,
        # so an unchanged one is put back from a copy of its pixels (what lies under a title is
        # the static background: nothing else moves there).
        self.texts: dict[int, tuple[str, object]] = {}

    def _limits(self) -> tuple:
        return tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes)

    def _signature(self) -> tuple:
        return (self.canvas.get_width_height(), self.fig.dpi, len(self.fig.axes))

    def invalidate(self) -> None:
        """Redraw the background at the next frame (ticks or labels changed, limits did not)."""
        self.background = None
        self.texts.clear()

    def png(self) -> bytes:
        """The figure as PNG bytes, as `savefig` would draw it."""
        signature, limits = self._signature(), self._limits()
        if signature != self.signature or self.background is None:
            self._draw_background()
        elif limits != self.limits:
            changed = [
                ax
                for ax, new, old in zip(self.fig.axes, limits, self.limits, strict=True)
                if new != old
            ]
            if not self._redraw_axes(changed):
                self._draw_background()
        else:
            self.canvas.restore_region(self.background)
        self.signature, self.limits = signature, limits
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if not artist.get_visible():
                continue
            if isinstance(artist, Text):
                self._draw_text(artist, renderer)
            else:
                artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw")
        image = image.convert("RGB")  # opaque anyway: a quarter less to compress
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()

    @contextlib.contextmanager
    def _static(self):
        """Within: the moving artists are left out of what is drawn (the background)."""
        for artist in self.moving:
            artist.set_animated(True)
        try:
            yield
        finally:
            for artist in self.moving:
                artist.set_animated(False)

    def _draw_background(self) -> None:
        with self._static():
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.cells = self._cells(self.canvas.get_renderer())
        self.full_draws += 1
        self.texts.clear()

    def _cells(self, renderer) -> dict:
        """The part of the figure each axes of a grid owns (figure fractions: x0, y0, x1, y1):
        its grid cell, reaching a quarter of the way into the gap on its right (the next
        axes' tick labels and axis label take the rest), half way into the gaps above and
        below, to the figure's edges outside, and on top up to the figure's legends and
        titles. An axes draws its ticks, labels and title inside its cell (the layout leaves
        room for them; tests/test_app_hover.py checks the frames pixel by pixel), so one whose
        limits changed can be redrawn alone."""
        ceiling = 1.0
        inverse = self.fig.transFigure.inverted()
        for artist in (*self.fig.legends, *self.fig.texts):
            if not artist.get_visible() or (isinstance(artist, Text) and not artist.get_text()):
                continue
            box = artist.get_window_extent(renderer).transformed(inverse)
            ceiling = min(ceiling, box.y0)
        cells = {}
        for ax in self.fig.axes:
            spec = ax.get_subplotspec()
            if spec is None:
                continue
            grid = spec.get_gridspec()
            bottoms, tops, lefts, rights = grid.get_grid_positions(self.fig)
            rows, cols = spec.rowspan, spec.colspan
            r0, r1, c0, c1 = rows.start, rows.stop - 1, cols.start, cols.stop - 1
            x0 = 0.0 if c0 == 0 else rights[c0 - 1] + 0.25 * (lefts[c0] - rights[c0 - 1])
            x1 = 1.0 if c1 == len(lefts) - 1 else rights[c1] + 0.25 * (lefts[c1 + 1] - rights[c1])
            y1 = ceiling if r0 == 0 else (bottoms[r0 - 1] + tops[r0]) / 2
            y0 = 0.0 if r1 == len(bottoms) - 1 else (bottoms[r1] + tops[r1 + 1]) / 2
            cells[ax] = (x0, y0, x1, y1)
        return cells

    def _redraw_axes(self, changed: list) -> bool:
        """Redraw the background of the `changed` axes only: blank each one's cell and draw it
        again. False, with nothing drawn, when one has no cell (then the whole figure is
        redrawn)."""
        if any(ax not in self.cells for ax in changed):
            return False
        renderer = self.canvas.get_renderer()
        with self._static():
            self.canvas.restore_region(self.background)
            for ax in changed:
                x0, y0, x1, y1 = self.cells[ax]
                blank = Rectangle(
                    (x0, y0),
                    x1 - x0,
                    y1 - y0,
                    transform=self.fig.transFigure,
                    facecolor=self.fig.get_facecolor(),
                    edgecolor="none",
                    linewidth=0,
                    antialiased=False,
                )
                blank.set_figure(self.fig)
                blank.draw(renderer)
            for ax in changed:
                if ax.get_visible():
                    ax.draw(renderer)
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.axes_draws += 1
        self.texts.clear()
        return True

    def _draw_text(self, text: Text, renderer) -> None:
        """Draw a moving text, or put back its pixels when its words are unchanged."""
        key = (text.get_text(), text.get_color())
        done = self.texts.get(id(text))
        if done is not None and done[0] == key:
            self.canvas.restore_region(done[1])
            return
        text.draw(renderer)
        box = text.get_window_extent(renderer).padded(1)
        self.texts[id(text)] = (key, self.canvas.copy_from_bbox(box))
