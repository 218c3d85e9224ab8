"""Seeds and parameters: how much of a comparison's spread is chance and how much is ignorance.

A probabilistic run (`run_many(..., uncertainty=..., seeds_per_draw=k)`, or an experiment with an
`[uncertainty]` section) draws one parameter set per draw from the priors (`sim.core.priors`) and
runs k replicates (seeds) at it: replicate j uses draw j // k, and within a replicate every rule
set shares the draw and the random numbers. This module compares a treatment T with a reference R
from the run summaries alone (one row per run with `rules`, `point`, `replicate`, `draw`, a column
per drawn parameter and the outcomes); it runs nothing and reads or writes no file. The report's
section "Uncertainty: seeds and parameters" (`sim.experiment.report_uncertainty`) prints it.

Definitions, for one outcome at one point, at the caller's confidence `level`:

- **paired difference** of replicate j: d_j = T_j - R_j (`paired_differences`). A difference
  smaller than `RESOLUTION` (1e-12) times the outcome's largest magnitude counts as 0, as in
  `sim.analysis.crossover`. The **advantage** is `sign d` with sign -1 for an outcome where lower
  is better (`lower_is_better`, chosen by the caller: the analysis layer does not know the
  experiment's table), so a positive advantage means T is better.
- **draw mean** m_g: the mean of d over the n_g replicates of draw g. A replicate whose
  difference is not a finite number (an outcome undefined in a run) is left out of that
  outcome, and `n_runs` counts the rest; an outcome with none is left out.
- **mean difference** and its interval: the mean of d over all runs, with a percentile bootstrap
  over draws (draws resampled with their replicates, the mean of the resample's runs:
  `sim.analysis.stats.grouped_bootstrap_ci`, generator
  `sim.analysis.stats.seeded_rng(seed, "unc|OUTCOME|T|POINT")`). Draws are the independent units;
  with one seed per draw this is the paired bootstrap of the comparison table.
- **seeds alone**: the spread of one run's difference from seed noise at a fixed parameter set,
  the within-draw spread. Pooled within-draw variance s_w^2 = sum (d - m_g)^2 / sum (n_g - 1);
  the interval is the mean plus the central `level` quantiles of the residuals d - m_g, each
  scaled by sqrt(n_g / (n_g - 1)) so that their variance is s_w^2. It needs at least two seeds per
  draw: with one, seed noise cannot be separated from parameter uncertainty, and the interval is
  not given (NaN, said in words).
- **parameters alone**: the spread of the draw's true mean difference (over infinitely many
  seeds) across the priors. A draw mean holds the seed noise of its n_g runs too: var(m_g) =
  s_b^2 + s_w^2 mean(1 / n_g) (one-way random-effects variance decomposition, method of moments),
  so s_b^2 = max(0, var(m_g) - s_w^2 mean(1 / n_g)). The interval is the mean plus the central
  `level` quantiles of the draw means' deviations shrunk by sqrt(s_b^2 / var(m_g)), which have
  variance s_b^2 and keep the shape of the draws' distribution. With one seed per draw nothing is
  removed: the interval is that of the draw means, seed noise included (said in words).
- **both together**: the central `level` quantiles of the differences of all runs.
- **P(better)**, three ways, each strictly (a tie is not better): over parameters, the share of
  draws whose mean advantage is above 0 once seed noise is taken out (the draw means' deviations
  shrunk as for the parameter interval: the probability that T is better on average at a
  parameter set drawn from the priors; it needs two seeds per draw); over draws, the share of
  the draw means as run (k seeds each: seed noise included, so it moves towards one half as seed
  noise grows), with its Wilson interval at `level` (`scipy.stats.binomtest`); and over runs,
  the share of single replicates. For an outcome that is neither better higher nor lower
  (`neutral`), the shares are of a higher value, and named so.
- **drivers**: Spearman's rank correlation (`scipy.stats.spearmanr`) over draws of each drawn
  parameter with the draw's mean advantage (the raw difference for a neutral outcome), so a
  positive rho means T's advantage grows with the parameter; ranked by |rho|. A correlation is
  called significant when its p value is below (1 - level) / m, m the number of drawn parameters
  (Bonferroni). The partial rank correlation (PRCC) removes the other drawn parameters' linear
  effect on the ranks: the correlation of the residuals of rank(x) and rank(m_g) regressed on the
  other parameters' ranks, with p from Student's t on G - 2 - (m - 1) degrees of freedom.
- **verdict**: one sentence per outcome from the above (`sim.analysis.uncertainty_text`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from sim.analysis.crossover import RESOLUTION
from sim.analysis.drivers import drivers
from sim.analysis.stats import grouped_bootstrap_ci, percentile_interval


def paired_differences(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    treatment: str,
    reference: str,
    parameters: Sequence[str] = (),
    point: int = 0,
) -> pd.DataFrame:
    """The paired differences T - R of each replicate at one point.

    Args:
        frame: Run summaries (columns rules, point, replicate, draw, the parameters, outcomes).
            Without a `draw` column every replicate is its own draw.
        outcomes: The outcomes to difference.
        treatment: The rule set T.
        reference: The rule set R.
        parameters: The drawn parameters, carried over (their value in the replicate's draw).
        point: The design point.

    Returns:
        One row per replicate, ordered: replicate, draw, the parameters and the differences.

    Raises:
        ValueError: A missing column, or T and R not paired (different replicates, or a
            replicate whose seed, draw or drawn parameters differ between them).
    """
    at = frame[frame["point"] == point] if "point" in frame.columns else frame
    keys = [c for c in ("seed", "draw", *parameters) if c in at.columns]
    for col in ("rules", "replicate", *parameters, *outcomes):
        if col not in at.columns:
            raise ValueError(f"the runs have no column {col!r}")
    t, r = (
        at[at["rules"] == label].sort_values("replicate").reset_index(drop=True)
        for label in (treatment, reference)
    )
    if len(t) == 0 or t["replicate"].duplicated().any():
        raise ValueError(f"{treatment!r} needs each replicate once at point {point}")
    for col in ("replicate", *keys):
        if not np.array_equal(t[col].to_numpy(), r[col].to_numpy()):
            raise ValueError(
                f"{treatment!r} and {reference!r} at point {point} differ in {col}: "
                "the runs are not paired"
            )
    out = t[["replicate", *keys]].copy()
    if "draw" not in out.columns:
        out["draw"] = out["replicate"]
    for name in outcomes:
        a, b = t[name].to_numpy(dtype=float), r[name].to_numpy(dtype=float)
        d = a - b
        scale = max(np.abs(a).max(), np.abs(b).max()) if len(a) else 0.0
        d[np.abs(d) <= RESOLUTION * scale] = 0.0
        out[name] = d
    return out


@dataclass(frozen=True)
class Spread:
    """The spread of one outcome's paired difference (see the module docstring).

    Attributes:
        mean, low, high: The mean difference and its interval (bootstrap over draws).
        seeds, parameters, both: Intervals (low, high) of one run's difference over seed noise
            alone, parameter uncertainty alone and both; seeds is (NaN, NaN) when not separable.
        sd_seeds, sd_parameters, sd_total: The standard deviations behind them.
        separable: True when some draw has two seeds or more.
        shrink: sqrt(s_b^2 / var(m_g)), the factor that takes the seed noise out of the draw
            means' deviations (1 when not separable).
        n_runs, n_draws: Counts.
    """

    mean: float
    low: float
    high: float
    seeds: tuple[float, float]
    parameters: tuple[float, float]
    both: tuple[float, float]
    sd_seeds: float
    sd_parameters: float
    sd_total: float
    separable: bool
    shrink: float
    n_runs: int
    n_draws: int


def _draw_groups(d: np.ndarray, draws: np.ndarray):
    """Draw labels, counts, means and each run's draw index."""
    labels, inverse, counts = np.unique(draws, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=d) / counts
    return labels, counts, means, inverse


def spread(
    d, draws, level: float, resamples: int = 2000, seed: int = 0, tag: str = "unc"
) -> Spread:
    """The mean difference and its spreads over seeds, parameters and both.

    Args:
        d: Paired differences, one per run.
        draws: The draw of each run.
        level: Confidence level (and central share of every interval).
        resamples: Bootstrap resamples of the mean's interval.
        seed: Base seed of the bootstrap.
        tag: Name of the quantity (`sim.analysis.stats.seeded_rng`).

    Returns:
        A `Spread`.
    """
    d = np.asarray(d, dtype=float)
    _, counts, means, inverse = _draw_groups(d, np.asarray(draws))
    mean = float(d.mean())
    low, high = grouped_bootstrap_ci(counts * means, counts, level, resamples, seed, tag)
    resid = d - means[inverse]
    n_i = counts[inverse]
    multi = n_i >= 2
    separable = bool(multi.any())
    var_m = float(means.var(ddof=1)) if len(means) > 1 else 0.0
    if separable:
        var_w = float((resid[multi] ** 2).sum() / (counts[counts >= 2] - 1).sum())
        scaled = resid[multi] * np.sqrt(n_i[multi] / (n_i[multi] - 1.0))
        s_lo, s_hi = percentile_interval(scaled, level)
        seeds = (mean + s_lo, mean + s_hi)
        var_b = max(0.0, var_m - var_w * float(np.mean(1.0 / counts)))
    else:
        var_w, seeds, var_b = math.nan, (math.nan, math.nan), var_m
    shrink = math.sqrt(var_b / var_m) if var_m > 0 else float(not separable)
    p_lo, p_hi = percentile_interval(shrink * (means - means.mean()), level)
    b_lo, b_hi = percentile_interval(d, level)
    return Spread(
        mean=mean,
        low=low,
        high=high,
        seeds=seeds,
        parameters=(mean + p_lo, mean + p_hi),
        both=(b_lo, b_hi),
        sd_seeds=math.sqrt(var_w) if separable else math.nan,
        sd_parameters=math.sqrt(var_b),
        sd_total=float(d.std(ddof=1)) if len(d) > 1 else math.nan,
        separable=separable,
        shrink=shrink,
        n_runs=len(d),
        n_draws=len(counts),
    )


def share_better(advantage, level: float) -> tuple[float, float, float]:
    """The share of values above 0 and its Wilson interval at `level`."""
    a = np.asarray(advantage, dtype=float)
    if len(a) == 0:
        return math.nan, math.nan, math.nan
    k = int((a > 0).sum())
    ci = _scipy_stats.binomtest(k, len(a)).proportion_ci(confidence_level=level, method="wilson")
    return k / len(a), float(ci.low), float(ci.high)


@dataclass(frozen=True)
class Comparison:
    """Treatments against a reference over seeds and parameters (`compare_uncertain`).

    Attributes:
        summary: One row per (rules, outcome): direction ("higher" or "lower" is better, or
            "neither"), n_runs, n_draws, seeds_per_draw, separable, mean, low, high (mean
            difference and its interval), seeds_low/high, parameters_low/high, both_low/high,
            sd_seeds, sd_parameters, sd_total, p_better_parameters (NaN when not separable),
            p_better_draws with p_better_low/high (its Wilson interval), p_better_runs (for a
            neutral outcome: the shares of a higher value).
        drivers: One row per (rules, outcome, parameter) as `drivers` returns.
        draws: One row per (rules, outcome, draw): the draw's mean difference and advantage.
        reference: The reference rule set.
        parameters: The drawn parameters.
        level: The confidence level.
    """

    summary: pd.DataFrame
    drivers: pd.DataFrame
    draws: pd.DataFrame
    reference: str
    parameters: tuple[str, ...]
    level: float


def _direction(outcome: str, lower_is_better: Collection[str], neutral: Collection[str]) -> str:
    if outcome in neutral:
        return "neither"
    return "lower" if outcome in lower_is_better else "higher"


def _one_outcome(pairs, outcome, name, direction, parameters, args) -> tuple[dict, list, list]:
    """The summary row, the driver rows and the draw rows of one treatment on one outcome."""
    level, resamples, seed, point = args
    d = pairs[outcome].to_numpy(dtype=float)
    draws = pairs["draw"].to_numpy()
    s = spread(d, draws, level, resamples, seed, f"unc|{outcome}|{name}|{point}")
    sign = -1.0 if direction == "lower" else 1.0
    by_draw = pairs.groupby("draw", sort=True)
    means = by_draw[outcome].mean()
    p, p_lo, p_hi = share_better(sign * means.to_numpy(), level)
    m = means.to_numpy()
    deconvolved = s.mean + s.shrink * (m - m.mean())  # the draws' means without seed noise
    p_parameters = share_better(sign * deconvolved, level)[0] if s.separable else math.nan
    row = {
        "rules": name,
        "outcome": outcome,
        "direction": direction,
        "n_runs": s.n_runs,
        "n_draws": s.n_draws,
        "seeds_per_draw": int(by_draw.size().max()),
        "separable": s.separable,
        "mean": s.mean,
        "low": s.low,
        "high": s.high,
        "seeds_low": s.seeds[0],
        "seeds_high": s.seeds[1],
        "parameters_low": s.parameters[0],
        "parameters_high": s.parameters[1],
        "both_low": s.both[0],
        "both_high": s.both[1],
        "sd_seeds": s.sd_seeds,
        "sd_parameters": s.sd_parameters,
        "sd_total": s.sd_total,
        "p_better_parameters": p_parameters,
        "p_better_draws": p,
        "p_better_low": p_lo,
        "p_better_high": p_hi,
        "p_better_runs": share_better(sign * d, level)[0],
    }
    drv = drivers(by_draw[list(parameters)].first(), sign * means.to_numpy(), level)
    drv.insert(0, "outcome", outcome)
    drv.insert(0, "rules", name)
    draw_rows = pd.DataFrame(
        {"rules": name, "outcome": outcome, "draw": means.index, "difference": means.to_numpy()}
    )
    draw_rows["advantage"] = sign * draw_rows["difference"]
    return row, drv, draw_rows


def compare_uncertain(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    treatments: Sequence[str],
    reference: str,
    *,
    lower_is_better: Collection[str] = (),
    neutral: Collection[str] = (),
    parameters: Sequence[str] | None = None,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    point: int = 0,
) -> Comparison:
    """Each treatment against the reference on each outcome, over seeds and parameters.

    Args:
        frame: Run summaries of a probabilistic run (see the module docstring).
        outcomes: The outcomes compared.
        treatments: The rule sets compared with the reference (the reference itself is skipped).
        reference: The reference rule set.
        lower_is_better: Outcomes where a lower value is better.
        neutral: Outcomes that are neither better higher nor lower (P(better) is then P(higher)).
        parameters: The drawn parameters (default `frame.attrs["uncertain"]`, else none).
        level: Confidence level of every interval and of the drivers' significance.
        resamples: Bootstrap resamples of the mean difference's interval.
        seed: Base seed of the bootstrap (the experiment's).
        point: The design point.

    Returns:
        A `Comparison`.
    """
    if parameters is None:
        parameters = tuple(frame.attrs.get("uncertain", ()))
    parameters = tuple(parameters)
    rows, drv, draws = [], [], []
    for name in treatments:
        if name == reference:
            continue
        pairs = paired_differences(frame, outcomes, name, reference, parameters, point)
        for outcome in outcomes:
            kept = pairs[np.isfinite(pairs[outcome].to_numpy(dtype=float))]
            if kept.empty:
                continue
            direction = _direction(outcome, lower_is_better, neutral)
            args = (level, resamples, seed, point)
            row, d, g = _one_outcome(kept, outcome, name, direction, parameters, args)
            rows.append(row)
            drv.append(d)
            draws.append(g)
    return Comparison(
        summary=pd.DataFrame(rows),
        drivers=pd.concat(drv, ignore_index=True) if drv else pd.DataFrame(),
        draws=pd.concat(draws, ignore_index=True) if draws else pd.DataFrame(),
        reference=reference,
        parameters=parameters,
        level=level,
    )
