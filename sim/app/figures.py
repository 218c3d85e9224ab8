"""Figure helpers shared by the app's live and replicate views: PNG encoding, the measures each
view plots, axes styling, the commons game's reference lines, and the organisation network.
Matplotlib's object-oriented API only (no pyplot, no backend switch)."""

from __future__ import annotations

import io
import math

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, ScalarFormatter

from sim.app.palette import SIDE_MARK_EVERY, SIDE_MARKERS
from sim.app.settings import SIDE_COLOURS, SIDES
from sim.app.verdict import financial_year
from sim.model import CareSystem

PNG_OPTIONS = {"pil_kwargs": {"compress_level": 1}}  # fast to encode; the page is local


def png(fig: Figure, dpi: int = 72) -> bytes:
    """The figure as PNG bytes (what the page shows and the PNG export downloads)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **PNG_OPTIONS)
    return buf.getvalue()


# (measure(s), title, unit label, scale) of the live NHS plots.
# Each money measure has an axes of its own: the system deficit grows to several times the pool's
# balance (812 against 156 at year 10 under fortress), so on one axis the balance lay flat.
# Cooperation and trust share one: both run from 0 to 1.
LIVE_PLOTS = (
    (("pool_balance",), "Pool balance", "GBP million, reserve + / deficit -", 1.0),
    (("system_deficit",), "System deficit", "GBP million", 1.0),
    (("population_health",), "Population health", "index, 0 to 1", 1.0),
    (("acute_share",), "Acute share of spend", "% of payments", 100.0),
    (("unmet_need",), "Unmet need", "% of need not met", 100.0),
    (("mean_cooperation", "mean_trust"), "Cooperation and trust", "0 .. 1", 1.0),
)
GAME_PLOTS = {
    "classroom_commons": (
        (("total_appropriation",), "Total appropriation from the commons", "tokens a round", 1.0),
        (("efficiency",), "Efficiency", "% of the maximum rent", 100.0),
        (("mean_cooperation",), "Mean cooperation", "0 .. 1", 1.0),
    ),
    "public_goods": (
        (("mean_contribution",), "Contribution to the public account", "% of endowment", 100.0),
        (("mean_cooperation",), "Mean cooperation", "0 .. 1", 1.0),
        (("mean_trust",), "Mean trust between players", "0 .. 1", 1.0),
    ),
}
LINE_STYLES = ("-", "--")
EDGE_RGB = (0.1, 0.1, 0.35)


def plots_for(scenario: str):
    return LIVE_PLOTS if scenario == "place_system" else GAME_PLOTS[scenario]


def time_label(scenario: str) -> str:
    return "year" if scenario == "place_system" else "round"


def steps_per_unit(scenario: str) -> int:
    """Steps per unit of the time axis: 12 months a year (NHS place), 1 round (games)."""
    return 12 if scenario == "place_system" else 1


class FinancialYearTicks(Locator):
    """Ticks at the middle of whole years (x in years from the start: year 1 spans 0 to 1), at
    most `most` of them, for labels naming the financial year (2025/26, ...)."""

    def __init__(self, most: int = 5):
        self.most = most

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        years = max(1, math.ceil(vmax - 1e-9))
        step = max(1, math.ceil(years / self.most))
        return np.arange(1, years + 1, step) - 0.5


def year_axis(ax, start_year: int | None = None, label: bool = True) -> None:
    """Label a time axis in years (x in years: month m at m / 12): whole years as ticks, or,
    when `start_year` is set, each financial year at its middle ("2025/26": year 1 starts in
    April of `start_year`)."""
    if start_year:
        ax.xaxis.set_major_locator(FinancialYearTicks())
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: financial_year(round(x + 0.5), start_year))
        )
    else:
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.xaxis.set_major_formatter(ScalarFormatter())
    if label:
        ax.set_xlabel("financial year" if start_year else "year", fontsize=8)


def grid_axes(fig: Figure, n: int, ncols: int = 3):
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def style_axes(ax, title: str, unit: str, xlabel: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.grid(alpha=0.3)


def panel_legend(fig: Figure, labels: dict, extra=()) -> None:
    handles = [
        Line2D([], [], color=SIDE_COLOURS[s], lw=2.2, marker=SIDE_MARKERS[s], label=labels[s])
        for s in SIDES
    ]
    fig.legend(
        handles=[*handles, *extra],
        loc="upper center",
        ncol=2 + len(extra),
        fontsize=8.5,
        frameon=False,
    )


def side_marks(side: str) -> dict:
    """Marker keywords of a panel's lines (A circles, B squares): apart without colour."""
    return {"marker": SIDE_MARKERS[side], "markevery": SIDE_MARK_EVERY, "markersize": 4.5}


def nash_and_optimum(model: CareSystem) -> tuple[float, float]:
    """Total appropriation at the Nash equilibrium and at the social optimum (commons game)."""
    from sim.core.submodels.games import commons_nash, commons_optimum

    n = float(model.params["n_appropriators"])
    return float(commons_nash(model.p, n)), float(commons_optimum(model.p))


def reference_lines(ax, nash: float, optimum: float) -> None:
    from sim.app.teaching import NASH_COLOUR, OPTIMUM_COLOUR

    ax.axhline(nash, color=NASH_COLOUR, ls=":", lw=1.2, label=f"Nash equilibrium ({nash:.3g})")
    ax.axhline(
        optimum, color=OPTIMUM_COLOUR, ls="-.", lw=1.2, label=f"Social optimum ({optimum:.3g})"
    )
    ax.legend(fontsize=7, frameon=False, loc="upper right")


RING_MOST = 12  # places on a ring up to this many; beyond, on a grid (a ring of 50 is a blur)


def place_layout(model: CareSystem) -> dict[int, tuple[float, float]]:
    """Places on a ring (a grid when there are more than `RING_MOST`), each place's
    organisations around it; system-wide services in the middle (above the grid) (in the
    laboratory games, the players on one circle)."""
    trusts = model.trusts
    n_places = max(1, len(model.places))
    by_place: dict[int, list[int]] = {}
    for i, t in enumerate(trusts):
        key = t.place if model.scenario == "place_system" else 0
        by_place.setdefault(key, []).append(i)
    pos = {}
    centres, small = _place_centres(n_places)
    for place, members in by_place.items():
        if model.scenario != "place_system":
            centre, radius = (0.0, 0.0), 1.0
        elif place < 0:
            centre = (0.0, 0.0) if n_places <= RING_MOST else (0.0, 1.15)
            radius = 0.12 if len(members) > 1 else 0.0
        else:
            centre, radius = centres[place], small
        for k, i in enumerate(members):
            a = 2 * math.pi * k / max(1, len(members)) + 0.3
            pos[i] = (centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a))
    return pos


def _place_centres(n_places: int) -> tuple[list[tuple[float, float]], float]:
    """Each place's centre, and the radius of its organisations around it: a ring of places
    (one place: the middle), or a square-ish grid filling -1..1 when there are many."""
    if n_places == 1:
        return [(0.0, 0.0)], 1.0
    if n_places <= RING_MOST:
        angles = [2 * math.pi * p / n_places for p in range(n_places)]
        return [(math.cos(a), math.sin(a)) for a in angles], min(0.35, 2.6 / n_places)
    cols = math.ceil(math.sqrt(n_places))
    rows = math.ceil(n_places / cols)
    step = 2.0 / max(cols, rows)
    centres = [
        (-1 + step * (p % cols + 0.5), 1 - step * (p // cols + 0.5)) for p in range(n_places)
    ]
    return centres, 0.3 * step


def drawn_edges(model: CareSystem, edges: list) -> list:
    """The partnerships the network draws: all of them while the places lie on a ring; on a grid
    only those within a place (lines from the system-wide services to every organisation of
    every place hid the places)."""
    if len(model.places) <= RING_MOST or model.scenario != "place_system":
        return list(edges)
    place = [t.place for t in model.trusts]
    return [(a, b) for a, b in edges if place[a] == place[b] >= 0]


def trust_graph(model: CareSystem) -> nx.Graph:
    """Organisations as nodes (kind, balance, cooperation), partnerships as edges (mean trust)."""
    g = nx.Graph()
    index = {t.unique_id: i for i, t in enumerate(model.trusts)}
    for i, t in enumerate(model.trusts):
        g.add_node(i, kind=t.kind, balance=t.balance, cooperation=t.cooperation, place=t.place)
    for i, t in enumerate(model.trusts):
        for uid, trust in t.partners().items():
            j = index.get(uid)
            if j is None or j == i:
                continue
            if g.has_edge(i, j):
                g.edges[i, j]["trust"] = 0.5 * (g.edges[i, j]["trust"] + float(trust))
            else:
                g.add_edge(i, j, trust=float(trust))
    return g
