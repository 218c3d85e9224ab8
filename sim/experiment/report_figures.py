"""The figures of an experiment's report (PNG), drawn with matplotlib's object-oriented API."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.crossover import NHS_BUDGET_GROWTH
from sim.analysis.stats import FAN_BANDS, fan_quantiles
from sim.experiment.store import atomic_savefig

BAND_ALPHAS = (0.15, 0.3)  # outer (light) band, inner (dark) band of a fan chart


def _grid(n: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    """A figure with n axes on up to 3 columns (the unused axes switched off)."""
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(width * cols, height * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    return fig, axes


def save(fig: Figure, path: Path) -> None:
    """Lay the figure out and write it as PNG (90 dpi)."""
    fig.tight_layout()
    atomic_savefig(fig, path)


def fan_chart(series: pd.DataFrame, measures, rules: list[str], path: Path) -> None:
    """Median and the `FAN_BANDS` of runs by month, one axes per measure, one colour per rule set."""
    fig, axes = _grid(len(measures), 5, 3.3)
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes.flat, measures, strict=False):
        for i, name in enumerate(rules):
            sub = series[series["rules"] == name]
            if sub.empty:
                continue
            runs = sub.pivot_table(index="month", columns="run_id", values=m)
            q = fan_quantiles(runs.to_numpy(), axis=1)
            c = colours[i % len(colours)]
            for (lo, hi), alpha in zip(FAN_BANDS, BAND_ALPHAS, strict=True):
                ax.fill_between(runs.index, q[lo], q[hi], color=c, alpha=alpha, linewidth=0)
            ax.plot(runs.index, q[0.5], color=c, label=name, linewidth=1.5)
        ax.set_title(m)
        ax.set_xlabel("month")
    axes.flat[0].legend(fontsize=7)
    save(fig, path)


def comparison_figure(comp: pd.DataFrame, n_rules: int, path: Path) -> None:
    """Mean and confidence interval of each rule set, one axes per outcome."""
    outcomes = list(dict.fromkeys(comp["outcome"]))
    rows = math.ceil(len(outcomes) / min(3, len(outcomes)))
    fig, axes = _grid(len(outcomes), 5, (0.5 + 0.35 * n_rules * rows + 1.2 * rows) / rows)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        t = comp[comp["outcome"] == outcome]
        y = np.arange(len(t))
        xerr = [t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]]
        ax.errorbar(t["mean"], y, xerr=xerr, fmt="o", capsize=3)
        ax.set_yticks(y, t["rules"], fontsize=7)
        ax.set_title(outcome, fontsize=9)
        ax.invert_yaxis()
    save(fig, path)


def ablation_figure(abl: pd.DataFrame, outcomes: list[str], n_ablated: int, path: Path) -> None:
    """Change in each outcome when each principle is removed, with its interval."""
    fig = Figure(figsize=(4 * len(outcomes), 0.8 + 0.3 * n_ablated))
    axes = fig.subplots(1, len(outcomes), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        t = abl[abl["outcome"] == outcome]
        y = np.arange(len(t))
        ax.barh(y, t["change"], color=["tab:red" if v < 0 else "tab:blue" for v in t["change"]])
        xerr = [t["change"] - t["ci_low"], t["ci_high"] - t["change"]]
        ax.errorbar(t["change"], y, xerr=xerr, fmt="none", ecolor="black", capsize=2)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, t["principle"], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(f"change in {outcome}", fontsize=9)
    save(fig, path)


def outer_band(runs) -> tuple[float, float]:
    """The outer fan band (`FAN_BANDS[0]`) of one point's runs, by `fan_quantiles`.

    A run without a value (NaN) is left out, as the mean beside it leaves it out; with no value
    at all the band is (NaN, NaN).
    """
    values = np.asarray(runs, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return math.nan, math.nan
    q = fan_quantiles(values)
    lo_q, hi_q = FAN_BANDS[0]
    return float(q[lo_q]), float(q[hi_q])


def response_figure(frame: pd.DataFrame, exp, parameter: str, path: Path) -> None:
    """Mean and the outer fan band of runs of each outcome against one swept parameter."""
    fig, axes = _grid(len(exp.outcomes), 5, 3.2)
    for ax, outcome in zip(axes.flat, exp.outcomes, strict=False):
        for name in exp.rule_names:
            g = frame[frame["rules"] == name].groupby("point")[outcome]
            pts = sorted(g.groups, key=lambda p: exp.points[p][parameter])
            xs = [exp.points[p][parameter] for p in pts]
            mu = np.array([g.get_group(p).mean() for p in pts])
            lo, hi = np.array([outer_band(g.get_group(p)) for p in pts]).reshape(-1, 2).T
            ax.plot(xs, mu, marker="o", markersize=3, label=name)
            ax.fill_between(xs, lo, hi, alpha=BAND_ALPHAS[0])
        ax.set_xlabel(parameter)
        ax.set_title(outcome, fontsize=9)
    axes.flat[0].legend(fontsize=7)
    save(fig, path)


def heatmap_figure(means: pd.DataFrame, exp, a: str, b: str, outcome: str, path: Path) -> None:
    """Mean outcome over two swept parameters, one heat map per rule set."""
    names = exp.rule_names
    fig = Figure(figsize=(4.5 * len(names), 3.8))
    axes = fig.subplots(1, len(names), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        sub = means[means["rules"] == name]
        piv = sub.pivot_table(index=b, columns=a, values=outcome, aggfunc="mean")
        im = ax.imshow(piv.to_numpy(), origin="lower", aspect="auto")
        ax.set_xticks(range(len(piv.columns)), [f"{v:.3g}" for v in piv.columns], fontsize=6)
        ax.set_yticks(range(len(piv.index)), [f"{v:.3g}" for v in piv.index], fontsize=6)
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.set_title(f"{name}: {outcome}", fontsize=8)
        fig.colorbar(im, ax=ax)
    save(fig, path)


def lhs_figure(means: pd.DataFrame, exp, outcome: str, path: Path) -> None:
    """Mean outcome per design point against each sampled parameter."""
    fig = Figure(figsize=(4 * len(exp.swept), 3.2))
    axes = fig.subplots(1, len(exp.swept), squeeze=False)
    for ax, k in zip(axes.flat, exp.swept, strict=False):
        for name in exp.rule_names:
            sub = means[means["rules"] == name]
            ax.scatter([exp.points[p][k] for p in sub["point"]], sub[outcome], s=6, label=name)
        ax.set_xlabel(k)
        ax.set_ylabel(outcome)
    axes.flat[0].legend(fontsize=7)
    save(fig, path)


def crossover_figure(result, percent: bool, path: Path) -> None:
    """The treatment's advantage along the parameter with its CI band, one axes per outcome:
    crossings (dashed) and their CIs (red band); for budget growth, the NHS's range (grey).
    `percent` shows the parameter (a growth rate) in per cent a year."""
    outcomes = list(dict.fromkeys(result.advantages["outcome"]))
    fig, axes = _grid(len(outcomes), 4.6, 3.2)
    scale = 100.0 if percent else 1.0
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        table, cross, _ = result.outcome(outcome)
        x = scale * table["pressure"]
        if result.parameter == "budget_growth":
            lo, hi = NHS_BUDGET_GROWTH
            ax.axvspan(scale * lo, scale * hi, color="grey", alpha=0.12, linewidth=0)
        ax.fill_between(x, table["low"], table["high"], alpha=0.3, linewidth=0)
        ax.plot(x, table["advantage"], marker="o", markersize=3)
        ax.axhline(0, color="grey", linewidth=0.8)
        for r in cross.dropna(subset=["crossing"]).itertuples():
            ax.axvline(scale * r.crossing, color="tab:red", linestyle="--", linewidth=1)
            if not math.isnan(r.low):
                ax.axvspan(scale * r.low, scale * r.high, color="tab:red", alpha=0.1)
        ax.set_xlabel(result.parameter + (" (% a year)" if percent else ""))
        ax.set_title(f"advantage of {result.treatment}: {outcome}", fontsize=8)
    save(fig, path)


def sensitivity_figure(table: pd.DataFrame, exp, path: Path) -> None:
    """Sobol S1 and ST, or Morris mu_star, with their confidence half-widths."""
    names, outcomes = exp.rule_names, list(exp.outcomes)
    fig = Figure(figsize=(3.6 * len(outcomes), 2.8 * len(names)))
    axes = fig.subplots(len(names), len(outcomes), squeeze=False)
    for i, name in enumerate(names):
        for j, outcome in enumerate(outcomes):
            ax = axes[i, j]
            t = table[(table["rules"] == name) & (table["outcome"] == outcome)]
            y = np.arange(len(t))
            if exp.design["kind"] == "sobol":
                ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="S1", capsize=2)
                ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="ST", capsize=2)
            else:
                ax.barh(y, t["mu_star"], 0.6, xerr=t["mu_star_conf"], label="mu*", capsize=2)
            ax.set_yticks(y, t["parameter"], fontsize=7)
            ax.invert_yaxis()
            ax.set_title(f"{name}: {outcome}", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    save(fig, path)
