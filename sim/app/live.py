"""The live view: the figures of two runs stepped side by side (`LivePair`, in
`sim/app/live_pair.py`), built once and updated in place after each step (`LiveView`)."""

from __future__ import annotations

import copy
import math

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.app.figures import (
    EDGE_RGB,
    LINE_STYLES,
    drawn_edges,
    grid_axes,
    nash_and_optimum,
    panel_legend,
    place_layout,
    plots_for,
    reference_lines,
    side_marks,
    steps_per_unit,
    style_axes,
    time_label,
    trust_graph,
    year_axis,
)
from sim.app.frames import FrameRenderer, data_range, nice_limits, nice_top, sticky_limits
from sim.app.hover import areas_html, column_areas, number, point_areas, series_areas
from sim.app.live_pair import LivePair
from sim.app.settings import (
    KIND_COLOURS,
    SIDE_COLOURS,
    SIDES,
    rules_label,
)
from sim.app.teaching import reference_limits
from sim.core.constants import M as MI


class LiveView:
    """The live figures of a `LivePair`, built once and updated in place after each step.

    `series` holds one axes per measure with both panels' lines; `organisations` holds each
    panel's network of organisations (coloured by kind, edges shaded by trust) above each
    organisation's financial balance. `images()` renders both as PNG bytes; `hover()` gives the
    values under the pointer (`sim.app.hover`). Time runs in years (NHS place), labelled as
    financial years when `start_year` (the calendar year whose April starts year 1) is set.
    """

    def __init__(
        self,
        pair: LivePair,
        dpi: int = 72,
        labels: dict | None = None,
        start_year: int | None = None,
    ):
        self.pair = pair
        self.dpi = dpi
        self.plots = plots_for(pair.scenario)
        self.labels = labels or {s: rules_label(pair.models[s].rules, s) for s in SIDES}
        self.start_year = start_year or None
        self.reference = None
        self.dots = {}
        self._build_series()
        self._build_organisations()
        self.renderers = {
            "series": FrameRenderer(self.series_fig, list(self.lines.values())),
            "organisations": FrameRenderer(self.org_fig, self._moving_organisations()),
        }
        self.update()

    def shows_like(self, pair: LivePair, labels: dict) -> bool:
        """True if `pair` has this view's settings, so its figures can show it (Reset)."""
        mine = self.pair
        return labels == self.labels and all(
            _same(getattr(mine, key), getattr(pair, key))
            for key in ("left", "right", "scenario", "params", "seed")
        )

    def restarted(self, pair: LivePair) -> LiveView:
        """A view of `pair`, a fresh run with this view's settings, in the same figures (this
        view is not to be used after it)."""
        view = copy.copy(self)
        pair.positions = dict(self.pair.positions)
        view.pair = pair
        view.update()
        return view

    def _moving_organisations(self) -> list:
        """The organisations figure's artists that change every month, in drawing order."""
        return [
            artist
            for side in SIDES
            for artist in (
                self.edge_collections[side],
                self.dots[side],
                self.bar_collections[side],
                self.net_titles[side],
                self.bal_titles[side],
            )
        ]

    # -- series
    def _build_series(self) -> None:
        nrows = math.ceil(len(self.plots) / 3)
        fig = Figure(figsize=(12.0, 0.35 + 2.55 * nrows), dpi=self.dpi)
        fig.subplots_adjust(
            left=0.06,
            right=0.99,
            top=1 - 0.62 / fig.get_figheight(),
            bottom=0.42 / fig.get_figheight(),
            wspace=0.28,
            hspace=0.55,
        )
        self.series_fig = fig
        self.series_axes = grid_axes(fig, len(self.plots))
        self.lines: dict[tuple[str, str], Line2D] = {}
        xlabel = time_label(self.pair.scenario)
        last_row = len(self.plots) - 3
        for k_ax, (ax, (names, title, unit, _scale)) in enumerate(
            zip(self.series_axes, self.plots, strict=True)
        ):
            for side in SIDES:
                for k, name in enumerate(names):
                    (line,) = ax.plot(
                        [], [], LINE_STYLES[k], color=SIDE_COLOURS[side], lw=1.8, **side_marks(side)
                    )
                    self.lines[(side, name)] = line
            style_axes(
                ax, title, unit, xlabel if k_ax >= last_row else ""
            )  # x label on the last row
            if self.pair.scenario == "place_system":
                year_axis(ax, self.start_year, label=k_ax >= last_row)
            if len(names) > 1:
                ax.legend(
                    handles=[
                        Line2D(
                            [], [], color="#444444", ls=LINE_STYLES[k], label=n.replace("_", " ")
                        )
                        for k, n in enumerate(names)
                    ],
                    fontsize=7,
                    frameon=False,
                    loc="lower left",
                )
            if self.pair.scenario == "classroom_commons" and names == ("total_appropriation",):
                self.reference = (ax, *nash_and_optimum(self.pair.models["left"]))
                reference_lines(*self.reference)
        panel_legend(fig, self.labels)

    # -- organisations
    def _build_organisations(self) -> None:
        fig = Figure(figsize=(12.0, 5.6), dpi=self.dpi)
        fig.subplots_adjust(left=0.07, right=0.99, top=0.88, bottom=0.07, wspace=0.12, hspace=0.3)
        grid = fig.add_gridspec(2, 2, height_ratios=(1.6, 1.0))
        self.org_fig = fig
        self.net_axes, self.bal_axes = {}, {}
        self.edge_collections, self.bar_collections = {}, {}
        self.net_titles, self.bal_titles = {}, {}
        self.graph_edges = {}
        self.drawn = {}  # the indices of graph_edges the network draws (`drawn_edges`)
        share = None
        for col, side in enumerate(SIDES):
            ax = fig.add_subplot(grid[0, col])
            bax = fig.add_subplot(grid[1, col], sharey=share)
            share = share or bax
            self._build_network(side, ax)
            self._build_balances(side, bax)
        self.bal_axes["left"].set_ylabel(
            "balance, GBP million\n(reserve + / deficit -)"
            if self.pair.scenario == "place_system"
            else "tokens this round",
            fontsize=8,
        )
        kinds_present = sorted({t.kind for m in self.pair.models.values() for t in m.trusts})
        handles = [Patch(color=KIND_COLOURS[k], label=k.replace("_", " ")) for k in kinds_present]
        handles += [
            Line2D([], [], color=(*EDGE_RGB, 0.9), lw=2.6, label="high trust"),
            Line2D([], [], color=(*EDGE_RGB, 0.15), lw=0.6, label="low trust"),
        ]
        fig.legend(
            handles=handles, loc="upper center", ncol=len(handles), fontsize=8, frameon=False
        )

    def _build_network(self, side: str, ax) -> None:
        """One panel's organisations as dots (coloured by kind), partners joined by lines."""
        model = self.pair.models[side]
        self.net_axes[side] = ax
        pos = place_layout(model)
        self.pair.positions[side] = pos
        edges = list(trust_graph(model).edges())
        self.graph_edges[side] = edges
        shown = set(drawn_edges(model, edges))
        self.drawn[side] = np.array([k for k, e in enumerate(edges) if e in shown], dtype=int)
        lc = LineCollection(
            [(pos[a], pos[b]) for a, b in (edges[k] for k in self.drawn[side])], zorder=1
        )
        ax.add_collection(lc)
        self.edge_collections[side] = lc
        xy = np.array([pos[i] for i in range(len(model.trusts))])
        size = 110 if len(xy) <= 40 else max(10, 4000 / len(xy))
        self.dots[side] = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=size,
            c=[KIND_COLOURS[t.kind] for t in model.trusts],
            edgecolors="white",
            linewidths=0.6,
            zorder=2,
        )
        ax.set_aspect("equal")
        ax.margins(0.08)
        ax.axis("off")
        self.net_titles[side] = ax.set_title("", fontsize=9, color=SIDE_COLOURS[side])

    def _build_balances(self, side: str, bax) -> None:
        """One panel's bars: each organisation's balance (or each player's tokens)."""
        model = self.pair.models[side]
        self.bal_axes[side] = bax
        n = len(model.trusts)
        bars = LineCollection(
            [((i, 0.0), (i, 0.0)) for i in range(n)],
            colors=[KIND_COLOURS[t.kind] for t in model.trusts],
            linewidths=max(1.0, min(14.0, 500.0 / max(1, n))),
        )
        bax.add_collection(bars)
        self.bar_collections[side] = bars
        bax.axhline(0, color="black", lw=0.8)
        bax.set_xlim(-1, n)
        bax.set_xticks([])
        bax.set_xlabel(
            "organisations (coloured by kind)"
            if self.pair.scenario == "place_system"
            else "players",
            fontsize=8,
        )
        bax.tick_params(labelsize=7)
        bax.yaxis.set_major_locator(MaxNLocator(4))
        bax.grid(axis="y", alpha=0.3)
        self.bal_titles[side] = bax.set_title("", fontsize=9, color=SIDE_COLOURS[side])

    # -- updates
    def update(self) -> None:
        """Push the runs' current state into the figures."""
        self._update_series()
        low, high = 0.0, 0.0
        for side in SIDES:
            self._update_network(side)
            values = self._update_balances(side)
            if len(values):
                low, high = min(low, values.min()), max(high, values.max())
        if high - low <= 0:
            low, high = low - 1.0, high + 1.0
        axis = self.bal_axes["left"]  # both panels share it
        axis.set_ylim(*sticky_limits(axis.get_ylim(), low, high))

    def _update_series(self) -> None:
        month = self.pair.month
        per = steps_per_unit(self.pair.scenario)  # the x axis is in years (NHS) or rounds
        for (side, name), line in self.lines.items():
            hist = self.pair.history(side)
            scale = next(sc for names, *_, sc in self.plots if name in names)
            line.set_data(np.arange(1, len(hist) + 1) / per, hist[:, MI[name]] * scale)
        for ax, (names, *_) in zip(self.series_axes, self.plots, strict=True):
            ax.set_xlim(0, nice_top(month) / per)  # years (NHS) or rounds (games)
            low, high = data_range(ax)
            if low is not None:  # scale to the data at every redraw, in round steps
                ax.set_ylim(*sticky_limits(ax.get_ylim(), low, high, names))
        if self.reference is not None:  # keep the Nash and optimum lines and their legend in view
            ax, nash, optimum = self.reference
            ax.set_ylim(*nice_limits(*reference_limits(self.reference_data(), nash, optimum)))

    def reference_data(self) -> np.ndarray:
        """Every value plotted on the commons game's appropriation axes (both panels)."""
        ax = self.reference[0]
        parts = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
        return np.concatenate([p for p in parts if p.size] or [np.zeros(0)])

    def _update_network(self, side: str) -> None:
        model = self.pair.models[side]
        g = trust_graph(model)
        trusts = np.clip([g.edges[a, b]["trust"] for a, b in self.graph_edges[side]], 0, 1)
        shown = trusts[self.drawn[side]]  # the mean below is over every partnership
        lc = self.edge_collections[side]
        lc.set_colors([(*EDGE_RGB, 0.08 + 0.85 * t) for t in shown])
        lc.set_linewidths(0.4 + 2.2 * shown if len(shown) else 1.0)
        mean_trust = float(np.mean(trusts)) if len(trusts) else 0.0
        mean_coop = float(np.mean([t.cooperation for t in model.trusts]))
        self.net_titles[side].set_text(
            f"{self.labels[side]}: mean trust {mean_trust:.2f}, cooperation {mean_coop:.2f}"
        )

    def _bar_values(self, side: str) -> np.ndarray:
        """Each organisation's balance (or each player's tokens), as the bars show them."""
        model = self.pair.models[side]
        if self.pair.scenario == "place_system":
            return np.array([t.balance for t in model.trusts])
        if self.pair.scenario == "classroom_commons":
            return np.array([t.claim for t in model.trusts])
        endowment = float(model.params["endowment"])
        return np.array([endowment - t.claim for t in model.trusts])

    def _update_balances(self, side: str) -> np.ndarray:
        values = self._bar_values(side)
        if self.pair.scenario == "place_system":
            what = f"{int((values < 0).sum())} of {len(values)} organisations in deficit"
        elif self.pair.scenario == "classroom_commons":
            what = "tokens each player put in the commons"
        else:
            what = "tokens each player gave to the public account"
        self.bar_collections[side].set_segments([((i, 0.0), (i, v)) for i, v in enumerate(values)])
        self.bal_titles[side].set_text(f"{self.labels[side]}: {what}")
        return values

    def step(self, n: int = 1) -> None:
        self.pair.step(n)
        self.update()

    def set_start_year(self, start_year: int | None) -> bool:
        """Label the time axes as financial years from `start_year` (None: years 1, 2, ...).
        Returns True if the labels changed (the next `images()` redraws the background)."""
        start_year = start_year or None
        if start_year == self.start_year:
            return False
        self.start_year = start_year
        if self.pair.scenario == "place_system":
            last_row = len(self.plots) - 3
            for k_ax, ax in enumerate(self.series_axes):
                year_axis(ax, start_year, label=k_ax >= last_row)
        self.renderers["series"].invalidate()
        return True

    # -- values on hover
    def hover(self) -> dict[str, str]:
        """The hover layers of both figures (HTML; see `sim.app.hover`): the values of both
        panels by band of months on each measure's axes, and each organisation's values over its
        dot and its bar. Read after `images()`, which lays the figures out."""
        if self.pair.month == 0:
            return {"series": "", "organisations": ""}
        return {"series": self._series_hover(), "organisations": self._organisations_hover()}

    def _series_hover(self) -> str:
        per = steps_per_unit(self.pair.scenario)
        hist = {side: self.pair.history(side) for side in SIDES}
        areas = []
        for ax, (names, title, unit, scale) in zip(self.series_axes, self.plots, strict=True):

            def text(month, names=names, title=title, unit=unit, scale=scale):
                parts = []
                for name in names:
                    a, b = (hist[s][month - 1, MI[name]] * scale for s in SIDES)
                    what = name.replace("_", " ") if len(names) > 1 else title
                    parts.append(f"{what}: A {number(a)}, B {number(b)}")
                return "; ".join(parts) + f" ({unit})"

            areas += series_areas(ax, per, self.pair.month, text, self.start_year)
        return areas_html(areas)

    def _organisations_hover(self) -> str:
        nhs = self.pair.scenario == "place_system"
        areas = []
        for side in SIDES:
            model = self.pair.models[side]
            values = self._bar_values(side)
            titles = []
            for i, t in enumerate(model.trusts):
                if nhs:
                    where = f"place {t.place + 1}" if t.place >= 0 else "system-wide"
                    name = f"{t.kind.replace('_', ' ')} ({where})"
                    what = f"balance {number(values[i])} GBP million"
                else:
                    name, what = f"player {i + 1}", f"{number(values[i])} tokens"
                titles.append(
                    f"{self.labels[side]}: {name}: {what}; cooperation {t.cooperation:.2f}"
                )
            edges = np.arange(len(titles) + 1) - 0.5
            areas += column_areas(self.bal_axes[side], edges, titles)
            if len(titles) <= 60:  # dots too while they are large enough to point at
                pos = self.pair.positions[side]
                xy = [pos[i] for i in range(len(titles))]
                areas += point_areas(self.net_axes[side], xy, titles)
        return areas_html(areas)

    def images(self) -> dict[str, bytes]:
        """Both figures as PNG bytes (only what moved is redrawn; see `sim.app.frames`)."""
        return {name: renderer.png() for name, renderer in self.renderers.items()}


def _same(a, b) -> bool:
    """Equal settings (objects whose == is not a plain bool count as equal only if identical)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b
