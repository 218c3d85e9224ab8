"""The report of a results folder: statistics, figures (PNG) and report.md.

Every number in report.md is recomputable from the Parquet files with the functions below (and the
procedure is written into the report):

- mean: the arithmetic mean over runs of the rule set (and point);
- confidence interval of a mean: percentile bootstrap, `bootstrap` resamples (experiment file,
  default 2000) of the runs with replacement, generator `numpy.random.default_rng([seed, tag])`
  where seed is the experiment's base seed and tag = zlib.crc32 of "mean|OUTCOME|RULES|POINT";
- difference vs the reference rule set: mean(rule set) - mean(reference), CI by a paired bootstrap
  over replicates (common random numbers: replicate j of both used run key j), tag
  "diff|OUTCOME|RULES|POINT";
- Cliff's delta: P(X > Y) - P(X < Y) for X a run of the rule set and Y a run of the reference,
  = 2U/(n1 n2) - 1 with U the Mann-Whitney statistic of X; p value: two-sided Mann-Whitney U
  (`scipy.stats.mannwhitneyu`, method "auto"); p = 1 when both samples are one identical constant.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.results import load_results
from sim.experiment.runner import atomic_write_bytes
from sim.experiment.spec import LOWER_IS_BETTER, Experiment, parse_experiment, salib_problem

FAN_BANDS = ((0.10, 0.90), (0.25, 0.75))


# ---------------------------------------------------------------------- statistics
def _rng(seed: int, tag: str) -> np.random.Generator:
    return np.random.default_rng([int(seed) % 2**63, zlib.crc32(tag.encode("utf-8"))])


def bootstrap_mean_ci(
    x: np.ndarray, resamples: int, confidence: float, seed: int, tag: str
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of x (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan)
    idx = _rng(seed, tag).integers(0, n, size=(resamples, n))
    means = x[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def bootstrap_paired_diff_ci(
    x: np.ndarray, y: np.ndarray, resamples: int, confidence: float, seed: int, tag: str
) -> tuple[float, float]:
    """Percentile bootstrap CI of mean(x) - mean(y), resampling the pairs (x_j, y_j)."""
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    return bootstrap_mean_ci(d, resamples, confidence, seed, tag)


def cliffs_delta_and_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cliff's delta of x against y and the two-sided Mann-Whitney U p value."""
    from scipy.stats import mannwhitneyu

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan
    if np.all(x == x[0]) and np.all(y == y[0]) and x[0] == y[0]:
        return 0.0, 1.0
    res = mannwhitneyu(x, y, alternative="two-sided")
    delta = 2.0 * float(res.statistic) / (len(x) * len(y)) - 1.0
    return delta, float(res.pvalue)


def compare(
    frame: pd.DataFrame,
    outcome: str,
    rules: list[str],
    reference: str,
    resamples: int,
    confidence: float,
    seed: int,
    point: int = 0,
) -> pd.DataFrame:
    """The comparison table of one outcome at one point: one row per rule set."""
    at = frame[frame["point"] == point]
    ref = at[at["rules"] == reference].sort_values("replicate")[outcome].to_numpy()
    rows = []
    for name in rules:
        x = at[at["rules"] == name].sort_values("replicate")[outcome].to_numpy()
        lo, hi = bootstrap_mean_ci(x, resamples, confidence, seed, f"mean|{outcome}|{name}|{point}")
        row = {
            "rules": name,
            "n": len(x),
            "mean": float(x.mean()) if len(x) else math.nan,
            "ci_low": lo,
            "ci_high": hi,
        }
        if name == reference:
            row.update(diff=0.0, diff_low=0.0, diff_high=0.0, cliffs_delta=0.0, p_value=1.0)
        else:
            dlo, dhi = bootstrap_paired_diff_ci(
                x, ref, resamples, confidence, seed, f"diff|{outcome}|{name}|{point}"
            )
            delta, p = cliffs_delta_and_p(x, ref)
            row.update(
                diff=float(x.mean() - ref.mean()),
                diff_low=dlo,
                diff_high=dhi,
                cliffs_delta=delta,
                p_value=p,
            )
        rows.append(row)
    return pd.DataFrame(rows)


def find_crossings(xs: np.ndarray, adv: np.ndarray) -> list[float]:
    """Parameter values where the advantage curve changes sign (linear interpolation)."""
    out = []
    for i in range(len(xs) - 1):
        a, b = adv[i], adv[i + 1]
        if a == 0.0 and (i == 0 or np.sign(adv[i - 1]) != 0):
            if i > 0 and np.sign(adv[i - 1]) != np.sign(b) and b != 0:
                out.append(float(xs[i]))
            continue
        if a * b < 0:
            out.append(float(xs[i] + (xs[i + 1] - xs[i]) * a / (a - b)))
    return out


def crossover_analysis(
    frame: pd.DataFrame, exp: Experiment, outcome: str
) -> tuple[pd.DataFrame, dict]:
    """Advantage of the treatment over the reference at each point and where it changes sign."""
    co = exp.crossover
    sign = -1.0 if outcome in LOWER_IS_BETTER else 1.0
    points = sorted(frame["point"].unique(), key=lambda p: exp.points[p][co.parameter])
    xs = np.array([exp.points[p][co.parameter] for p in points], dtype=float)
    treat, ref = [], []
    for p in points:
        at = frame[frame["point"] == p]
        treat.append(at[at["rules"] == co.treatment].sort_values("replicate")[outcome].to_numpy())
        ref.append(at[at["rules"] == co.reference].sort_values("replicate")[outcome].to_numpy())
    adv = np.array([sign * (t.mean() - r.mean()) for t, r in zip(treat, ref, strict=True)])
    rows = []
    for p, x, t, r, a in zip(points, xs, treat, ref, adv, strict=True):
        lo, hi = bootstrap_paired_diff_ci(
            sign * t, sign * r, exp.bootstrap, exp.confidence, exp.seed, f"adv|{outcome}|{p}"
        )
        rows.append(
            {
                "point": int(p),
                co.parameter: x,
                f"{co.treatment}": float(t.mean()),
                f"{co.reference}": float(r.mean()),
                "advantage": float(a),
                "adv_low": lo,
                "adv_high": hi,
            }
        )
    table = pd.DataFrame(rows)
    crossings = find_crossings(xs, adv)
    info: dict = {"outcome": outcome, "crossings": crossings, "sign": sign}
    if crossings:
        # Paired bootstrap over replicates at every point; nearest crossing to the observed one.
        rng = _rng(exp.seed, f"crossover|{outcome}")
        first = crossings[0]
        found = []
        n_rep = min(len(t) for t in treat)
        for _ in range(exp.bootstrap):
            idx = rng.integers(0, n_rep, size=n_rep)
            b_adv = np.array(
                [sign * (t[idx].mean() - r[idx].mean()) for t, r in zip(treat, ref, strict=True)]
            )
            cs = find_crossings(xs, b_adv)
            if cs:
                found.append(min(cs, key=lambda c: abs(c - first)))
        alpha = (1 - exp.confidence) / 2
        info["share_with_crossing"] = len(found) / exp.bootstrap
        if found:
            lo, hi = np.quantile(found, [alpha, 1 - alpha])
            info["ci"] = (float(lo), float(hi))
        else:
            info["ci"] = (math.nan, math.nan)
    return table, info


def sensitivity_indices(frame: pd.DataFrame, exp: Experiment, outcome: str, rules: str):
    """SALib Sobol (S1, ST with confidence) or Morris (mu_star, sigma) indices of the mean outcome
    over replicates at each design point, for one rule set."""
    problem = salib_problem(exp.design)
    at = frame[frame["rules"] == rules]
    y = at.groupby("point")[outcome].mean().reindex(range(len(exp.points))).to_numpy()
    kind = exp.design["kind"]
    if kind == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=exp.design.get("second_order", False),
            conf_level=exp.confidence,
            seed=exp.seed % 2**32,
        )
        return pd.DataFrame(
            {
                "parameter": problem["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
    from SALib.analyze import morris

    x = np.array([[pt[k] for k in problem["names"]] for pt in exp.points], dtype=float)
    res = morris.analyze(
        problem,
        x,
        y,
        conf_level=exp.confidence,
        num_levels=exp.design.get("levels", 4),
        seed=exp.seed % 2**32,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )


# ---------------------------------------------------------------------- formatting
def fmt(v: float) -> str:
    """Numbers in report.md: 6 significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{v:.6g}"


def fmt_p(p: float) -> str:
    if p is None or math.isnan(p):
        return "n/a"
    return f"{p:.3g}" if p >= 1e-300 else "<1e-300"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------- figures
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    _plt().close(fig)


def fan_chart(series: pd.DataFrame, measures, rules: list[str], path: Path) -> None:
    plt = _plt()
    n = len(measures)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.3 * rows), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes.flat, measures, strict=False):
        for i, name in enumerate(rules):
            sub = series[series["rules"] == name]
            if sub.empty:
                continue
            q = sub.groupby("month")[m].quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
            c = colours[i % len(colours)]
            ax.fill_between(q.index, q[0.1], q[0.9], color=c, alpha=0.15, linewidth=0)
            ax.fill_between(q.index, q[0.25], q[0.75], color=c, alpha=0.3, linewidth=0)
            ax.plot(q.index, q[0.5], color=c, label=name, linewidth=1.5)
        ax.set_title(m)
        ax.set_xlabel("month")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    _save(fig, path)


# ---------------------------------------------------------------------- the report
def build_report(folder: str | Path, quiet: bool = True) -> Path:
    """Write report.md, figures/*.png and tables/*.csv from a complete results folder."""
    folder = Path(folder)
    res = load_results(folder)
    if not res.complete:
        raise RuntimeError(
            f"{folder}: the run is not complete ({len(res.manifest.get('chunks_complete', []))} of "
            f"{res.manifest['plan']['n_chunks']} chunks); run `commons run` again to resume"
        )
    m = res.manifest
    exp = parse_experiment(
        m["experiment"]["content"],
        where=m["experiment"]["path"],
        replicates=m["overrides"].get("replicates"),
        chunk_size=m["overrides"].get("chunk_size"),
    )
    frame = res.summaries
    figs = folder / "figures"
    tables = folder / "tables"
    figs.mkdir(exist_ok=True)
    tables.mkdir(exist_ok=True)
    rules = exp.rule_names
    out: list[str] = []
    w = out.append
    w(f"# {exp.name}\n")
    if exp.description:
        w(exp.description.strip() + "\n")
    w("## Plan\n")
    w(
        _md_table(
            ["item", "value"],
            [
                ["experiment file", f"`{m['experiment']['path']}` (sha256 `{exp.sha256[:16]}`)"],
                ["scenario", exp.scenario],
                ["rule sets", ", ".join(rules)],
                ["reference", exp.reference],
                [
                    "design",
                    f"{exp.design['kind']} ({len(exp.points)} point{'s' if len(exp.points) != 1 else ''})",
                ],
                ["swept parameters", ", ".join(exp.swept) or "none"],
                ["replicates", str(exp.replicates)],
                ["months", str(exp.months)],
                ["runs", str(len(frame))],
                ["base seed", f"{exp.seed} (replicate j uses run key j)"],
                ["model hash", str(m.get("model_hash"))],
                ["started / finished", f"{m.get('started')} / {m.get('finished')}"],
                [
                    "versions",
                    ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()),
                ],
            ],
        )
        + "\n"
    )
    w(
        "Statistics: means over runs; "
        f"{exp.confidence:.0%} percentile bootstrap confidence intervals ({exp.bootstrap} "
        "resamples, `numpy.random.default_rng([base seed, crc32(tag)])`, tags as in "
        "`sim/report.py`); differences against the reference with a paired bootstrap over "
        "replicates (common random numbers); effect size Cliff's delta (-1..1: share of pairs "
        "where the rule set is higher minus share where it is lower); p: two-sided Mann-Whitney "
        "U test. Full-precision tables are in `tables/`.\n"
    )

    # --- comparison tables (single-point designs)
    if len(exp.points) == 1:
        w("## Comparison of rule sets\n")
        all_rows = []
        for outcome in exp.outcomes:
            tab = compare(
                frame, outcome, rules, exp.reference, exp.bootstrap, exp.confidence, exp.seed
            )
            tab.insert(0, "outcome", outcome)
            all_rows.append(tab)
            better = "lower is better" if outcome in LOWER_IS_BETTER else "higher is better"
            w(f"### {outcome} ({better})\n")
            rows = [
                [
                    r.rules,
                    str(r.n),
                    fmt(r.mean),
                    f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                    fmt(r.diff),
                    f"[{fmt(r.diff_low)}, {fmt(r.diff_high)}]",
                    fmt(r.cliffs_delta),
                    fmt_p(r.p_value),
                ]
                for r in tab.itertuples()
            ]
            w(
                _md_table(
                    [
                        "rule set",
                        "n",
                        "mean",
                        f"{exp.confidence:.0%} CI",
                        f"diff vs {exp.reference}",
                        "diff CI",
                        "Cliff's delta",
                        "Mann-Whitney p",
                    ],
                    rows,
                )
                + "\n"
            )
        comp = pd.concat(all_rows, ignore_index=True)
        comp.to_csv(tables / "comparison.csv", index=False)
        _comparison_figure(comp, exp, figs / "comparison.png")
        w("![comparison](figures/comparison.png)\n")

    # --- fan charts
    if res.series is not None and len(res.series):
        fan = [mm for mm in exp.fan_measures if mm in res.series.columns]
        by_point = res.series["point"].unique()
        w("## Time series (fan charts)\n")
        w(
            "Median (line), 25-75% (dark band) and 10-90% (light band) over the runs that kept "
            f"series ({res.series['run_id'].nunique()} runs"
            + (f", first {exp.series_replicates} replicates" if exp.series_replicates else "")
            + ").\n"
        )
        for p in sorted(by_point)[:6]:
            name = f"fan_point{p}.png" if len(by_point) > 1 else "fan.png"
            fan_chart(res.series[res.series["point"] == p], fan, rules, figs / name)
            label = f"point {p}" if len(by_point) > 1 else "fan chart"
            w(f"![{label}](figures/{name})\n")

    # --- ablation
    if exp.ablation_base and len(exp.points) == 1:
        _ablation_section(frame, exp, figs, tables, w)

    # --- sweeps
    if exp.design["kind"] == "grid":
        _sweep_section(frame, exp, figs, tables, w)
    if exp.design["kind"] == "lhs":
        _lhs_section(frame, exp, figs, w)
    if exp.crossover is not None:
        _crossover_section(frame, exp, figs, tables, w)
    if exp.design["kind"] in ("sobol", "morris"):
        _sensitivity_section(frame, exp, figs, tables, w)

    text = "\n".join(out)
    atomic_write_bytes(folder / "report.md", text.encode("utf-8"))
    if not quiet:
        print(f"report: {folder / 'report.md'}")
    return folder / "report.md"


def _comparison_figure(comp: pd.DataFrame, exp: Experiment, path: Path) -> None:
    plt = _plt()
    outcomes = list(dict.fromkeys(comp["outcome"]))
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(5 * cols, 0.5 + 0.35 * len(exp.rules) * rows + 1.2 * rows),
        squeeze=False,
    )
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        t = comp[comp["outcome"] == outcome]
        y = np.arange(len(t))
        ax.errorbar(
            t["mean"],
            y,
            xerr=[t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]],
            fmt="o",
            capsize=3,
        )
        ax.set_yticks(y, t["rules"], fontsize=7)
        ax.set_title(outcome, fontsize=9)
        ax.invert_yaxis()
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    _save(fig, path)


def _ablation_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    base = exp.ablation_base
    ablated = [n for n in exp.rule_names if n.startswith(f"{base}-") and n != base]
    if not ablated or base not in exp.rule_names:
        return
    key = list(exp.outcomes[:4])
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
        for r in tab.itertuples():
            if r.rules == base:
                continue
            rows.append(
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
            )
    abl = pd.DataFrame(rows)
    abl.to_csv(tables / "ablation.csv", index=False)
    for outcome in exp.outcomes:
        t = abl[abl["outcome"] == outcome]
        w(f"### {outcome}\n")
        w(
            _md_table(
                ["principle removed", "change", f"{exp.confidence:.0%} CI", "Cliff's delta", "p"],
                [
                    [
                        r.principle,
                        fmt(r.change),
                        f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                        fmt(r.cliffs_delta),
                        fmt_p(r.p_value),
                    ]
                    for r in t.itertuples()
                ],
            )
            + "\n"
        )
    plt = _plt()
    fig, axes = plt.subplots(
        1, len(key), figsize=(4 * len(key), 0.8 + 0.3 * len(ablated)), squeeze=False
    )
    for ax, outcome in zip(axes.flat, key, strict=False):
        t = abl[abl["outcome"] == outcome]
        y = np.arange(len(t))
        ax.barh(y, t["change"], color=["tab:red" if v < 0 else "tab:blue" for v in t["change"]])
        ax.errorbar(
            t["change"],
            y,
            xerr=[t["change"] - t["ci_low"], t["ci_high"] - t["change"]],
            fmt="none",
            ecolor="black",
            capsize=2,
        )
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, t["principle"], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(f"change in {outcome}", fontsize=9)
    _save(fig, figs / "ablation.png")
    w("![ablation](figures/ablation.png)\n")


def _sweep_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    swept = exp.swept
    w("## Response to the swept parameters\n")
    means = frame.groupby(["point", "rules"])[list(exp.outcomes)].mean().reset_index()
    for k in swept:
        means[k] = [exp.points[p][k] for p in means["point"]]
    means.to_csv(tables / "sweep_means.csv", index=False)
    plt = _plt()
    if len(swept) == 1:
        k = swept[0]
        n = len(exp.outcomes)
        cols = min(3, n)
        rows = math.ceil(n / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.2 * rows), squeeze=False)
        for ax, outcome in zip(axes.flat, exp.outcomes, strict=False):
            for name in exp.rule_names:
                sub = frame[frame["rules"] == name]
                g = sub.groupby("point")[outcome]
                pts = sorted(g.groups, key=lambda p: exp.points[p][k])
                xs = [exp.points[p][k] for p in pts]
                mu = np.array([g.get_group(p).mean() for p in pts])
                lo = np.array([g.get_group(p).quantile(0.1) for p in pts])
                hi = np.array([g.get_group(p).quantile(0.9) for p in pts])
                ax.plot(xs, mu, marker="o", markersize=3, label=name)
                ax.fill_between(xs, lo, hi, alpha=0.15)
            ax.set_xlabel(k)
            ax.set_title(outcome, fontsize=9)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7)
        _save(fig, figs / "response.png")
        w(f"Mean (line) and 10-90% of runs (band) against {k}.\n")
        w("![response](figures/response.png)\n")
    else:
        a, b = swept[:2]
        outcome = exp.outcomes[0]
        fig, axes = plt.subplots(
            1, len(exp.rule_names), figsize=(4.5 * len(exp.rule_names), 3.8), squeeze=False
        )
        for ax, name in zip(axes.flat, exp.rule_names, strict=False):
            sub = means[means["rules"] == name]
            piv = sub.pivot_table(index=b, columns=a, values=outcome, aggfunc="mean")
            im = ax.imshow(piv.to_numpy(), origin="lower", aspect="auto")
            ax.set_xticks(range(len(piv.columns)), [f"{v:.3g}" for v in piv.columns], fontsize=6)
            ax.set_yticks(range(len(piv.index)), [f"{v:.3g}" for v in piv.index], fontsize=6)
            ax.set_xlabel(a)
            ax.set_ylabel(b)
            ax.set_title(f"{name}: {outcome}", fontsize=8)
            fig.colorbar(im, ax=ax)
        _save(fig, figs / "heatmap.png")
        w(f"Mean {outcome} over {a} and {b} (other swept parameters averaged).\n")
        w("![heat map](figures/heatmap.png)\n")
    w("Means per point: `tables/sweep_means.csv`.\n")


def _lhs_section(frame, exp: Experiment, figs: Path, w) -> None:
    plt = _plt()
    outcome = exp.outcomes[0]
    swept = exp.swept
    fig, axes = plt.subplots(1, len(swept), figsize=(4 * len(swept), 3.2), squeeze=False)
    means = frame.groupby(["point", "rules"])[outcome].mean().reset_index()
    for ax, k in zip(axes.flat, swept, strict=False):
        for name in exp.rule_names:
            sub = means[means["rules"] == name]
            ax.scatter([exp.points[p][k] for p in sub["point"]], sub[outcome], s=6, label=name)
        ax.set_xlabel(k)
        ax.set_ylabel(outcome)
    axes.flat[0].legend(fontsize=7)
    _save(fig, figs / "lhs_scatter.png")
    w("## Latin hypercube responses\n")
    w(f"Mean {outcome} per design point against each sampled parameter.\n")
    w("![scatter](figures/lhs_scatter.png)\n")


def _crossover_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    co = exp.crossover
    w(f"## Crossover: {co.treatment} versus {co.reference} along {co.parameter}\n")
    w(
        f"Advantage = {co.treatment} minus {co.reference}, signed so that positive means "
        f"{co.treatment} is better (for outcomes where lower is better the sign is flipped). "
        "A crossover is where the mean advantage changes sign (linear interpolation between "
        "grid points); its CI is the percentile interval, over paired bootstrap resamples of the "
        "replicates at every point, of the crossing nearest the observed one.\n"
    )
    plt = _plt()
    fig, axes = plt.subplots(
        1, len(co.outcomes), figsize=(5 * len(co.outcomes), 3.4), squeeze=False
    )
    summary_rows = []
    for ax, outcome in zip(axes.flat, co.outcomes, strict=False):
        table, info = crossover_analysis(frame, exp, outcome)
        table.to_csv(tables / f"crossover_{outcome}.csv", index=False)
        w(f"### {outcome}\n")
        if info["crossings"]:
            c0 = info["crossings"][0]
            lo, hi = info["ci"]
            below = "worse" if table["advantage"].iloc[0] < 0 else "better"
            above = "better" if below == "worse" else "worse"
            more = info["crossings"][1:]
            w(
                f"**Crossover at {co.parameter} = {fmt(c0)} "
                f"({exp.confidence:.0%} CI [{fmt(lo)}, {fmt(hi)}]; a crossing was found in "
                f"{info['share_with_crossing']:.0%} of bootstrap resamples).** Below it "
                f"{co.treatment} is {below} than {co.reference} on {outcome}; above it, {above}."
                + (f" Further sign changes at {', '.join(fmt(c) for c in more)}." if more else "")
                + "\n"
            )
            summary_rows.append([outcome, fmt(c0), f"[{fmt(lo)}, {fmt(hi)}]"])
        else:
            adv = table["advantage"]
            state = "better" if (adv > 0).all() else "worse" if (adv < 0).all() else "level"
            w(
                f"**No crossover in the swept range** ({co.parameter} from "
                f"{fmt(table[co.parameter].min())} to {fmt(table[co.parameter].max())}): "
                f"{co.treatment} is {state} than {co.reference} on {outcome} throughout.\n"
            )
            summary_rows.append([outcome, "none in range", "n/a"])
        w(
            _md_table(
                [co.parameter, co.treatment, co.reference, "advantage", f"{exp.confidence:.0%} CI"],
                [
                    [
                        fmt(r[co.parameter]),
                        fmt(r[co.treatment]),
                        fmt(r[co.reference]),
                        fmt(r["advantage"]),
                        f"[{fmt(r['adv_low'])}, {fmt(r['adv_high'])}]",
                    ]
                    for r in table.to_dict("records")
                ],
            )
            + "\n"
        )
        ax.plot(table[co.parameter], table["advantage"], marker="o", markersize=3)
        ax.fill_between(table[co.parameter], table["adv_low"], table["adv_high"], alpha=0.25)
        ax.axhline(0, color="grey", linewidth=0.8)
        for c in info["crossings"]:
            ax.axvline(c, color="tab:red", linestyle="--", linewidth=1)
        if info.get("ci") and info["crossings"] and not math.isnan(info["ci"][0]):
            ax.axvspan(*info["ci"], color="tab:red", alpha=0.1)
        ax.set_xlabel(co.parameter)
        ax.set_title(f"advantage of {co.treatment}: {outcome}", fontsize=9)
    _save(fig, figs / "crossover.png")
    w("### Summary\n")
    w(_md_table(["outcome", "crossover", f"{exp.confidence:.0%} CI"], summary_rows) + "\n")
    w("![crossover](figures/crossover.png)\n")


def _sensitivity_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    kind = exp.design["kind"]
    w(f"## Sensitivity analysis (SALib {kind})\n")
    if kind == "sobol":
        w(
            "First-order (S1) and total (ST) Sobol indices of the mean outcome over replicates at "
            f"each design point, with {exp.confidence:.0%} confidence half-widths (SALib, "
            "seeded with the experiment's base seed).\n"
        )
    else:
        w(
            "Morris elementary effects of the mean outcome over replicates: mu_star (mean "
            "absolute effect, with confidence half-width) and sigma (interactions and "
            "non-linearity).\n"
        )
    plt = _plt()
    pairs = [(o, r) for r in exp.rule_names for o in exp.outcomes]
    all_rows = []
    for outcome, name in pairs:
        idx = sensitivity_indices(frame, exp, outcome, name)
        idx.insert(0, "outcome", outcome)
        idx.insert(0, "rules", name)
        all_rows.append(idx)
    table = pd.concat(all_rows, ignore_index=True)
    table.to_csv(tables / "sensitivity.csv", index=False)
    for name in exp.rule_names:
        for outcome in exp.outcomes:
            t = table[(table["rules"] == name) & (table["outcome"] == outcome)]
            w(f"### {name}: {outcome}\n")
            if kind == "sobol":
                rows = [
                    [r.parameter, fmt(r.S1), fmt(r.S1_conf), fmt(r.ST), fmt(r.ST_conf)]
                    for r in t.itertuples()
                ]
                w(_md_table(["parameter", "S1", "S1 conf", "ST", "ST conf"], rows) + "\n")
            else:
                rows = [
                    [r.parameter, fmt(r.mu_star), fmt(r.mu_star_conf), fmt(r.sigma)]
                    for r in t.itertuples()
                ]
                w(_md_table(["parameter", "mu_star", "mu_star conf", "sigma"], rows) + "\n")
    outcomes = list(exp.outcomes)
    fig, axes = plt.subplots(
        len(exp.rule_names),
        len(outcomes),
        figsize=(3.6 * len(outcomes), 2.8 * len(exp.rule_names)),
        squeeze=False,
    )
    for i, name in enumerate(exp.rule_names):
        for j, outcome in enumerate(outcomes):
            ax = axes[i, j]
            t = table[(table["rules"] == name) & (table["outcome"] == outcome)]
            y = np.arange(len(t))
            if kind == "sobol":
                ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="S1", capsize=2)
                ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="ST", capsize=2)
            else:
                ax.barh(y, t["mu_star"], 0.6, xerr=t["mu_star_conf"], label="mu*", capsize=2)
            ax.set_yticks(y, t["parameter"], fontsize=7)
            ax.invert_yaxis()
            ax.set_title(f"{name}: {outcome}", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    _save(fig, figs / "sensitivity.png")
    w("![sensitivity](figures/sensitivity.png)\n")
