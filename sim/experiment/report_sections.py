"""The sections of an experiment's report that depend on its design: ablation, sweeps, Latin
hypercube, crossover and sensitivity analysis. Each writes Markdown through `w`, its tables to
`tables/` and its figure to `figures/`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.crossover_text import in_words
from sim.analysis.stats import FAN_BANDS
from sim.analysis.tables import fmt, fmt_level, fmt_p, md_table
from sim.experiment import report_figures as figures
from sim.experiment.report_analysis import compare, crossover_result, sensitivity_indices
from sim.experiment.spec import LOWER_IS_BETTER, Experiment
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


# Parameters that are growth rates a year: the crossover shows their values as percentages.
_GROWTH = {"budget_growth", "need_growth", "ageing"}


def _shower(parameter: str):
    """How the crossover shows a value of its parameter: '2.5%' for a growth rate (a year)."""
    if parameter in _GROWTH:
        return lambda x: f"{100 * x:.3g}%"
    return fmt


def _slope_text(slopes: pd.DataFrame, parameter: str, show, level: str) -> str:
    """The slopes of one outcome's advantage, per percentage point for a growth rate."""
    per, scale = ("percentage point", 0.01) if parameter in _GROWTH else ("unit", 1.0)
    parts = [
        f"{r.range} ({show(r.start)} to {show(r.end)}): {fmt(scale * r.slope)} "
        f"[{fmt(scale * r.low)}, {fmt(scale * r.high)}]"
        for r in slopes.itertuples()
        if r.n_points >= 2
    ]
    return f"Slope of the advantage per {per} of {parameter} ({level} CI): " + "; ".join(parts)


def _crossing_cell(cross: pd.DataFrame, show) -> tuple[str, str]:
    """Firm crossings with their CIs (and how many sign changes lie within noise); the share of
    resamples with a crossing."""
    found = cross.dropna(subset=["crossing"])
    firm = found[found["firm"].astype(bool)]
    cells = [f"{show(r.crossing)} [{show(r.low)}, {show(r.high)}]" for r in firm.itertuples()]
    if len(found) > len(firm):
        cells.append(f"{len(found) - len(firm)} sign change(s) within noise")
    share = f"{cross['share_with_crossing'].iloc[0]:.0%}"
    return "; ".join(cells) or "none in the range", share


def _crossover_intro(co, level: str) -> str:
    """What the crossover section measures, and how."""
    unit = f"{co.parameter} is shown in per cent a year. " if co.parameter in _GROWTH else ""
    return (
        f"Advantage = {co.treatment} minus {co.reference}, paired replicate by replicate (common "
        f"random numbers) and signed so that positive means {co.treatment} is better (for "
        f"outcomes where lower is better the sign is flipped), with {level} paired bootstrap "
        f"CIs. Verdict: better or worse when the CI excludes 0, else no different. A crossover is "
        "where the mean advantage changes sign (linear interpolation between grid values), firm "
        "when the nearest verdicts on its two sides are opposite (else within noise); its CI is "
        "the percentile interval, over joint bootstrap resamples of the replicates (each drawn at "
        "every value at once), of the crossing nearest the observed one, with the share of "
        "resamples that cross anywhere. The slope is the least-squares slope of the mean "
        f"advantage on the parameter, with its CI over the same resamples. {unit}Procedure: "
        "`sim/analysis/crossover.py`; tables: `tables/crossover_*.csv`.\n"
    )


def _crossover_outcome(result, outcome: str, co, level: str, w) -> None:
    """One outcome: the finding in words, the advantage at each value, the slopes."""
    show = _shower(co.parameter)
    table, _, slopes = result.outcome(outcome)
    better = "lower is better" if outcome in LOWER_IS_BETTER else "higher is better"
    w(f"### {outcome} ({better})\n")
    w(in_words(result, outcome, show, co.parameter.replace("_", " ")) + "\n")
    cells = [
        [
            show(r.pressure),
            fmt(r.treatment_mean),
            fmt(r.reference_mean),
            fmt(r.advantage),
            _interval(r.low, r.high),
            r.verdict,
        ]
        for r in table.itertuples()
    ]
    unit = " (% a year)" if co.parameter in _GROWTH else ""
    header = [co.parameter + unit, co.treatment, co.reference, "advantage", f"{level} CI"]
    w(md_table([*header, "verdict"], cells) + "\n")
    w(_slope_text(slopes, co.parameter, show, level) + ".\n")


def crossover_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """The treatment's advantage over the reference along the parameter: where it pays, where it
    changes sign and how it moves (`sim.analysis.crossover`)."""
    co = exp.crossover
    level = fmt_level(exp.confidence)
    result = crossover_result(frame, exp)
    for name in ("advantages", "crossings", "slopes"):
        atomic_write_csv(tables / f"crossover_{name}.csv", getattr(result, name))
    w(f"## Crossover: {co.treatment} versus {co.reference} along {co.parameter}\n")
    w(_crossover_intro(co, level))
    scale = 0.01 if co.parameter in _GROWTH else 1.0
    summary = []
    for outcome in co.outcomes:
        _, cross, slopes = result.outcome(outcome)
        where, share = _crossing_cell(cross, _shower(co.parameter))
        whole = slopes.iloc[0]
        slope = f"{fmt(scale * whole.slope)} [{fmt(scale * whole.low)}, {fmt(scale * whole.high)}]"
        summary.append([outcome, where, share, slope])
    per = "per percentage point" if co.parameter in _GROWTH else "per unit"
    header = ["outcome", f"crossover [{level} CI]", "resamples with a crossing"]
    w("### Summary\n")
    w(md_table([*header, f"slope {per}, whole range [{level} CI]"], summary) + "\n")
    figures.crossover_figure(result, co.parameter in _GROWTH, figs / "crossover.png")
    w("![crossover](figures/crossover.png)\n")
    for outcome in co.outcomes:
        _crossover_outcome(result, outcome, co, level, w)


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
