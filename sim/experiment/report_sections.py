"""The sections of an experiment's report that depend on its design: ablation, sweeps, Latin
hypercube, crossover and sensitivity analysis. Each writes Markdown through `w`, its tables to
`tables/` and its figure to `figures/`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.stats import FAN_BANDS
from sim.analysis.tables import fmt, fmt_level, fmt_p, md_table
from sim.experiment import report_figures as figures
from sim.experiment.report_analysis import compare, crossover_analysis, sensitivity_indices
from sim.experiment.spec import Experiment
from sim.experiment.store import atomic_write_csv


def _interval(lo: float, hi: float) -> str:
    return f"[{fmt(lo)}, {fmt(hi)}]"


def ablation_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """Each principle removed from the ablation's base: change in every outcome."""
    base = exp.ablation_base
    ablated = [n for n in exp.rule_names if n.startswith(f"{base}-") and n != base]
    if not ablated or base not in exp.rule_names:
        return
    w(f"## Ablation: each principle removed from {base}\n")
    w(
        f"Change in each outcome (ablated minus {base}; paired bootstrap CI over replicates). "
        "A large change means the principle carries weight.\n"
    )
    rows = []
    for outcome in exp.outcomes:
        tab = compare(
            frame, outcome, [base, *ablated], base, exp.bootstrap, exp.confidence, exp.seed
        )
        rows += [
            {
                "principle": r.rules[len(base) + 1 :],
                "rules": r.rules,
                "outcome": outcome,
                "change": r.diff,
                "ci_low": r.diff_low,
                "ci_high": r.diff_high,
                "cliffs_delta": r.cliffs_delta,
                "p_value": r.p_value,
            }
            for r in tab.itertuples()
            if r.rules != base
        ]
    abl = pd.DataFrame(rows)
    atomic_write_csv(tables / "ablation.csv", abl)
    header = ["principle removed", "change", f"{fmt_level(exp.confidence)} CI", "Cliff's delta"]
    for outcome in exp.outcomes:
        t = abl[abl["outcome"] == outcome]
        w(f"### {outcome}\n")
        cells = [
            [
                r.principle,
                fmt(r.change),
                _interval(r.ci_low, r.ci_high),
                fmt(r.cliffs_delta),
                fmt_p(r.p_value),
            ]
            for r in t.itertuples()
        ]
        w(md_table([*header, "p"], cells) + "\n")
    figures.ablation_figure(abl, list(exp.outcomes[:4]), len(ablated), figs / "ablation.png")
    w("![ablation](figures/ablation.png)\n")


def sweep_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """Response of the outcomes to the swept parameters: curves for one, a heat map for two."""
    swept = exp.swept
    w("## Response to the swept parameters\n")
    means = frame.groupby(["point", "rules"])[list(exp.outcomes)].mean().reset_index()
    for k in swept:
        means[k] = [exp.points[p][k] for p in means["point"]]
    atomic_write_csv(tables / "sweep_means.csv", means)
    if len(swept) == 1:
        figures.response_figure(frame, exp, swept[0], figs / "response.png")
        lo, hi = FAN_BANDS[0]
        w(f"Mean (line) and {100 * lo:.0f}-{100 * hi:.0f}% of runs (band) against {swept[0]}.\n")
        w("![response](figures/response.png)\n")
    else:
        a, b = swept[:2]
        outcome = exp.outcomes[0]
        figures.heatmap_figure(means, exp, a, b, outcome, figs / "heatmap.png")
        w(f"Mean {outcome} over {a} and {b} (other swept parameters averaged).\n")
        w("![heat map](figures/heatmap.png)\n")
    w("Means per point: `tables/sweep_means.csv`.\n")


def lhs_section(frame, exp: Experiment, figs: Path, w) -> None:
    """Mean of the first outcome per Latin hypercube point against each sampled parameter."""
    outcome = exp.outcomes[0]
    means = frame.groupby(["point", "rules"])[outcome].mean().reset_index()
    figures.lhs_figure(means, exp, outcome, figs / "lhs_scatter.png")
    w("## Latin hypercube responses\n")
    w(f"Mean {outcome} per design point against each sampled parameter.\n")
    w("![scatter](figures/lhs_scatter.png)\n")


def _crossover_text(table: pd.DataFrame, info: dict, exp: Experiment, outcome: str) -> str:
    """The sentence stating where (or whether) the treatment's advantage changes sign."""
    co = exp.crossover
    if not info["crossings"]:
        adv = table["advantage"]
        state = "better" if (adv > 0).all() else "worse" if (adv < 0).all() else "level"
        return (
            f"**No crossover in the swept range** ({co.parameter} from "
            f"{fmt(table[co.parameter].min())} to {fmt(table[co.parameter].max())}): "
            f"{co.treatment} is {state} than {co.reference} on {outcome} throughout.\n"
        )
    c0, more = info["crossings"][0], info["crossings"][1:]
    below = "worse" if table["advantage"].iloc[0] < 0 else "better"
    above = "better" if below == "worse" else "worse"
    return (
        f"**Crossover at {co.parameter} = {fmt(c0)} "
        f"({fmt_level(exp.confidence)} CI {_interval(*info['ci'])}; a crossing was found in "
        f"{info['share_with_crossing']:.0%} of bootstrap resamples).** Below it "
        f"{co.treatment} is {below} than {co.reference} on {outcome}; above it, {above}."
        + (f" Further sign changes at {', '.join(fmt(c) for c in more)}." if more else "")
        + "\n"
    )


def crossover_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """Where the treatment's advantage over the reference changes sign along the parameter."""
    co = exp.crossover
    level = fmt_level(exp.confidence)
    w(f"## Crossover: {co.treatment} versus {co.reference} along {co.parameter}\n")
    w(
        f"Advantage = {co.treatment} minus {co.reference}, signed so that positive means "
        f"{co.treatment} is better (for outcomes where lower is better the sign is flipped). "
        "A crossover is where the mean advantage changes sign (linear interpolation between "
        "grid points); its CI is the percentile interval, over paired bootstrap resamples of the "
        "replicates at every point, of the crossing nearest the observed one.\n"
    )
    results, summary_rows = [], []
    for outcome in co.outcomes:
        table, info = crossover_analysis(frame, exp, outcome)
        results.append((outcome, table, info))
        atomic_write_csv(tables / f"crossover_{outcome}.csv", table)
        w(f"### {outcome}\n")
        w(_crossover_text(table, info, exp, outcome))
        found = info["crossings"]
        summary_rows.append(
            [outcome, fmt(found[0]), _interval(*info["ci"])]
            if found
            else [outcome, "none in range", "n/a"]
        )
        cells = [
            [
                fmt(r[co.parameter]),
                fmt(r[co.treatment]),
                fmt(r[co.reference]),
                fmt(r["advantage"]),
                _interval(r["adv_low"], r["adv_high"]),
            ]
            for r in table.to_dict("records")
        ]
        header = [co.parameter, co.treatment, co.reference, "advantage", f"{level} CI"]
        w(md_table(header, cells) + "\n")
    figures.crossover_figure(results, co, figs / "crossover.png")
    w("### Summary\n")
    w(md_table(["outcome", "crossover", f"{level} CI"], summary_rows) + "\n")
    w("![crossover](figures/crossover.png)\n")


def sensitivity_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """SALib Sobol or Morris indices of every outcome for every rule set."""
    kind = exp.design["kind"]
    w(f"## Sensitivity analysis (SALib {kind})\n")
    if kind == "sobol":
        w(
            "First-order (S1) and total (ST) Sobol indices of the mean outcome over replicates at "
            f"each design point, with {fmt_level(exp.confidence)} confidence half-widths (SALib, "
            "seeded with the experiment's base seed). An outcome that is the same at every point "
            "has no variance to attribute: its indices are n/a.\n"
        )
        if len(exp.swept) == 1:
            w(
                f"With one parameter, {exp.swept[0]}, all of the variance of the mean outcome "
                "(a function of the point alone: common random numbers) is due to it, so "
                "S1 = ST = 1 exactly; they are not estimated.\n"
            )
        header = ["parameter", "S1", "S1 conf", "ST", "ST conf"]
        columns = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        w(
            "Morris elementary effects of the mean outcome over replicates: mu_star (mean "
            f"absolute effect, with {fmt_level(exp.confidence)} confidence half-width) and sigma "
            "(interactions and non-linearity).\n"
        )
        header = ["parameter", "mu_star", "mu_star conf", "sigma"]
        columns = ["mu_star", "mu_star_conf", "sigma"]
    parts = []
    for name in exp.rule_names:
        for outcome in exp.outcomes:
            idx = sensitivity_indices(frame, exp, outcome, name)
            idx.insert(0, "outcome", outcome)
            idx.insert(0, "rules", name)
            parts.append(idx)
    table = pd.concat(parts, ignore_index=True)
    atomic_write_csv(tables / "sensitivity.csv", table)
    for name in exp.rule_names:
        for outcome in exp.outcomes:
            t = table[(table["rules"] == name) & (table["outcome"] == outcome)]
            w(f"### {name}: {outcome}\n")
            cells = [[r["parameter"], *(fmt(r[c]) for c in columns)] for _, r in t.iterrows()]
            w(md_table(header, cells) + "\n")
    figures.sensitivity_figure(table, exp, figs / "sensitivity.png")
    w("![sensitivity](figures/sensitivity.png)\n")
