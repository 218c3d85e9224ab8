"""Means with t confidence intervals over runs, as the validation tables and notebooks show them.

The interval is `sim.analysis.stats.t_interval`; every function takes the confidence `level`
(default `LEVEL`, the level docs/validation.md states).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.stats import t_interval
from sim.analysis.tables import fmt_ci

LEVEL = 0.95  # default confidence level of the validation figures

__all__ = ["LEVEL", "ci_table", "ci_text", "fmt_ci", "mean_ci", "series_ci"]


def mean_ci(values, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and its t confidence interval at `level`: (mean, low, high)."""
    return t_interval(values, level)


def ci_table(
    frame: pd.DataFrame, by: str, columns: Sequence[str], level: float = LEVEL
) -> pd.DataFrame:
    """Mean, lower and upper CI bound of each column for each group (columns: col, col_lo, col_hi)."""
    rows = {}
    for key, group in frame.groupby(by, sort=False):
        row = {}
        for col in columns:
            m, lo, hi = t_interval(group[col], level)
            row[col], row[f"{col}_lo"], row[f"{col}_hi"] = m, lo, hi
        rows[key] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out


def ci_text(
    frame: pd.DataFrame, by: str, columns: Sequence[str], digits: int = 3, level: float = LEVEL
) -> pd.DataFrame:
    """Like `ci_table`, but one readable "mean [lo, hi]" cell per group and column."""
    ci = ci_table(frame, by, columns, level)
    return pd.DataFrame(
        {
            c: [fmt_ci(r[c], r[f"{c}_lo"], r[f"{c}_hi"], digits) for _, r in ci.iterrows()]
            for c in columns
        },
        index=ci.index,
    )


def series_ci(series: pd.DataFrame, column: str, level: float = LEVEL) -> pd.DataFrame:
    """Per rule set and month: mean, lo, hi of a measure over replicates (long format)."""
    rows = []
    for (rules, month), group in series.groupby(["rules", "month"], sort=False):
        m, lo, hi = t_interval(group[column], level)
        rows.append((rules, month, m, lo, hi))
    return pd.DataFrame(rows, columns=["rules", "month", "mean", "lo", "hi"])
