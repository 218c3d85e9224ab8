"""The report's section "Uncertainty: seeds and parameters", and what the report says without it.

With an `[uncertainty]` section the experiment draws one parameter set per draw from the priors
and runs `seeds_per_draw` replicates at it. The section compares every rule set with the
reference on every outcome (`sim.analysis.uncertainty.compare_uncertain`, at the experiment's
confidence level, bootstrap resamples and base seed): the mean paired difference and its interval
(bootstrap over draws), the central ranges of one replicate's difference over seed noise alone,
over parameter uncertainty alone and over both, the probability that the rule set is better, the
parameters that drive it (rank correlations), a sentence per outcome and a figure. It writes
`tables/uncertainty.csv`, `uncertainty_drivers.csv`, `uncertainty_verdicts.csv` and
`figures/uncertainty.png`. The definitions are in `sim/analysis/uncertainty.py`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.tables import fmt, fmt_level, fmt_p, md_table, text_grid
from sim.analysis.uncertainty import Comparison, compare_uncertain
from sim.analysis.uncertainty_text import percent, verdicts
from sim.experiment.outcomes import LOWER_IS_BETTER, NEITHER, direction
from sim.experiment.report_figures import save
from sim.experiment.store import atomic_write_csv

# The outcomes the figure shows first, when the experiment reports them.
FIGURE_OUTCOMES = ("population_health", "system_deficit")
# Drivers shown per outcome in the report's table (all are in tables/uncertainty_drivers.csv).
TOP_DRIVERS = 3


def uncertainty_of(exp):
    """The experiment's `[uncertainty]` declaration, or None (also before the key exists)."""
    return getattr(exp, "uncertainty", None)


def seeds_only_note(exp) -> str:
    """What the comparison's intervals are over: seeds alone, or seeds and parameters."""
    if uncertainty_of(exp) is None:
        return (
            "These intervals are over seeds alone, at fixed parameter values: they leave out how "
            "uncertain the parameters are. An `[uncertainty]` section in the experiment file "
            "(docs/experiments.md) draws the parameters from their priors and adds the section "
            '"Uncertainty: seeds and parameters".\n'
        )
    return (
        "Every replicate runs at its own parameter draw, so these means are over the priors; "
        'their intervals treat replicates as independent. The section "Uncertainty: seeds and '
        'parameters" separates seed noise from parameter uncertainty, with intervals over draws.\n'
    )


def plan_rows(unc, frame) -> list[list[str]]:
    """The plan's rows for the uncertainty: what was drawn and how often."""
    if unc is None:
        return [["uncertainty", "none: parameters fixed (intervals over seeds alone)"]]
    n_draws = frame["draw"].nunique() if "draw" in frame.columns else "n/a"
    names = ", ".join(unc.names)
    return [["uncertainty", f"{n_draws} draws of {names}; {unc.seeds_per_draw} seeds per draw"]]


def _priors_table(unc) -> str:
    rows = [[p.name, p.describe(), p.source] for p in unc.priors]
    return md_table(["parameter", "prior", "source"], rows)


def _interval(lo: float, hi: float) -> str:
    return "n/a" if np.isnan(lo) else f"[{fmt(lo)}, {fmt(hi)}]"


def _share(p: float, lo: float, hi: float) -> str:
    return "n/a" if np.isnan(p) else f"{100 * p:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"


def _summary_rows(summary) -> list[list[str]]:
    rows = []
    for r in summary.itertuples():
        share = _share(r.p_better_draws, r.p_better_low, r.p_better_high)
        params, runs = (
            "n/a" if np.isnan(v) else f"{100 * v:.1f}%"
            for v in (r.p_better_parameters, r.p_better_runs)
        )
        if r.direction == "neither":
            params, share, runs = (f"higher: {v}" for v in (params, share, runs))
        rows.append(
            [
                f"{r.outcome} ({direction(r.outcome)})",
                fmt(r.mean),
                _interval(r.low, r.high),
                _interval(r.seeds_low, r.seeds_high),
                _interval(r.parameters_low, r.parameters_high),
                _interval(r.both_low, r.both_high),
                params,
                share,
                runs,
            ]
        )
    return rows


def _driver_rows(drivers) -> list[list[str]]:
    rows = []
    for outcome, t in drivers.groupby("outcome", sort=False):
        cells = [
            f"{r.parameter} {r.rho:+.2f}" + ("" if r.significant else " (n.s.)")
            for r in t.head(TOP_DRIVERS).itertuples()
            if not np.isnan(r.rho)
        ]
        cells += [""] * (TOP_DRIVERS - len(cells))
        best = t.iloc[0]
        rows.append([outcome, *cells, fmt_p(best["p_value"]), fmt(best["prcc"])])
    return rows


def _intro(comp: Comparison, unc, level: str) -> str:
    s = comp.summary.iloc[0]
    seeds = int(s.seeds_per_draw)
    head = (
        f"{int(s.n_draws):,} parameter draws from the priors below, {seeds} seed"
        f"{'s' if seeds != 1 else ''} (replicates) each: replicate j uses draw j // "
        f"{unc.seeds_per_draw}, and within a replicate every rule set shares the draw and the "
        "random numbers, so the differences are paired. For each rule set against "
        f"{comp.reference}: the mean difference and its {level} interval (bootstrap over draws); "
        f"the central {level} of one replicate's difference over seed noise alone (the spread "
        "within draws), over parameter uncertainty alone (the spread of the draws' means with "
        "their seed noise taken out: a variance decomposition) and over both (all runs); and "
        "P(better): the share of draws whose mean is better once seed noise is taken out (the "
        "probability of being better on average at a parameter set drawn from the priors), the "
        f"share of the draws' means as run, with its {level} Wilson interval, and the share of "
        "single runs. Drivers: Spearman rank correlation over draws of each parameter "
        "with the draw's mean advantage (positive: the advantage grows with the parameter), "
        f"ranked; n.s. = not significant at {level} after a Bonferroni correction over the "
        "parameters; PRCC = partial rank correlation. Definitions: `sim/analysis/uncertainty.py`; "
        "tables: `tables/uncertainty*.csv`.\n"
    )
    if seeds < 2:
        head += (
            "With one seed per draw, seed noise cannot be separated from parameter uncertainty: "
            "the seed column and P(better) over parameters are n/a, and the parameter column "
            "holds both.\n"
        )
    return head


def uncertainty_section(frame, exp, figs: Path, tables: Path, w) -> None:
    """The section "Uncertainty: seeds and parameters" (single-point designs); nothing when the
    experiment has no `[uncertainty]` section."""
    unc = uncertainty_of(exp)
    if unc is None:
        return
    level = fmt_level(exp.confidence)
    w("## Uncertainty: seeds and parameters\n")
    if len(exp.points) != 1:
        w(
            "Shown for single-point designs; for a design point p, "
            "`sim.analysis.uncertainty.compare_uncertain(..., point=p)` gives the same tables.\n"
        )
        return
    comp = compare_uncertain(
        frame,
        list(exp.outcomes),
        list(exp.rule_names),
        exp.reference,
        lower_is_better=LOWER_IS_BETTER,
        neutral=set(NEITHER),
        parameters=tuple(unc.names),
        level=exp.confidence,
        resamples=exp.bootstrap,
        seed=exp.seed,
    )
    if comp.summary.empty:
        w("No rule set to compare with the reference.\n")
        return
    words = verdicts(comp)
    atomic_write_csv(tables / "uncertainty.csv", comp.summary)
    atomic_write_csv(tables / "uncertainty_drivers.csv", comp.drivers)
    atomic_write_csv(tables / "uncertainty_verdicts.csv", words)
    w(_intro(comp, unc, level))
    if getattr(unc, "priors", None):
        w(_priors_table(unc) + "\n")
    uncertainty_figure(comp, list(exp.outcomes), figs / "uncertainty.png")
    w("![uncertainty](figures/uncertainty.png)\n")
    header = ["outcome", "mean diff", f"{level} CI", f"central {level}: seeds", "parameters"]
    header += ["both", "P(better): parameters", "draws as run", "runs"]
    driver_header = ["outcome", *(f"driver {i + 1} (rho)" for i in range(TOP_DRIVERS))]
    driver_header += ["p (driver 1)", "PRCC (driver 1)"]
    for name in comp.summary["rules"].unique():
        w(f"### {name} against {comp.reference}\n")
        for text in words[words["rules"] == name]["verdict"]:
            w(f"- {text}")
        w("")
        w(md_table(header, _summary_rows(comp.summary[comp.summary["rules"] == name])) + "\n")
        w(f"What drives the verdict ({name}):\n")
        w(md_table(driver_header, _driver_rows(comp.drivers[comp.drivers["rules"] == name])))
        w("")


def _figure_outcomes(outcomes: list[str]) -> list[str]:
    chosen = [o for o in FIGURE_OUTCOMES if o in outcomes]
    return chosen or outcomes[:2]


def uncertainty_figure(comp: Comparison, outcomes: list[str], path: Path) -> None:
    """Histograms of the draws' mean advantage (one axes per outcome, one colour per rule set)
    and a tornado of the first outcome's rank correlations."""
    shown = _figure_outcomes(outcomes)
    fig = Figure(figsize=(5 * (len(shown) + 1), 3.6))
    axes = fig.subplots(1, len(shown) + 1, squeeze=False)[0]
    rules = list(comp.summary["rules"].unique())
    for ax, outcome in zip(axes, shown, strict=False):
        at = comp.draws[comp.draws["outcome"] == outcome]
        bins = np.histogram_bin_edges(at["advantage"], bins=40)
        for name in rules:
            values = at[at["rules"] == name]["advantage"]
            ax.hist(values, bins=bins, histtype="step", linewidth=1.4, label=name)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_title(f"{outcome}: advantage over {comp.reference}", fontsize=9)
        ax.set_xlabel("mean advantage of a draw (positive: better)")
        ax.set_ylabel("draws")
    axes[0].legend(fontsize=7)
    ax = axes[-1]
    drv = comp.drivers[comp.drivers["outcome"] == shown[0]]
    strength = drv.assign(size=drv["rho"].abs()).groupby("parameter")["size"].max()
    params = list(strength.sort_values(kind="stable").index)  # the strongest at the top
    y = np.arange(len(params))
    height = 0.8 / max(1, len(rules))
    for i, name in enumerate(rules):
        t = drv[drv["rules"] == name].set_index("parameter").reindex(params)
        ax.barh(y + (i - (len(rules) - 1) / 2) * height, t["rho"], height, label=name)
    ax.set_yticks(y)
    ax.set_yticklabels(params, fontsize=7)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlim(-1, 1)
    ax.set_title(f"{shown[0]}: Spearman rho of the advantage", fontsize=9)
    save(fig, path)


def print_uncertainty(folder: Path, outcomes) -> None:
    """Print, from `tables/uncertainty.csv`, the probability that each rule set is better than
    the reference on each of `outcomes` (nothing when the report has no uncertainty section)."""
    from sim.experiment.results import outcome_table

    found = outcome_table(folder, "uncertainty.csv", outcomes)
    if found is None:
        return
    table, shown = found
    separable = bool(table["separable"].all())
    column = "p_better_parameters" if separable else "p_better_draws"
    cells = {
        (r.rules, r.outcome): "n/a" if np.isnan(getattr(r, column)) else percent(getattr(r, column))
        for r in table.itertuples()
    }
    rules = list(dict.fromkeys(table["rules"]))
    how = "seed noise taken out" if separable else "one seed each"
    print(f"P(better than the reference) over parameter draws ({how}; report.md for more):")
    print(text_grid(rules, shown, cells))
    print()
