"""Where shared governance pays: its paired advantage over fortress along funding pressure.

Issue 12 (item 7) asks where governance overhead makes shared governance no better, if anywhere,
and how its advantage on each outcome moves with funding pressure. This module answers from run
summaries alone: one row per run with the rule set's label (`rules`), the `replicate`, the swept
pressure (by default `budget_growth`; any numeric column will do, for example `need_growth` at a
fixed budget, or a `funding_gap` column the caller adds) and the outcomes. It does not run the
model and reads or writes no file: `sim.engine.batch.run_many` or `commons run` make the runs,
`scripts/crossover.py` and the report's crossover section (`sim.experiment.report_sections`)
print what it finds.

The quantities, for a treatment T (shared governance) against a reference R (fortress):

- **advantage** at pressure x: the mean over replicates j of `sign (T_j - R_j)`, with `sign` -1
  for an outcome where lower is better (`lower_is_better`, chosen by the caller) and +1 otherwise,
  so a positive advantage always means T is better. Replicate j of both rule sets shares its seed
  and run key (common random numbers), so the differences are paired; `paired` refuses runs that
  are not. Its interval is the paired bootstrap of `sim.analysis.stats.paired_difference_ci`,
  seeded by the base seed and the tag `adv|OUTCOME|x`. The verdict at x is `better` when the
  interval lies above 0, `worse` when below, and `no different` when it holds 0.
- **crossings**: the pressures where the mean advantage changes sign, interpolated linearly
  between neighbouring grid values (exact zeros are skipped: a sign change across a stretch of
  zeros is placed at its middle). The interval of each is a percentile interval over joint
  bootstrap resamples of the replicates (replicate j is drawn at every pressure at once, since it
  shares its random numbers across pressures too; generator `seeded_rng(seed, "crossover|OUTCOME")`)
  of the resample's crossing nearest the observed one; the share of resamples with any crossing is
  given beside it. Without an observed crossing that share says how firm "none in the range" is.
  A crossing is *firm* when the nearest verdicts other than `no different` on its two sides are
  opposite; a sign change inside a stretch where the advantage is no different from 0 is noise.
- **round-off**: a paired difference smaller than `RESOLUTION` (1e-12) times the outcome's largest
  magnitude in the runs counts as 0, so an unmet need of 1e-18 against one of 4e-18 is no
  difference at all.
- **slope**: the least-squares slope of the mean advantage on the pressure over a range of it (per
  unit of the parameter: per 1.0 = 100 points of growth a year), with its percentile interval over
  the same joint resamples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from sim.analysis.stats import paired_difference_ci, percentile_interval, seeded_rng

PRESSURE = "budget_growth"
TREATMENT = "shared_governance"
REFERENCE = "fortress"
# The main outcomes of issue 12, then the costs.
OUTCOMES = (
    "population_health",
    "system_deficit",
    "pool_balance",
    "unmet_need",
    "provider_failures",
    "waiting_list",
    "governance_costs",
    "transaction_costs",
    "takeover_costs",
)
# Real growth of the NHS budget: about 1-4% a year, 6-7% in the 2000s [HF2018, KF-Act].
NHS_BUDGET_GROWTH = (0.01, 0.07)
# Ranges of budget growth for slopes: all, below what the NHS has seen, within it, above it.
BUDGET_RANGES = {
    "all": (-math.inf, math.inf),
    "below the NHS range": (-math.inf, NHS_BUDGET_GROWTH[0]),
    "the NHS range": NHS_BUDGET_GROWTH,
    "above the NHS range": (NHS_BUDGET_GROWTH[1], math.inf),
}
# Paired differences below this share of an outcome's largest magnitude are round-off.
RESOLUTION = 1e-12
LEVEL = 0.95
RESAMPLES = 2000
# Bootstrap resamples held in memory at once (a resamples x replicates matrix of counts).
_BLOCK = 250
BETTER, WORSE, SAME = "better", "worse", "no different"


@dataclass(frozen=True)
class Paired:
    """One outcome's paired runs: `treatment[k, j]` and `reference[k, j]` are replicate
    `replicates[j]` at pressure `pressures[k]`; `sign` orients the advantage (+1 or -1)."""

    outcome: str
    pressures: np.ndarray
    replicates: np.ndarray
    treatment: np.ndarray
    reference: np.ndarray
    sign: float

    @property
    def differences(self) -> np.ndarray:
        """`sign (T - R)`, [pressure, replicate]: positive where the treatment is better; 0 where
        it is round-off (below `RESOLUTION` times the largest magnitude of either)."""
        d = self.sign * (self.treatment - self.reference)
        floor = RESOLUTION * max(np.abs(self.treatment).max(), np.abs(self.reference).max())
        return np.where(np.abs(d) <= floor, 0.0, d)


def _one_group(runs: pd.DataFrame, label: str, pressure: str, x: float) -> pd.DataFrame:
    rows = runs[(runs["rules"] == label) & (runs[pressure] == x)].sort_values("replicate")
    if rows.empty:
        raise ValueError(f"no runs of {label!r} at {pressure} = {x!r}")
    if rows["replicate"].duplicated().any():
        raise ValueError(f"{label!r} has a replicate twice at {pressure} = {x!r}")
    return rows


def paired(
    runs: pd.DataFrame,
    outcome: str,
    treatment: str = TREATMENT,
    reference: str = REFERENCE,
    pressure: str = PRESSURE,
    lower_is_better=(),
) -> Paired:
    """The runs of `outcome` as paired arrays, after checking the pairing.

    Raises ValueError unless, at every pressure, both rule sets have each replicate once, the same
    replicates, and (where the columns exist) the same seed and run key replicate by replicate,
    and unless every pressure has the same replicates (the joint bootstrap draws replicate j at
    every pressure at once).
    """
    for col in ("rules", "replicate", pressure, outcome):
        if col not in runs.columns:
            raise ValueError(f"the runs have no column {col!r}")
    xs = np.sort(runs[pressure].unique().astype(float))
    t_rows, r_rows, reps = [], [], None
    for x in xs:
        t, r = (_one_group(runs, label, pressure, x) for label in (treatment, reference))
        for col in ("replicate", "seed", "run_key"):
            if col in runs.columns and not np.array_equal(t[col].to_numpy(), r[col].to_numpy()):
                raise ValueError(
                    f"{treatment!r} and {reference!r} at {pressure} = {x!r} differ in {col}: "
                    "the runs are not paired"
                )
        if reps is None:
            reps = t["replicate"].to_numpy()
        elif not np.array_equal(reps, t["replicate"].to_numpy()):
            raise ValueError(f"the replicates at {pressure} = {x!r} differ from those at {xs[0]!r}")
        t_rows.append(t[outcome].to_numpy(dtype=float))
        r_rows.append(r[outcome].to_numpy(dtype=float))
    sign = -1.0 if outcome in lower_is_better else 1.0
    return Paired(outcome, xs, reps, np.array(t_rows), np.array(r_rows), sign)


def find_crossings(xs, adv) -> list[float]:
    """Values of x where the curve `adv` changes sign: linear interpolation between neighbours;
    across a stretch of exact zeros between opposite signs, the middle of the stretch."""
    xs, adv = np.asarray(xs, dtype=float), np.asarray(adv, dtype=float)
    nonzero = np.flatnonzero(adv != 0.0)
    out = []
    for i, j in pairwise(nonzero):
        a, b = adv[i], adv[j]
        if (a > 0) == (b > 0):
            continue
        if j == i + 1:
            out.append(float(xs[i] + (xs[j] - xs[i]) * a / (a - b)))
        else:
            out.append(float((xs[i + 1] + xs[j - 1]) / 2.0))
    return out


def resampled_advantages(pair: Paired, resamples: int, seed: int) -> np.ndarray:
    """Mean advantages over joint bootstrap resamples of the replicates, [resample, pressure].

    Resample b draws replicates `seeded_rng(seed, "crossover|OUTCOME").integers(0, n, size=
    (resamples, n))[b]` and takes them at every pressure."""
    d = pair.differences
    n = d.shape[1]
    idx = seeded_rng(seed, f"crossover|{pair.outcome}").integers(0, n, size=(int(resamples), n))
    out = np.empty((int(resamples), d.shape[0]))
    for lo in range(0, int(resamples), _BLOCK):
        block = idx[lo : lo + _BLOCK]
        flat = (block + n * np.arange(len(block))[:, None]).ravel()
        counts = np.bincount(flat, minlength=len(block) * n).reshape(len(block), n)
        out[lo : lo + len(block)] = counts @ d.T / n
    return out


def _verdict(low: float, high: float) -> str:
    return BETTER if low > 0 else WORSE if high < 0 else SAME


def advantage_rows(pair: Paired, level: float, resamples: int, seed: int) -> list[dict]:
    """One row per pressure: means, advantage, its paired-bootstrap interval and verdict."""
    rows, d = [], pair.differences
    for k, x in enumerate(pair.pressures):
        t, r = pair.treatment[k], pair.reference[k]
        tag = f"adv|{pair.outcome}|{float(x)!r}"
        adv, low, high = paired_difference_ci(d[k], 0.0 * d[k], level, resamples, seed, tag)
        rows.append(
            {
                "outcome": pair.outcome,
                "pressure": float(x),
                "n": len(t),
                "treatment_mean": float(t.mean()),
                "reference_mean": float(r.mean()),
                "sign": pair.sign,
                "advantage": float(adv),
                "low": float(low),
                "high": float(high),
                "level": level,
                "verdict": _verdict(low, high),
            }
        )
    return rows


def _firm(xs: np.ndarray, verdicts: list[str], c: float) -> bool:
    """Whether the verdicts nearest a crossing on either side (passing over `no different`) are
    opposite: better on one side and worse on the other, not a sign change within noise."""
    below = [v for x, v in zip(xs, verdicts, strict=True) if x < c and v != SAME]
    above = [v for x, v in zip(xs, verdicts, strict=True) if x > c and v != SAME]
    return bool(below and above and below[-1] != above[0])


def crossing_rows(pair: Paired, boot: np.ndarray, level: float, verdicts: list[str]) -> list[dict]:
    """One row per observed crossing (or one row with NaN when there is none); `verdicts` are
    those of `advantage_rows`, in pressure order."""
    adv = pair.differences.mean(axis=1)
    found = find_crossings(pair.pressures, adv)
    per_resample = [find_crossings(pair.pressures, b) for b in boot]
    share = sum(1 for cs in per_resample if cs) / len(boot)
    base = {"outcome": pair.outcome, "n_crossings": len(found), "share_with_crossing": share}
    if not found:
        nan = {"crossing": math.nan, "low": math.nan, "high": math.nan, "better_below": None}
        nan["firm"] = False
        return [{**base, **nan, "level": level}]
    rows = []
    for c in found:
        nearest = [min(cs, key=lambda v: abs(v - c)) for cs in per_resample if cs]
        low, high = percentile_interval(nearest, level)
        below = adv[(pair.pressures < c) & (adv != 0)]
        rows.append(
            {
                **base,
                "crossing": c,
                "low": low,
                "high": high,
                "better_below": bool(below[-1] > 0),
                "firm": _firm(pair.pressures, verdicts, c),
                "level": level,
            }
        )
    return rows


def _slope(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Least-squares slopes of each row of ys on xs."""
    xc = xs - xs.mean()
    return (ys - ys.mean(axis=-1, keepdims=True)) @ xc / float(xc @ xc)


def slope_rows(pair: Paired, boot: np.ndarray, level: float, ranges: dict) -> list[dict]:
    """The slope of the mean advantage on the pressure over each named range [start, end]."""
    adv = pair.differences.mean(axis=1)
    rows = []
    for name, (start, end) in ranges.items():
        inside = (pair.pressures >= start) & (pair.pressures <= end)
        xs = pair.pressures[inside]
        slope = low = high = math.nan
        if len(xs) >= 2:
            slope = float(_slope(xs, adv[inside]))
            low, high = percentile_interval(_slope(xs, boot[:, inside]), level)
        rows.append(
            {
                "outcome": pair.outcome,
                "range": name,
                "start": float(xs.min()) if len(xs) else math.nan,
                "end": float(xs.max()) if len(xs) else math.nan,
                "n_points": len(xs),
                "slope": slope,
                "low": low,
                "high": high,
                "level": level,
            }
        )
    return rows


@dataclass(frozen=True)
class Crossover:
    """The three tidy tables of `crossover`, each with the outcome in its first column."""

    parameter: str
    treatment: str
    reference: str
    advantages: pd.DataFrame
    crossings: pd.DataFrame
    slopes: pd.DataFrame

    def outcome(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The advantages, crossings and slopes of one outcome."""
        return tuple(
            t[t["outcome"] == name] for t in (self.advantages, self.crossings, self.slopes)
        )


def crossover(
    runs: pd.DataFrame,
    outcomes=OUTCOMES,
    *,
    lower_is_better,
    treatment: str = TREATMENT,
    reference: str = REFERENCE,
    pressure: str = PRESSURE,
    ranges: dict | None = None,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    seed: int | None = None,
) -> Crossover:
    """The treatment's paired advantage over the reference along the pressure, for each outcome.

    Args:
        runs: One row per run: `rules`, `replicate`, the `pressure` column and the outcomes (and
            `seed` and `run_key`, checked for pairing where present).
        outcomes: Columns to compare.
        lower_is_better: Outcomes where less is better (their advantage is reference minus
            treatment); for the model's summaries `sim.experiment.outcomes.LOWER_IS_BETTER`.
        treatment: Label of the treatment in `rules`.
        reference: Label of the reference.
        pressure: The swept column.
        ranges: {name: (start, end)} ranges of the pressure for slopes (default: `BUDGET_RANGES`
            for `budget_growth`, else the whole range).
        level: Confidence level of every interval.
        resamples: Bootstrap resamples of every interval.
        seed: Base seed of the bootstrap (default: the runs' `seed`, else 0).

    Returns:
        A `Crossover`: `advantages` (one row per outcome and pressure), `crossings` (one row per
        outcome and crossing, or one NaN row when there is none) and `slopes` (one row per
        outcome and range).
    """
    if seed is None:
        seed = int(runs["seed"].iloc[0]) if "seed" in runs.columns else 0
    if ranges is None:
        ranges = BUDGET_RANGES if pressure == "budget_growth" else {"all": BUDGET_RANGES["all"]}
    adv, cross, slopes = [], [], []
    for outcome in outcomes:
        pair = paired(runs, outcome, treatment, reference, pressure, lower_is_better)
        boot = resampled_advantages(pair, resamples, seed)
        rows = advantage_rows(pair, level, resamples, seed)
        adv += rows
        cross += crossing_rows(pair, boot, level, [r["verdict"] for r in rows])
        slopes += slope_rows(pair, boot, level, ranges)
    return Crossover(
        pressure, treatment, reference, pd.DataFrame(adv), pd.DataFrame(cross), pd.DataFrame(slopes)
    )
