"""Replicates of both panels (`sim.run_many`, numba kernel): fan charts of every measure and the
paired difference between the panels with its bootstrap confidence interval.

The statistics are those of `sim.analysis.stats`: fan-chart quantiles (`FAN_BANDS`) and the
paired bootstrap, seeded with the runs' seed and tagged "difference|MEASURE", at the confidence
level the caller chose (`run_replicates(level=...)`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.stats import FAN_BANDS, fan_description, fan_quantiles, paired_difference_ci
from sim.analysis.tables import fmt_level
from sim.app.figures import GAME_PLOTS, nash_and_optimum, side_marks
from sim.app.settings import SIDE_COLOURS, SIDES, named, rules_label
from sim.core.constants import MEASURES
from sim.core.constants import M as MI
from sim.core.rules import RuleSet
from sim.core.schedule import Schedule
from sim.engine.batch import run_many
from sim.model import CareSystem

BOOTSTRAP_RESAMPLES = 1000
# The NHS replicates run over parameter uncertainty: draws from the priors (sim.core.priors),
# SEEDS_PER_DRAW seeds each, so seed noise and parameter uncertainty can be told apart.
SEEDS_PER_DRAW = 2
BAND_ALPHAS = (0.15, 0.3)  # outer (light) band, inner (dark) band of a fan chart

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


@dataclass
class ReplicateResult:
    """Per-month series of every replicate of both panels, and their paired differences.

    `level` is the confidence level of every interval (chosen by the caller of
    `run_replicates`); `seed` is the runs' base seed, which also seeds the bootstrap.
    """

    scenario: str
    months: int
    replicates: int
    series: dict  # side -> array (replicates, months, measures)
    labels: dict
    level: float
    seed: int = 0
    params: dict = field(default_factory=dict)
    seconds: float = 0.0
    summaries: pd.DataFrame | None = None
    raw: pd.DataFrame | None = None
    rules: dict = field(default_factory=dict)  # side -> the RuleSet or Schedule run
    uncertainty: bool = False  # parameters drawn from the priors (see `draws`)

    @property
    def draws(self):
        """The parameter draw of each replicate (None when no parameter was drawn)."""
        if not self.uncertainty or self.summaries is None or "draw" not in self.summaries:
            return None
        part = self.summaries[self.summaries["rules"] == "A"].sort_values("replicate")
        return part["draw"].to_numpy()

    def quantiles(self, side: str, name: str) -> np.ndarray:
        """The fan-chart quantiles (`FAN_QUANTILES`, ascending) of a measure, by month."""
        q = fan_quantiles(self.series[side][:, :, MI[name]], axis=0)
        return np.array(list(q.values()))

    def difference(self, name: str, level: float | None = None):
        """Mean of (right - left) over replicates per month, with its bootstrap interval at
        `level` (default: the result's level).

        Replicate j of both panels shares its random numbers (run key j) and parameter draw, so
        differences pair. Over parameter draws the bootstrap resamples draws (each the mean of
        its replicates): replicates sharing a draw are not independent.
        """
        right, left = self.series["right"][:, :, MI[name]], self.series["left"][:, :, MI[name]]
        draws = self.draws
        if draws is not None:
            right, left = _draw_means(right, draws), _draw_means(left, draws)
        return paired_difference_ci(
            right,
            left,
            self.level if level is None else level,
            BOOTSTRAP_RESAMPLES,
            self.seed,
            f"difference|{name}",
        )

    def end_table(self) -> pd.DataFrame:
        """Final-month outcomes: medians per panel, and B - A with its bootstrap CI."""
        level = fmt_level(self.level)
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
                        f"{level} CI low": low[-1] * scale,
                        f"{level} CI high": high[-1] * scale,
                    }
                )
        return pd.DataFrame(rows)

    def csv(self) -> bytes:
        return self.raw.to_csv(index=False).encode() if self.raw is not None else b""


def _draw_means(x: np.ndarray, draws) -> np.ndarray:
    """The mean over the replicates of each draw, one row per draw (in draw order)."""
    groups = np.unique(np.asarray(draws), return_inverse=True)[1]
    sums = np.zeros((groups.max() + 1, *x.shape[1:]))
    np.add.at(sums, groups, x)
    return sums / np.bincount(groups).reshape(-1, *([1] * (x.ndim - 1)))


def time_axis(result: ReplicateResult) -> np.ndarray:
    """The x values of a result's months: years for the NHS place, rounds for the games."""
    steps = np.arange(1, result.months + 1)
    return steps / 12 if result.scenario == "place_system" else steps


def run_replicates(
    left: RuleSet,
    right: RuleSet,
    scenario: str,
    params: dict,
    seed: int,
    months: int,
    replicates: int = 100,
    labels: dict | None = None,
    *,
    level: float,
    uncertainty: bool | None = None,
) -> ReplicateResult:
    """Replicates of each panel's rule set with the numba kernel (`sim.run_many`); intervals at
    confidence `level`. `uncertainty` (default: True for the NHS place, False for the games,
    whose laboratory designs are exact) draws the parameters the controls leave free from their
    priors, `SEEDS_PER_DRAW` replicates per draw."""
    t0 = time.perf_counter()
    if uncertainty is None:
        uncertainty = scenario == "place_system"
    extra = {"uncertainty": True, "seeds_per_draw": SEEDS_PER_DRAW} if uncertainty else {}
    summaries, series = run_many(
        rules=[named(left, "A"), named(right, "B")],
        replicates=replicates,
        months=int(months),
        seed=int(seed),
        scenario=scenario,
        series=True,
        **extra,
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
        labels=labels or {"left": _label(left, "left"), "right": _label(right, "right")},
        level=level,
        seed=int(seed),
        params=dict(params),
        seconds=time.perf_counter() - t0,
        summaries=summaries,
        raw=series,
        rules={"left": left, "right": right},
        uncertainty=bool(uncertainty),
    )


def _measure_axes(result: ReplicateResult, height: float) -> tuple[Figure, list]:
    """A figure with one axes per plotted measure, on three columns."""
    plots = REPLICATE_PLOTS[result.scenario]
    ncols = 3
    nrows = math.ceil(len(plots) / ncols)
    fig = Figure(figsize=(4.2 * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(plots) :]:
        ax.set_visible(False)
    return fig, list(zip(axes, plots, strict=False))


def _label_axes(ax, title: str, unit: str, scenario: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    ax.set_xlabel("year" if scenario == "place_system" else "round", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def fan_figure(result: ReplicateResult) -> Figure:
    """Fan charts (median and the `FAN_BANDS`) of both panels, one axes per measure."""
    fig, pairs = _measure_axes(result, 2.7)
    x = time_axis(result)
    for ax, (names, title, unit, scale) in pairs:
        name = names[0]
        for side in SIDES:
            q = fan_quantiles(result.series[side][:, :, MI[name]] * scale, axis=0)
            c = SIDE_COLOURS[side]
            for (lo, hi), alpha in zip(FAN_BANDS, BAND_ALPHAS, strict=True):
                ax.fill_between(x, q[lo], q[hi], color=c, alpha=alpha, lw=0)
            ax.plot(
                x,
                q[0.5],
                color=c,
                lw=1.8,
                label=f"{result.labels[side]} (median)",
                **side_marks(side),
            )
        if result.scenario == "classroom_commons" and name == "total_appropriation":
            nash, optimum = _game_lines(result)
            ax.axhline(nash, color="black", ls=":", lw=1.2, label="Nash equilibrium")
            ax.axhline(optimum, color="#2a9d3c", ls="-.", lw=1.2, label="Social optimum")
        _label_axes(ax, title, unit, result.scenario)
        ax.legend(fontsize=6.5, frameon=False, loc="best")
    fig.suptitle(
        f"{result.replicates} replicates of each panel: median line, {fan_description()} bands",
        fontsize=9,
    )
    return fig


def _game_lines(result: ReplicateResult) -> tuple[float, float]:
    model = CareSystem(rules="fortress", scenario=result.scenario, seed=0, **result.params)
    return nash_and_optimum(model)


def difference_figure(result: ReplicateResult) -> Figure:
    """Panel B minus panel A by month: mean over paired replicates and its bootstrap CI."""
    fig, pairs = _measure_axes(result, 2.5)
    x = time_axis(result)
    ci_label = f"{fmt_level(result.level)} CI (bootstrap)"
    for ax, (names, title, unit, scale) in pairs:
        mean, low, high = result.difference(names[0])
        ax.fill_between(x, low * scale, high * scale, color="#555555", alpha=0.3, lw=0)
        ax.plot(x, mean * scale, color="black", lw=1.6, label="B - A, mean")
        ax.axhline(0, color="#999999", lw=0.8)
        _label_axes(ax, f"{title}: B minus A", unit, result.scenario)
        ax.legend(
            handles=[
                Line2D([], [], color="black", lw=1.6, label="mean difference"),
                Patch(color="#555555", alpha=0.3, label=ci_label),
            ],
            fontsize=6.5,
            frameon=False,
            loc="best",
        )
    fig.suptitle(
        f"Difference between panels (B - A) over {result.replicates} paired replicates "
        "(common random numbers)",
        fontsize=9,
    )
    return fig


def _label(rules, side: str) -> str:
    """A panel's label from its rule set, or from the rules a schedule ends with."""
    if isinstance(rules, Schedule):
        return rules_label(rules.steps[-1][1], side, adopt_year=rules.steps[-1][0] // 12)
    return rules_label(rules, side)
