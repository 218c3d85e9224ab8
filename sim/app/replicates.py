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
from matplotlib.ticker import MaxNLocator

from sim.analysis.stats import FAN_BANDS, fan_description, fan_quantiles, paired_difference_ci
from sim.analysis.tables import fmt_level
from sim.app.figures import GAME_PLOTS, nash_and_optimum, png, side_marks, year_axis
from sim.app.hover import areas_html, number, series_areas
from sim.app.palette import SIDE_MARKERS
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

    def fan(self, side: str, name: str) -> dict:
        """The fan-chart quantiles of a measure by month, {quantile: array} (computed once)."""
        key = ("fan", side, name)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = fan_quantiles(self.series[side][:, :, MI[name]], axis=0)
        return cache[key]

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
        level = self.level if level is None else level
        key = ("difference", name, level)
        cache = self.__dict__.setdefault("_cache", {})
        if key in cache:  # the page asks for it again at every render of the table and alt text
            return cache[key]
        right, left = self.series["right"][:, :, MI[name]], self.series["left"][:, :, MI[name]]
        draws = self.draws
        if draws is not None:
            right, left = _draw_means(right, draws), _draw_means(left, draws)
        cache[key] = paired_difference_ci(
            right, left, level, BOOTSTRAP_RESAMPLES, self.seed, f"difference|{name}"
        )
        return cache[key]

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


FAN_HEIGHT = 2.45  # inches a row of fan charts takes (the difference charts: `DIFF_HEIGHT`)
DIFF_HEIGHT = 2.3
TOP = 0.85  # inches above the axes: the title and the legend
BOTTOM = 0.42  # inches below the last row: its tick labels and the time label


def _measure_axes(result: ReplicateResult, height: float, start_year=None):
    """A figure with one axes per plotted measure on three columns, laid out once by hand
    (a layout engine would lay the figure out again at every save: half the drawing time)."""
    plots = REPLICATE_PLOTS[result.scenario]
    ncols = 3
    nrows = math.ceil(len(plots) / ncols)
    fig = Figure(figsize=(4.2 * ncols, TOP + BOTTOM + height * nrows))
    h = fig.get_figheight()
    fig.subplots_adjust(
        left=0.06, right=0.99, top=1 - TOP / h, bottom=BOTTOM / h, wspace=0.28, hspace=0.55
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(plots) :]:
        ax.set_visible(False)
    last_row = len(plots) - ncols
    for k, (ax, (_names, title, unit, _scale)) in enumerate(zip(axes, plots, strict=False)):
        _label_axes(ax, title, unit, result.scenario, start_year, k >= last_row)
    return fig, list(zip(axes, plots, strict=False))


def _label_axes(ax, title, unit, scenario, start_year=None, xlabel=True) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    if scenario == "place_system":
        year_axis(ax, start_year, label=xlabel)  # years, or financial years (2025/26, ...)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        if xlabel:
            ax.set_xlabel("round", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def _heading(fig: Figure, text: str, handles: list) -> None:
    """The figure's title and one legend for all its axes, above them (a legend per axes placed
    at "best" cost a search over the data at every draw)."""
    h = fig.get_figheight()
    fig.suptitle(text, fontsize=9, y=1 - 0.04 / h, va="top")
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.24 / h),
        ncol=len(handles),
        fontsize=8,
        frameon=False,
    )


def fan_figure(result: ReplicateResult, start_year: int | None = None) -> Figure:
    """Fan charts (median and the `FAN_BANDS`) of both panels, one axes per measure; time in
    years, or financial years from `start_year`."""
    fig, pairs = _measure_axes(result, FAN_HEIGHT, start_year)
    x = time_axis(result)
    for ax, (names, _title, _unit, scale) in pairs:
        name = names[0]
        for side in SIDES:
            q = result.fan(side, name)
            c = SIDE_COLOURS[side]
            for (lo, hi), alpha in zip(FAN_BANDS, BAND_ALPHAS, strict=True):
                ax.fill_between(x, q[lo] * scale, q[hi] * scale, color=c, alpha=alpha, lw=0)
            ax.plot(x, q[0.5] * scale, color=c, lw=1.8, **side_marks(side))
        if result.scenario == "classroom_commons" and name == "total_appropriation":
            nash, optimum = _game_lines(result)
            ax.axhline(nash, color="black", ls=":", lw=1.2, label="Nash equilibrium")
            ax.axhline(optimum, color="#2a9d3c", ls="-.", lw=1.2, label="Social optimum")
            ax.legend(fontsize=6.5, frameon=False, loc="upper right")
    handles = [
        Line2D(
            [],
            [],
            color=SIDE_COLOURS[s],
            lw=1.8,
            marker=SIDE_MARKERS[s],
            markersize=4.5,
            label=f"{result.labels[s]} (median)",
        )
        for s in SIDES
    ] + [
        Patch(color="#777777", alpha=alpha, label=f"{100 * lo:.0f}-{100 * hi:.0f}%")
        for (lo, hi), alpha in zip(FAN_BANDS, BAND_ALPHAS, strict=True)
    ]
    _heading(
        fig,
        f"{result.replicates} replicates of each panel: median line, {fan_description()} bands",
        handles,
    )
    return fig


def _game_lines(result: ReplicateResult) -> tuple[float, float]:
    model = CareSystem(rules="fortress", scenario=result.scenario, seed=0, **result.params)
    return nash_and_optimum(model)


def difference_figure(result: ReplicateResult, start_year: int | None = None) -> Figure:
    """Panel B minus panel A by month: mean over paired replicates and its bootstrap CI; time in
    years, or financial years from `start_year`."""
    fig, pairs = _measure_axes(result, DIFF_HEIGHT, start_year)
    x = time_axis(result)
    for ax, (names, _title, _unit, scale) in pairs:
        mean, low, high = result.difference(names[0])
        ax.fill_between(x, low * scale, high * scale, color="#555555", alpha=0.3, lw=0)
        ax.plot(x, mean * scale, color="black", lw=1.6)
        ax.axhline(0, color="#999999", lw=0.8)
        ax.set_title(f"{ax.get_title()}: B minus A", fontsize=10)
    handles = [
        Line2D([], [], color="black", lw=1.6, label="mean difference B - A"),
        Patch(color="#555555", alpha=0.3, label=f"{fmt_level(result.level)} CI (bootstrap)"),
    ]
    _heading(
        fig,
        f"Difference between panels (B - A) over {result.replicates} paired replicates "
        "(common random numbers)",
        handles,
    )
    return fig


def replicate_hover(result: ReplicateResult, figures: dict, start_year: int | None = None):
    """The hover layers (HTML, `sim.app.hover`) of the fan and difference figures, drawn
    already: by band of months, both panels' median and bands, and B - A with its interval."""
    per = 12 if result.scenario == "place_system" else 1
    level = fmt_level(result.level)
    (lo_out, hi_out), (lo_in, hi_in) = FAN_BANDS
    out = {}
    _fig, pairs = figures["fan"]
    areas = []
    for ax, (names, title, unit, scale) in pairs:
        q = {s: result.fan(s, names[0]) for s in SIDES}

        def fan_text(m, q=q, title=title, unit=unit, scale=scale):
            parts = []
            for side, name in zip(SIDES, ("A", "B"), strict=True):
                v = {k: number(arr[m - 1] * scale) for k, arr in q[side].items()}
                parts.append(
                    f"{name} median {v[0.5]} ({100 * lo_in:.0f}-{100 * hi_in:.0f}%: "
                    f"{v[lo_in]} to {v[hi_in]}; {100 * lo_out:.0f}-{100 * hi_out:.0f}%: "
                    f"{v[lo_out]} to {v[hi_out]})"
                )
            return f"{title}: " + "; ".join(parts) + f" ({unit})"

        areas += series_areas(ax, per, result.months, fan_text, start_year)
    out["fan"] = areas_html(areas)
    _fig, pairs = figures["difference"]
    areas = []
    for ax, (names, title, unit, scale) in pairs:
        mean, low, high = result.difference(names[0])

        def diff_text(m, mean=mean, low=low, high=high, title=title, unit=unit, scale=scale):
            return (
                f"{title}: B - A {number(mean[m - 1] * scale)} ({level} CI "
                f"{number(low[m - 1] * scale)} to {number(high[m - 1] * scale)}) ({unit})"
            )

        areas += series_areas(ax, per, result.months, diff_text, start_year)
    out["difference"] = areas_html(areas)
    return out


def replicate_images(result: ReplicateResult, start_year: int | None = None) -> dict:
    """The fan and difference charts as PNG bytes ("fan", "difference") and their hover layers
    ("fan_hover", "difference_hover")."""
    figures = {
        "fan": _with_pairs(fan_figure(result, start_year), result),
        "difference": _with_pairs(difference_figure(result, start_year), result),
    }
    images = {name: png(fig, 72) for name, (fig, _pairs) in figures.items()}
    hover = replicate_hover(result, figures, start_year)
    return {**images, **{f"{name}_hover": text for name, text in hover.items()}}


def _with_pairs(fig: Figure, result: ReplicateResult):
    plots = REPLICATE_PLOTS[result.scenario]
    return fig, list(zip(fig.axes, plots, strict=False))


def _label(rules, side: str) -> str:
    """A panel's label from its rule set, or from the rules a schedule ends with."""
    if isinstance(rules, Schedule):
        return rules_label(rules.steps[-1][1], side, adopt_year=rules.steps[-1][0] // 12)
    return rules_label(rules, side)
