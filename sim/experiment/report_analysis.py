"""The numbers of an experiment's report: comparison tables, crossovers and sensitivity indices.

The statistics themselves (bootstrap, paired differences, Cliff's delta) are those of
`sim.analysis.stats`; this module only chooses what to compare and names each quantity's tag:

- confidence interval of a mean: tag "mean|OUTCOME|RULES|POINT";
- difference against the reference rule set (paired over replicates): "diff|OUTCOME|RULES|POINT";
- advantage of the crossover's treatment at a value x of its parameter: "adv|OUTCOME|x";
- the crossover's joint bootstrap (crossings and slopes): "crossover|OUTCOME"
  (`sim.analysis.crossover`).
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sim.analysis import crossover
from sim.analysis.crossover import find_crossings  # noqa: F401  (re-exported)
from sim.analysis.stats import bootstrap_mean_ci, cliffs_delta, paired_difference_ci
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


def crossover_result(frame: pd.DataFrame, exp: Experiment) -> crossover.Crossover:
    """The crossover of `[report.crossover]`: the treatment's paired advantage over the reference
    at each value of the parameter, its crossings and slopes, for each of its outcomes
    (`sim.analysis.crossover`, at the experiment's level, resamples and seed)."""
    co = exp.crossover
    return crossover.crossover(
        frame,
        co.outcomes,
        lower_is_better=LOWER_IS_BETTER,
        treatment=co.treatment,
        reference=co.reference,
        pressure=co.parameter,
        level=exp.confidence,
        resamples=exp.bootstrap,
        seed=exp.seed,
    )


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
