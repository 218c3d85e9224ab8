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
import threading
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from PIL import Image

_LOCATOR = MaxNLocator(4)
FILL = 0.25  # the data must fill this share of an axis, or its limits are recomputed
HEADROOM = 0.4  # room left beyond the data each side when limits are recomputed
CELL_CACHE_SIZE = 192  # axes backgrounds kept for every session (each about 0.2 MB)


class CellCache:
    """Backgrounds of single axes, shared by every session's figures: the pixels of an axes'
    cell drawn with given limits, ticks, labels and static artists (`axes_signature`). Sessions
    playing the same measures pass through the same round limits, so when one has drawn an
    axes at a new limit the others put its pixels back instead of drawing its text again
    (most of a frame's cost). Least recently used entries go first."""

    def __init__(self, size: int = CELL_CACHE_SIZE):
        self.size = size
        self._lock = threading.Lock()
        self._cells: OrderedDict = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self._lock:
            region = self._cells.get(key)
            if region is None:
                self.misses += 1
                return None
            self._cells.move_to_end(key)
            self.hits += 1
            return region

    def put(self, key, region) -> None:
        with self._lock:
            self._cells[key] = region
            self._cells.move_to_end(key)
            while len(self._cells) > self.size:
                self._cells.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._cells.clear()


CELLS = CellCache()


def _values(data) -> tuple:
    return tuple(np.asarray(data, dtype=float).ravel().round(12).tolist())


def axes_signature(ax, moving: set[int]) -> tuple:
    """What an axes' static drawing depends on: limits, tick positions and labels, titles,
    axis labels, legends and every static artist's data and style (the moving artists, ids in
    `moving`, are left out). Two axes with equal signatures in figures of the same size draw
    the same pixels in their cells."""
    parts: list = [ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_facecolor()]
    parts += [ax.get_title(loc) for loc in ("left", "center", "right")]
    parts += [ax.get_xlabel(), ax.get_ylabel()]
    for axis in (ax.xaxis, ax.yaxis):
        for labels in (axis.get_majorticklabels(), axis.get_minorticklabels()):
            parts.append(tuple((lab.get_position(), lab.get_text()) for lab in labels))
        parts.append(_values(axis.get_majorticklocs()))
    for child in ax.get_children():
        if id(child) in moving or not child.get_visible():
            continue
        kind = type(child).__name__
        if isinstance(child, Line2D):
            parts.append(
                (
                    kind,
                    _values(child.get_xdata()),
                    _values(child.get_ydata()),
                    str(child.get_color()),
                    child.get_linestyle(),
                    child.get_linewidth(),
                    child.get_marker(),
                )
            )
        elif isinstance(child, Legend):
            parts.append((kind, tuple(t.get_text() for t in child.get_texts())))
        elif isinstance(child, Text):
            parts.append((kind, child.get_text(), child.get_position()))
        else:
            parts.append(kind)
    return tuple(parts)


def nice_limits(low: float, high: float) -> tuple[float, float]:
    """The smallest range of round tick values that holds [low, high] (stable while the data
    stay inside it, so the background need not be redrawn)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return low, high
    ticks = _LOCATOR.tick_values(low, high)
    return float(ticks[0]), float(ticks[-1])


# The range a bounded measure can take, in plotted units: its axes never reach past it (by more
# than a sliver, so a line on the bound stays visible).
BOUNDS = {
    "population_health": (0.0, 1.0),
    "acute_share": (0.0, 100.0),
    "unmet_need": (0.0, 100.0),
    "mean_cooperation": (0.0, 1.0),
    "mean_trust": (0.0, 1.0),
    "mean_contribution": (0.0, 100.0),
}
BOUND_SLIVER = 0.02  # of the bounded range


def within_bounds(limits: tuple[float, float], names) -> tuple[float, float]:
    """`limits` cut to the range the measures `names` can take (unchanged if any is unbounded)."""
    if not names or not all(name in BOUNDS for name in names):
        return limits
    low = min(BOUNDS[name][0] for name in names)
    high = max(BOUNDS[name][1] for name in names)
    sliver = BOUND_SLIVER * (high - low)
    return max(limits[0], low - sliver), min(limits[1], high + sliver)


def sticky_limits(
    current: tuple[float, float], low: float, high: float, names=()
) -> tuple[float, float]:
    """Limits that hold [low, high]: the current ones while they hold the data and the data
    fill at least `FILL` of them, else new round limits with a margin of `HEADROOM` of the
    data's span each side (so a trend crosses them only now and then); cut to the range the
    measures `names` can take when all of them are bounded."""
    c_low, c_high = current
    span = high - low
    if c_low <= low and high <= c_high and span >= FILL * (c_high - c_low):
        return c_low, c_high
    margin = HEADROOM * span if span > 0 else max(abs(high), 1e-9) * 0.1
    return within_bounds(nice_limits(low - margin, high + margin), names)


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
        again, or put back its pixels when any session has drawn an axes with the same
        signature in a figure of this size (`CELLS`). False, with nothing drawn, when one has
        no cell (then the whole figure is redrawn)."""
        if any(ax not in self.cells for ax in changed):
            return False
        renderer = self.canvas.get_renderer()
        with self._static():
            self.canvas.restore_region(self.background)
            pixels = np.asarray(self.canvas.buffer_rgba())  # the canvas itself, not a copy
            face = (np.asarray(to_rgba(self.fig.get_facecolor())) * 255).round().astype(np.uint8)
            for ax in changed:
                pixels[self._rows_columns(self.cells[ax])] = face
            moving = {id(artist) for artist in self.moving}
            for ax in changed:
                if not ax.get_visible():
                    continue
                cell = self._rows_columns(self.cells[ax])
                where = (cell[0].start, cell[0].stop, cell[1].start, cell[1].stop)
                key = (self._signature(), where, axes_signature(ax, moving))
                drawn = CELLS.get(key)
                if drawn is not None:
                    pixels[cell] = drawn
                    continue
                ax.draw(renderer)
                CELLS.put(key, pixels[cell].copy())
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.axes_draws += 1
        self.texts.clear()
        return True

    def _rows_columns(self, cell: tuple) -> tuple[slice, slice]:
        """A cell's pixels in the canvas' buffer (rows from the top): whole pixels, the same
        ones whether it is blanked, drawn into or put back."""
        width, height = self.canvas.get_width_height()
        x0, y0, x1, y1 = cell
        return (
            slice(height - round(y1 * height), height - round(y0 * height)),
            slice(round(x0 * width), round(x1 * width)),
        )

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
