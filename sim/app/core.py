"""The logic behind the Solara app (`sim/app/app.py`), kept free of any user-interface code.

The app is a thin layer over the model: this module turns the app's controls into model
parameters and rule sets, steps two `CareSystem` runs side by side, runs replicates with
`sim.run_many`, and draws the figures (matplotlib, no pyplot). It adds no model logic.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # before any figure: the server has no display

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.core.constants import MEASURES  # noqa: E402
from sim.core.constants import M as MI  # noqa: E402
from sim.core.params import (  # noqa: E402
    ParameterError,  # noqa: E402
    parameter,
    validate,
)
from sim.core.rules import PRESETS, PRINCIPLES, RuleSet  # noqa: E402
from sim.engine.batch import run_many  # noqa: E402
from sim.model import CareSystem  # noqa: E402

SIDES = ("left", "right")
DEFAULT_PRESETS = {"left": "fortress", "right": "shared_governance"}
# Fortress-like panel red-ish, shared-governance-like panel blue-ish (colour-blind safe pair).
SIDE_COLOURS = {"left": "#c0392b", "right": "#1f5fa8"}
SIDE_TITLES = {"left": "Panel A", "right": "Panel B"}
KIND_COLOURS = {
    "acute": "#d62728",
    "community": "#2ca02c",
    "mental_health": "#9467bd",
    "primary_care": "#ff7f0e",
    "ambulance": "#7f7f7f",
    "social_care": "#17becf",
    "participant": "#8c564b",
}
PRESET_LABELS = {
    "fortress": "Fortress (each organisation for itself)",
    "partnership_board": "Partnership board (shared vision, no teeth)",
    "success_regime": "Success regime (plan imposed from above)",
    "canterbury_alliance": "Canterbury alliance (one system, one budget)",
    "shared_governance": "Shared governance (all design principles)",
}
PRINCIPLE_LABELS = {
    "boundary": "Clear boundary and scope",
    "partners": "The right partners",
    "shared_vision": "Shared vision",
    "agreed_shares": "Agreed shares of the pool",
    "prevention": "Prevention slice",
    "collective_choice": "Rules made together",
    "system_leadership": "System leadership",
    "conflict_resolution": "Conflict resolution",
    "graduated_sanctions": "Graduated sanctions",
    "monitoring": "Monitoring (open books)",
    "pooled_funding": "Pooled, capitated budget",
    "strategic_commissioning": "Strategic commissioning",
    "dedicated_team": "Dedicated team",
    "single_measures": "Single set of measures",
    "right_to_organise": "Right to organise",
    "nested_enterprises": "Nested enterprises",
}
GAMES = {
    "classroom_commons": "Commons game (Ostrom, Gardner & Walker 1994)",
    "public_goods": "Public goods game (Fehr & Gaechter 2000)",
}
MAX_LIVE_MONTHS = 600  # 50 years: the live view stops there


# --------------------------------------------------------------------------- rule sets
def panel_rules(preset: str, side: str) -> RuleSet:
    """A preset's rule set, named for its panel (run_many needs distinct names)."""
    if preset not in PRESETS:
        raise ParameterError(f"preset={preset!r} is not a preset; allowed: {', '.join(PRESETS)}")
    return PRESETS[preset].with_levers(name=side)


def set_principle(rules: RuleSet, principle: str, on: bool) -> RuleSet:
    """Switch one design principle on (levers as in shared_governance) or off (as in fortress)."""
    if principle not in PRINCIPLES:
        raise ParameterError(f"principle={principle!r} is not a design principle")
    source = PRESETS["shared_governance"] if on else PRESETS["fortress"]
    levers = {lv: getattr(source, lv) for lv in PRINCIPLES[principle]["levers"]}
    return rules.with_levers(**levers)


def describe_rules(rules: RuleSet) -> str:
    """'fortress' if the levers are a preset's, else 'custom'."""
    for name, preset in PRESETS.items():
        if preset.levers() == rules.levers():
            return name
    return "custom"


def rules_label(rules: RuleSet, side: str, preset: str | None = None) -> str:
    """'Panel A: fortress', or 'Panel B: shared governance, modified' when changed from `preset`."""
    kind = describe_rules(rules)
    if preset is not None and kind != preset:
        return f"{SIDE_TITLES[side]}: {preset.replace('_', ' ')}, modified"
    return f"{SIDE_TITLES[side]}: {kind.replace('_', ' ')}"


# --------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Scenario:
    """The shared scenario controls of the NHS view.

    funding_gap is the funding pressure: need growth + ageing - budget growth (a year). The app
    sets budget growth from it, so a larger gap means the pool grows more slowly than need.
    """

    funding_gap: float = 0.005
    need_growth: float = 0.015
    ageing: float = 0.01
    n_places: int = 3
    seed: int = 1

    @property
    def budget_growth(self) -> float:
        return round(self.need_growth + self.ageing - self.funding_gap, 6)

    def params(self) -> dict[str, float]:
        """Model parameters; raises ParameterError with a plain-English message if impossible."""
        kw = {
            "budget_growth": self.budget_growth,
            "need_growth": self.need_growth,
            "ageing": self.ageing,
            "n_places": self.n_places,
        }
        bg = parameter("budget_growth")
        if not bg.low <= kw["budget_growth"] <= bg.high:
            raise ParameterError(
                f"This combination is impossible: a funding gap of {100 * self.funding_gap:.1f} "
                f"points with need growth of {100 * self.need_growth:.1f}% and ageing of "
                f"{100 * self.ageing:.1f}% a year means budget growth of "
                f"{100 * kw['budget_growth']:.1f}% a year; the model allows budget growth from "
                f"{100 * bg.low:.0f}% to {100 * bg.high:.0f}% a year. Reduce the gap or the "
                f"need growth. (budget_growth={kw['budget_growth']:g} is out of range)"
            )
        validate("place_system", **kw)
        check_seed_value(self.seed)
        return kw


@dataclass(frozen=True)
class GameScenario:
    """The shared controls of the teaching view (laboratory games)."""

    game: str = "classroom_commons"
    n_players: int = 8
    seed: int = 1

    def params(self) -> dict[str, float]:
        kw = {"n_appropriators": self.n_players}
        validate(self.game, **kw)
        check_seed_value(self.seed)
        return kw


def check_seed_value(seed) -> int:
    from sim.model.model import check_seed

    return check_seed(seed)


# --------------------------------------------------------------------------- live runs
@dataclass
class LivePair:
    """Two runs of one scenario side by side, stepped together (one step = one month/round)."""

    left: RuleSet
    right: RuleSet
    scenario: str = "place_system"
    params: dict = field(default_factory=dict)
    seed: int = 1
    models: dict = field(init=False)

    def __post_init__(self):
        self.models = {
            side: CareSystem(
                rules=rules, scenario=self.scenario, seed=int(self.seed), **self.params
            )
            for side, rules in (("left", self.left), ("right", self.right))
        }
        self.positions = {side: None for side in SIDES}

    @property
    def month(self) -> int:
        return self.models["left"].month

    def step(self, n: int = 1) -> None:
        for _ in range(int(n)):
            if self.month >= MAX_LIVE_MONTHS:
                return
            for model in self.models.values():
                model.step()

    def rebuilt(self, **changes) -> LivePair:
        """A fresh pair with some settings changed, stepped to this pair's month."""
        new = LivePair(
            left=changes.get("left", self.left),
            right=changes.get("right", self.right),
            scenario=changes.get("scenario", self.scenario),
            params=changes.get("params", self.params),
            seed=changes.get("seed", self.seed),
        )
        new.step(changes.get("month", self.month))
        return new

    def history(self, side: str) -> np.ndarray:
        return self.models[side].history

    def frame(self) -> pd.DataFrame:
        """Every measure of both runs, one row per panel and month (the CSV export)."""
        parts = []
        for side in SIDES:
            model = self.models[side]
            df = pd.DataFrame(model.history, columns=list(MEASURES))
            df.insert(0, "month", np.arange(1, len(df) + 1))
            df.insert(0, "seed", self.seed)
            df.insert(0, "scenario", self.scenario)
            df.insert(0, "rules", describe_rules(model.rules))
            df.insert(0, "panel", SIDE_TITLES[side])
            for key, value in self.params.items():
                df[key] = value
            for lever, value in model.rules.levers().items():
                df[f"lever_{lever}"] = value
            parts.append(df)
        return pd.concat(parts, ignore_index=True)

    def csv(self) -> bytes:
        return self.frame().to_csv(index=False).encode()


# --------------------------------------------------------------------------- figures
PNG_OPTIONS = {"pil_kwargs": {"compress_level": 1}}  # fast to encode; the page is local


def png(fig: Figure, dpi: int = 72) -> bytes:
    """The figure as PNG bytes (what the page shows and the PNG export downloads)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **PNG_OPTIONS)
    return buf.getvalue()


# (measure(s), title, unit label, scale) of the live NHS plots.
LIVE_PLOTS = (
    (("pool_balance", "system_deficit"), "Pool balance and system deficit", "GBP million", 1.0),
    (("population_health",), "Population health", "index, 0 to 1", 1.0),
    (("acute_share",), "Acute share of spend", "% of payments", 100.0),
    (("unmet_need",), "Unmet need", "% of need not met", 100.0),
    (("mean_cooperation",), "Mean cooperation", "0 fortress .. 1 cooperative", 1.0),
    (("mean_trust",), "Mean trust between partners", "0 .. 1", 1.0),
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
    return "month" if scenario == "place_system" else "round"


def _grid(fig: Figure, n: int, ncols: int = 3):
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def _style(ax, title: str, unit: str, xlabel: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.grid(alpha=0.3)


def _panel_legend(fig: Figure, labels: dict, extra=()) -> None:
    handles = [Line2D([], [], color=SIDE_COLOURS[s], lw=2.2, label=labels[s]) for s in SIDES]
    fig.legend(
        handles=[*handles, *extra],
        loc="upper center",
        ncol=2 + len(extra),
        fontsize=8.5,
        frameon=False,
    )


def nash_and_optimum(model: CareSystem) -> tuple[float, float]:
    """Total appropriation at the Nash equilibrium and at the social optimum (commons game)."""
    from sim.core.submodels.games import commons_nash, commons_optimum

    n = float(model.params["n_appropriators"])
    return float(commons_nash.py_func(model.p, n)), float(commons_optimum.py_func(model.p))


def _reference_lines(ax, nash: float, optimum: float) -> None:
    ax.axhline(nash, color="black", ls=":", lw=1.2, label=f"Nash equilibrium ({nash:.3g})")
    ax.axhline(optimum, color="#2a9d3c", ls="-.", lw=1.2, label=f"Social optimum ({optimum:.3g})")
    ax.legend(fontsize=7, frameon=False, loc="upper right")


def place_layout(model: CareSystem) -> dict[int, tuple[float, float]]:
    """Places on a ring, each place's organisations around it; system-wide services in the middle
    (in the laboratory games, the players on one circle)."""
    trusts = model.trusts
    n_places = max(1, len(model.places))
    by_place: dict[int, list[int]] = {}
    for i, t in enumerate(trusts):
        key = t.place if model.scenario == "place_system" else 0
        by_place.setdefault(key, []).append(i)
    pos = {}
    ring = 0.0 if n_places == 1 else 1.0
    small = 1.0 if n_places == 1 else min(0.35, 2.6 / n_places)
    for place, members in by_place.items():
        if model.scenario != "place_system":
            centre, radius = (0.0, 0.0), 1.0
        elif place < 0:
            centre, radius = (0.0, 0.0), (0.12 if len(members) > 1 else 0.0)
        else:
            angle = 2 * math.pi * place / n_places
            centre, radius = (ring * math.cos(angle), ring * math.sin(angle)), small
        for k, i in enumerate(members):
            a = 2 * math.pi * k / max(1, len(members)) + 0.3
            pos[i] = (centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a))
    return pos


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


class LiveView:
    """The live figures of a `LivePair`, built once and updated in place after each step.

    `series` holds one axes per measure with both panels' lines; `organisations` holds each
    panel's network of organisations (coloured by kind, edges shaded by trust) above each
    organisation's financial balance. `images()` renders both as PNG bytes.
    """

    def __init__(self, pair: LivePair, dpi: int = 72, labels: dict | None = None):
        self.pair = pair
        self.dpi = dpi
        self.plots = plots_for(pair.scenario)
        self.labels = labels or {s: rules_label(pair.models[s].rules, s) for s in SIDES}
        self.reference = None
        self._build_series()
        self._build_organisations()
        self.update()

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
        self.series_axes = _grid(fig, len(self.plots))
        self.lines: dict[tuple[str, str], Line2D] = {}
        xlabel = time_label(self.pair.scenario)
        last_row = len(self.plots) - 3
        for k_ax, (ax, (names, title, unit, _scale)) in enumerate(
            zip(self.series_axes, self.plots, strict=True)
        ):
            for side in SIDES:
                for k, name in enumerate(names):
                    (line,) = ax.plot([], [], LINE_STYLES[k], color=SIDE_COLOURS[side], lw=1.8)
                    self.lines[(side, name)] = line
            _style(ax, title, unit, xlabel if k_ax >= last_row else "")  # x label on the last row
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
                _reference_lines(*self.reference)
        _panel_legend(fig, self.labels)

    # -- organisations
    def _build_organisations(self) -> None:
        fig = Figure(figsize=(12.0, 5.6), dpi=self.dpi)
        fig.subplots_adjust(left=0.07, right=0.99, top=0.88, bottom=0.07, wspace=0.12, hspace=0.3)
        grid = fig.add_gridspec(2, 2, height_ratios=(1.6, 1.0))
        self.org_fig = fig
        self.net_axes, self.bal_axes = {}, {}
        self.edge_collections, self.bar_collections, self.net_titles, self.bal_titles = (
            {},
            {},
            {},
            {},
        )
        self.graph_edges = {}
        share = None
        for col, side in enumerate(SIDES):
            model = self.pair.models[side]
            ax = fig.add_subplot(grid[0, col])
            bax = fig.add_subplot(grid[1, col], sharey=share)
            share = share or bax
            self.net_axes[side], self.bal_axes[side] = ax, bax
            pos = place_layout(model)
            self.pair.positions[side] = pos
            g = trust_graph(model)
            edges = list(g.edges())
            self.graph_edges[side] = edges
            lc = LineCollection([(pos[a], pos[b]) for a, b in edges], zorder=1)
            ax.add_collection(lc)
            self.edge_collections[side] = lc
            xy = np.array([pos[i] for i in range(len(model.trusts))])
            kinds = [t.kind for t in model.trusts]
            size = 110 if len(xy) <= 40 else max(10, 4000 / len(xy))
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=size,
                c=[KIND_COLOURS[k] for k in kinds],
                edgecolors="white",
                linewidths=0.6,
                zorder=2,
            )
            ax.set_aspect("equal")
            ax.margins(0.08)
            ax.axis("off")
            self.net_titles[side] = ax.set_title("", fontsize=9, color=SIDE_COLOURS[side])
            n = len(model.trusts)
            bars = LineCollection(
                [((i, 0.0), (i, 0.0)) for i in range(n)],
                colors=[KIND_COLOURS[k] for k in kinds],
                linewidths=max(1.0, min(14.0, 500.0 / max(1, n))),
            )
            bax.add_collection(bars)
            self.bar_collections[side] = bars
            bax.axhline(0, color="black", lw=0.8)
            bax.set_xlim(-1, n)
            bax.set_xticks([])
            bax.set_xlabel("organisations (coloured by kind)", fontsize=8)
            bax.tick_params(labelsize=7)
            bax.yaxis.set_major_locator(MaxNLocator(4))
            bax.grid(axis="y", alpha=0.3)
            self.bal_titles[side] = bax.set_title("", fontsize=9, color=SIDE_COLOURS[side])
        self.bal_axes["left"].set_ylabel(
            "balance, GBP million\n(reserve + / deficit -)", fontsize=8
        )
        if self.pair.scenario != "place_system":
            self.bal_axes["left"].set_ylabel("tokens this round", fontsize=8)
        kinds_present = sorted({t.kind for m in self.pair.models.values() for t in m.trusts})
        handles = [Patch(color=KIND_COLOURS[k], label=k.replace("_", " ")) for k in kinds_present]
        handles += [
            Line2D([], [], color=(*EDGE_RGB, 0.9), lw=2.6, label="high trust"),
            Line2D([], [], color=(*EDGE_RGB, 0.15), lw=0.6, label="low trust"),
        ]
        fig.legend(
            handles=handles, loc="upper center", ncol=len(handles), fontsize=8, frameon=False
        )

    # -- updates
    def update(self) -> None:
        """Push the runs' current state into the figures."""
        month = self.pair.month
        for (side, name), line in self.lines.items():
            hist = self.pair.history(side)
            scale = next(sc for names, *_, sc in self.plots if name in names)
            line.set_data(np.arange(1, len(hist) + 1), hist[:, MI[name]] * scale)
        for ax in self.series_axes:
            ax.relim()
            ax.autoscale_view()
            ax.set_xlim(0, max(12, month))
        if self.reference is not None:  # keep the Nash and optimum lines and their legend in view
            ax, nash, optimum = self.reference
            top = max(ax.get_ylim()[1], nash, optimum)
            ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.25 * top)
        low, high = 0.0, 0.0
        for side in SIDES:
            model = self.pair.models[side]
            pos = self.pair.positions[side]
            g = trust_graph(model)
            trusts = np.clip([g.edges[a, b]["trust"] for a, b in self.graph_edges[side]], 0, 1)
            lc = self.edge_collections[side]
            lc.set_colors([(*EDGE_RGB, 0.08 + 0.85 * t) for t in trusts])
            lc.set_linewidths(0.4 + 2.2 * trusts if len(trusts) else 1.0)
            mean_trust = float(np.mean(trusts)) if len(trusts) else 0.0
            mean_coop = float(np.mean([t.cooperation for t in model.trusts]))
            self.net_titles[side].set_text(
                f"{self.labels[side]}: mean trust {mean_trust:.2f}, cooperation {mean_coop:.2f}"
            )
            del pos
            if self.pair.scenario == "place_system":
                values = np.array([t.balance for t in model.trusts])
                what = f"{int((values < 0).sum())} of {len(values)} organisations in deficit"
            elif self.pair.scenario == "classroom_commons":
                values = np.array([t.claim for t in model.trusts])
                what = "tokens each player put in the commons"
            else:
                endowment = float(model.params["endowment"])
                values = np.array([endowment - t.claim for t in model.trusts])
                what = "tokens each player gave to the public account"
            self.bar_collections[side].set_segments(
                [((i, 0.0), (i, v)) for i, v in enumerate(values)]
            )
            self.bal_titles[side].set_text(f"{self.labels[side]}: {what}")
            if len(values):
                low, high = min(low, values.min()), max(high, values.max())
        pad = 0.08 * (high - low) or 1.0
        self.bal_axes["left"].set_ylim(low - pad, high + pad)

    def step(self, n: int = 1) -> None:
        self.pair.step(n)
        self.update()

    def images(self) -> dict[str, bytes]:
        return {
            "series": png(self.series_fig, self.dpi),
            "organisations": png(self.org_fig, self.dpi),
        }


# --------------------------------------------------------------------------- replicates
@dataclass
class ReplicateResult:
    """Per-month series of every replicate of both panels, and their paired differences."""

    scenario: str
    months: int
    replicates: int
    series: dict  # side -> array (replicates, months, measures)
    labels: dict
    params: dict = field(default_factory=dict)
    seconds: float = 0.0
    summaries: pd.DataFrame | None = None
    raw: pd.DataFrame | None = None

    def quantiles(self, side: str, name: str, qs=(0.1, 0.25, 0.5, 0.75, 0.9)) -> np.ndarray:
        return np.quantile(self.series[side][:, :, MI[name]], qs, axis=0)

    def difference(self, name: str, boot: int = 1000, seed: int = 0):
        """Mean of (right - left) over replicates per month, with a 95% bootstrap interval.

        Replicate j of both panels shares its random numbers (run key j), so differences pair.
        """
        diff = self.series["right"][:, :, MI[name]] - self.series["left"][:, :, MI[name]]
        rng = np.random.default_rng(seed)
        n = diff.shape[0]
        idx = rng.integers(0, n, size=(boot, n))
        means = diff[idx].mean(axis=1)  # (boot, months)
        low, high = np.quantile(means, [0.025, 0.975], axis=0)
        return diff.mean(axis=0), low, high

    def end_table(self) -> pd.DataFrame:
        """Final-month outcomes: medians per panel, and B - A with its 95% bootstrap CI."""
        rows = []
        for names, _title, unit, scale in REPLICATE_PLOTS.get(self.scenario, ()):
            for name in names:
                mean, low, high = self.difference(name)
                rows.append(
                    {
                        "measure": name.replace("_", " "),
                        "unit": unit,
                        "median A": np.median(self.series["left"][:, -1, MI[name]]) * scale,
                        "median B": np.median(self.series["right"][:, -1, MI[name]]) * scale,
                        "B - A (mean)": mean[-1] * scale,
                        "95% CI low": low[-1] * scale,
                        "95% CI high": high[-1] * scale,
                    }
                )
        return pd.DataFrame(rows)

    def csv(self) -> bytes:
        return self.raw.to_csv(index=False).encode() if self.raw is not None else b""


REPLICATE_PLOTS = {
    "place_system": (
        (("pool_balance",), "Pool balance", "GBP million", 1.0),
        (("population_health",), "Population health", "index, 0 to 1", 1.0),
        (("acute_share",), "Acute share of spend", "% of payments", 100.0),
        (("unmet_need",), "Unmet need", "% of need", 100.0),
        (("mean_cooperation",), "Mean cooperation", "0 .. 1", 1.0),
        (("mean_trust",), "Mean trust", "0 .. 1", 1.0),
    ),
    "classroom_commons": GAME_PLOTS["classroom_commons"],
    "public_goods": GAME_PLOTS["public_goods"],
}


def run_replicates(
    left: RuleSet,
    right: RuleSet,
    scenario: str,
    params: dict,
    seed: int,
    months: int,
    replicates: int = 100,
    labels: dict | None = None,
) -> ReplicateResult:
    """100 replicates of each panel's rule set with the numba kernel (`sim.run_many`)."""
    import time

    t0 = time.perf_counter()
    left_named = left.with_levers(name="A")
    right_named = right.with_levers(name="B")
    summaries, series = run_many(
        rules=[left_named, right_named],
        replicates=replicates,
        months=int(months),
        seed=int(seed),
        scenario=scenario,
        series=True,
        **params,
    )
    cube = {}
    for side, name in (("left", "A"), ("right", "B")):
        part = series[series["rules"] == name].sort_values(["replicate", "month"])
        cube[side] = part[list(MEASURES)].to_numpy().reshape(replicates, int(months), len(MEASURES))
    series = series.assign(panel=series["rules"].map({"A": "Panel A", "B": "Panel B"}))
    return ReplicateResult(
        scenario=scenario,
        months=int(months),
        replicates=replicates,
        series=cube,
        params=dict(params),
        labels=labels or {"left": rules_label(left, "left"), "right": rules_label(right, "right")},
        seconds=time.perf_counter() - t0,
        summaries=summaries,
        raw=series,
    )


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def fan_figure(result: ReplicateResult) -> Figure:
    """Fan charts (median, 25-75% and 10-90% bands) of both panels, one axes per measure."""
    plots = REPLICATE_PLOTS[result.scenario]
    ncols = 3
    nrows = math.ceil(len(plots) / ncols)
    fig = _new_figure(4.2 * ncols, 2.7 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    x = np.arange(1, result.months + 1)
    for ax, (names, title, unit, scale) in zip(axes, plots, strict=False):
        name = names[0]
        for side in SIDES:
            q = result.quantiles(side, name) * scale
            c = SIDE_COLOURS[side]
            ax.fill_between(x, q[0], q[4], color=c, alpha=0.15, lw=0)
            ax.fill_between(x, q[1], q[3], color=c, alpha=0.3, lw=0)
            ax.plot(x, q[2], color=c, lw=1.8, label=f"{result.labels[side]} (median)")
        if result.scenario == "classroom_commons" and name == "total_appropriation":
            nash, optimum = _game_lines(result)
            ax.axhline(nash, color="black", ls=":", lw=1.2, label="Nash equilibrium")
            ax.axhline(optimum, color="#2a9d3c", ls="-.", lw=1.2, label="Social optimum")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlabel("month" if result.scenario == "place_system" else "round", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6.5, frameon=False, loc="best")
    for ax in axes[len(plots) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{result.replicates} replicates of each panel: median line, darker band 25-75%, "
        "lighter band 10-90%",
        fontsize=9,
    )
    return fig


def _game_lines(result: ReplicateResult) -> tuple[float, float]:
    model = CareSystem(rules="fortress", scenario=result.scenario, seed=0, **result.params)
    return nash_and_optimum(model)


def difference_figure(result: ReplicateResult) -> Figure:
    """Panel B minus panel A by month: mean over paired replicates and its 95% bootstrap CI."""
    plots = REPLICATE_PLOTS[result.scenario]
    ncols = 3
    nrows = math.ceil(len(plots) / ncols)
    fig = _new_figure(4.2 * ncols, 2.5 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    x = np.arange(1, result.months + 1)
    for ax, (names, title, unit, scale) in zip(axes, plots, strict=False):
        mean, low, high = result.difference(names[0])
        ax.fill_between(x, low * scale, high * scale, color="#555555", alpha=0.3, lw=0)
        ax.plot(x, mean * scale, color="black", lw=1.6, label="B - A, mean")
        ax.axhline(0, color="#999999", lw=0.8)
        ax.set_title(f"{title}: B minus A", fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlabel("month" if result.scenario == "place_system" else "round", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(
            handles=[
                Line2D([], [], color="black", lw=1.6, label="mean difference"),
                Patch(color="#555555", alpha=0.3, label="95% CI (bootstrap)"),
            ],
            fontsize=6.5,
            frameon=False,
            loc="best",
        )
    for ax in axes[len(plots) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Difference between panels (B - A) over {result.replicates} paired replicates "
        "(common random numbers)",
        fontsize=9,
    )
    return fig
