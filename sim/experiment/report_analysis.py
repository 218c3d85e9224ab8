"""The numbers of an experiment's report: comparison tables, crossovers and sensitivity indices.

The statistics themselves (bootstrap, paired differences, Cliff's delta) are those of
`sim.analysis.stats`; this module only chooses what to compare and names each quantity's tag:

- confidence interval of a mean: tag "mean|OUTCOME|RULES|POINT";
- difference against the reference rule set (paired over replicates): "diff|OUTCOME|RULES|POINT";
- advantage of the crossover's treatment at a point: "adv|OUTCOME|POINT";
- the crossover's own bootstrap: "crossover|OUTCOME".
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sim.analysis.stats import (
    bootstrap_mean_ci,
    cliffs_delta,
    paired_difference_ci,
    percentile_interval,
    seeded_rng,
)
from sim.experiment.spec import LOWER_IS_BETTER, Experiment, salib_problem


def _runs(at: pd.DataFrame, rules: str, outcome: str) -> np.ndarray:
    """One rule set's outcome, ordered by replicate (so replicate j pairs with replicate j)."""
    return at[at["rules"] == rules].sort_values("replicate")[outcome].to_numpy()


def compare(
    frame: pd.DataFrame,
    outcome: str,
    rules: list[str],
    reference: str,
    resamples: int,
    level: float,
    seed: int,
    point: int = 0,
) -> pd.DataFrame:
    """The comparison table of one outcome at one point: one row per rule set.

    Args:
        frame: Summaries of the runs (columns point, rules, replicate and the outcome).
        outcome: The outcome compared.
        rules: Rule sets, in the order of the rows.
        reference: The rule set the others are compared with.
        resamples: Bootstrap resamples.
        level: Confidence level of every interval.
        seed: The experiment's base seed.
        point: The design point.

    Returns:
        Columns rules, n, mean, ci_low, ci_high, diff, diff_low, diff_high, cliffs_delta,
        p_value.
    """
    at = frame[frame["point"] == point]
    ref = _runs(at, reference, outcome)
    rows = []
    for name in rules:
        x = _runs(at, name, outcome)
        lo, hi = bootstrap_mean_ci(x, level, resamples, seed, f"mean|{outcome}|{name}|{point}")
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
            _diff, dlo, dhi = paired_difference_ci(
                x, ref, level, resamples, seed, f"diff|{outcome}|{name}|{point}"
            )
            delta, p = cliffs_delta(x, ref)
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


def _crossing_ci(xs, treat, ref, sign: float, exp: Experiment, outcome: str, first: float):
    """Share of paired bootstrap resamples with a crossing, and the percentile interval of the
    crossing nearest the observed one."""
    rng = seeded_rng(exp.seed, f"crossover|{outcome}")
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
    ci = percentile_interval(found, exp.confidence) if found else (math.nan, math.nan)
    return len(found) / exp.bootstrap, ci


def crossover_analysis(
    frame: pd.DataFrame, exp: Experiment, outcome: str
) -> tuple[pd.DataFrame, dict]:
    """Advantage of the treatment over the reference at each point and where it changes sign."""
    co = exp.crossover
    sign = -1.0 if outcome in LOWER_IS_BETTER else 1.0
    points = sorted(frame["point"].unique(), key=lambda p: exp.points[p][co.parameter])
    xs = np.array([exp.points[p][co.parameter] for p in points], dtype=float)
    treat = [_runs(frame[frame["point"] == p], co.treatment, outcome) for p in points]
    ref = [_runs(frame[frame["point"] == p], co.reference, outcome) for p in points]
    adv = np.array([sign * (t.mean() - r.mean()) for t, r in zip(treat, ref, strict=True)])
    rows = []
    for p, x, t, r, a in zip(points, xs, treat, ref, adv, strict=True):
        _, lo, hi = paired_difference_ci(
            sign * t, sign * r, exp.confidence, exp.bootstrap, exp.seed, f"adv|{outcome}|{p}"
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
    crossings = find_crossings(xs, adv)
    info: dict = {"outcome": outcome, "crossings": crossings, "sign": sign}
    if crossings:
        share, ci = _crossing_ci(xs, treat, ref, sign, exp, outcome, crossings[0])
        info["share_with_crossing"], info["ci"] = share, ci
    return pd.DataFrame(rows), info


def sensitivity_indices(frame: pd.DataFrame, exp: Experiment, outcome: str, rules: str):
    """SALib Sobol (S1, ST with confidence) or Morris (mu_star, sigma) indices of the mean outcome
    over replicates at each design point, for one rule set, at the experiment's level.

    The mean over replicates is a function of the design point alone (common random numbers), so
    with one Sobol parameter all of its variance is that parameter's: S1 = ST = 1 exactly, with no
    sampling error (SALib's estimators would give a noisy 1). An outcome that is the same at every
    point has no variance to share out: its Sobol indices are undefined (NaN, "n/a" in the report).
    Neither case reaches SALib, which warns on both; its other warnings are silenced too, since
    bootstrap resamples of a few points can be constant."""
    problem = salib_problem(exp.design)
    at = frame[frame["rules"] == rules]
    y = at.groupby("point")[outcome].mean().reindex(range(len(exp.points))).to_numpy()
    if exp.design["kind"] == "sobol":
        columns = ("S1", "S1_conf", "ST", "ST_conf")
        d = problem["num_vars"]
        if not np.isfinite(y).all() or np.ptp(y) <= np.finfo(float).eps * max(1.0, np.abs(y).max()):
            res = {c: np.full(d, math.nan) for c in columns}
        elif d == 1:
            res = {
                "S1": np.ones(1),
                "S1_conf": np.zeros(1),
                "ST": np.ones(1),
                "ST_conf": np.zeros(1),
            }
        else:
            from SALib.analyze import sobol

            with _quiet_salib():
                res = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=exp.design.get("second_order", False),
                    conf_level=exp.confidence,
                    seed=exp.seed % 2**32,
                )
    else:
        from SALib.analyze import morris

        x = np.array([[pt[k] for k in problem["names"]] for pt in exp.points], dtype=float)
        with _quiet_salib():
            res = morris.analyze(
                problem,
                x,
                y,
                conf_level=exp.confidence,
                num_levels=exp.design.get("levels", 4),
                seed=exp.seed % 2**32,
            )
        columns = ("mu_star", "mu_star_conf", "sigma")
    return pd.DataFrame({"parameter": problem["names"], **{c: res[c] for c in columns}})


@contextmanager
def _quiet_salib():
    """No NumPy floating-point or SALib warnings (constant bootstrap resamples) on the console."""
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", module=r"SALib\.")
        yield
