"""The comparison over seeds and parameters in plain words: one sentence per rule set and outcome.

For example: "shared_governance is better than fortress on population health in 91% of 1,000
parameter draws; over the parameters alone the difference (shared_governance minus fortress,
higher is better) ranges from -0.0103 to 0.0817; it depends most on prevention_effect (Spearman
rho of the advantage +0.62)." The numbers are those of `sim.analysis.uncertainty.Comparison`.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.tables import fmt_level
from sim.analysis.uncertainty import Comparison


def short(v: float) -> str:
    """A number to 3 significant digits, for a sentence ('n/a' for NaN)."""
    return "n/a" if math.isnan(v) else f"{v:.3g}"


def share_in_words(p: float, n: int) -> str:
    """'in 91% of 1,000 parameter draws', 'in all 1,000 ...', 'in none of the 1,000 ...'."""
    draws = f"{n:,} parameter draw{'s' if n != 1 else ''}"
    if math.isnan(p):
        return f"in an unknown share of {draws}"
    if p == 1.0:
        return f"in all {draws}" if n > 1 else f"in the one {draws}"
    if p == 0.0:
        return f"in none of the {draws}"
    return f"in {percent(p)} of {draws}"


def percent(p: float) -> str:
    """A share as a percentage that never rounds to 0% or 100% unless it is: '91%', '99.75%'."""
    pct = 100 * p
    if 1 <= pct <= 99:
        return f"{pct:.0f}%"
    for digits in range(1, 8):
        shown = f"{pct:.{digits}g}" if pct < 1 else f"{pct:.{digits + 2}g}"
        if 0 < float(shown) < 100:
            return f"{shown}%"
    return f"{pct}%"


def percent_or_words(p: float) -> str:
    """'all', 'none' or a percentage."""
    return "all" if p == 1.0 else "none" if p == 0.0 else percent(p)


def _driver_clause(drv: pd.DataFrame) -> str:
    """What the advantage depends on most, or that no drawn parameter moves it beyond noise."""
    firm = drv[drv["significant"].astype(bool)]
    if drv.empty:
        return "no parameter was drawn"
    if firm.empty:
        return "no drawn parameter moves it beyond noise"
    top = firm.iloc[0]
    text = f"it depends most on {top['parameter']} (Spearman rho {top['rho']:+.2f})"
    if len(firm) > 1:
        text = text[:-1] + f"; then {firm.iloc[1]['parameter']}, {firm.iloc[1]['rho']:+.2f})"
    return text


def verdict(row, drv: pd.DataFrame, reference: str, level: float) -> str:
    """The sentence of one summary row of a `Comparison` and its drivers.

    Args:
        row: A row of `Comparison.summary` (a named tuple or Series).
        drv: The rows of `Comparison.drivers` of the same rules and outcome, ranked.
        reference: The reference rule set.
        level: The confidence level (the central share of the range given).

    Returns:
        One sentence, ending with a full stop.
    """
    t, outcome = row.rules, row.outcome.replace("_", " ")
    n, k = int(row.n_draws), int(row.seeds_per_draw)
    if row.separable:
        where = (
            f"{share_in_words(row.p_better_parameters, n)} once seed noise is taken out "
            f"({percent_or_words(row.p_better_draws)} of the draws as run, {k} seeds each)"
        )
    else:
        where = f"{share_in_words(row.p_better_draws, n)} (one seed each: seed noise included)"
    if row.direction == "neither":
        head = f"{t} has a higher {outcome} than {reference} {where}"
        diff = f"the difference ({t} minus {reference}, neither better higher nor lower)"
        signed = "difference"
    else:
        head = f"{t} is better than {reference} on {outcome} {where}"
        diff = f"the difference ({t} minus {reference}, {row.direction} is better)"
        signed = "advantage"
    if row.separable:
        over = "over the parameters alone"
    else:
        over = "over parameters and seeds together (one seed per draw: they cannot be separated)"
    if row.separable and row.sd_parameters == 0.0:
        span = f"the parameters move {diff} less than seed noise can show"
    else:
        span = (
            f"{over} {diff} ranges from {short(row.parameters_low)} to "
            f"{short(row.parameters_high)} (central {fmt_level(level)})"
        )
    if row.low <= 0.0 <= row.high:
        span += (
            f"; its mean, {short(row.mean)} [{short(row.low)}, {short(row.high)}], is no "
            "different from 0"
        )
    clause = _driver_clause(drv).replace("Spearman rho", f"Spearman rho of the {signed}")
    return f"{head}; {span}; {clause}."


def verdicts(comp: Comparison) -> pd.DataFrame:
    """Every verdict of a comparison: columns rules, outcome, verdict (in the summary's order)."""
    rows = []
    for r in comp.summary.itertuples():
        drv = comp.drivers[
            (comp.drivers["rules"] == r.rules) & (comp.drivers["outcome"] == r.outcome)
        ]
        rows.append(
            {
                "rules": r.rules,
                "outcome": r.outcome,
                "verdict": verdict(r, drv, comp.reference, comp.level),
            }
        )
    return pd.DataFrame(rows, columns=["rules", "outcome", "verdict"])
