"""The parameters that drive a result: rank correlations over parameter draws.

For one value per draw (for example the mean advantage of a rule set over another at the draw's
parameter set) and the drawn parameters' values, `drivers` ranks the parameters by the absolute
Spearman rank correlation (`scipy.stats.spearmanr`), marks a correlation significant when its p
value is below (1 - level) / m with m the number of parameters (Bonferroni), and adds the partial
rank correlation coefficient (PRCC): the correlation of the residuals of rank(x_j) and rank(y)
after a least-squares fit on the other parameters' ranks (with an intercept; computed from the
inverse of the rank correlation matrix, which gives the same number), with its p value
from Student's t on n - 2 - (m - 1) degrees of freedom. Used by `sim.analysis.uncertainty`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats


def _prcc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial rank correlation of y with each column of x, and its p value (Student's t).

    The correlation of the two residuals equals -P_jy / sqrt(P_jj P_yy), P the inverse of the
    rank correlation matrix of the varying columns and y: one inversion instead of two
    least-squares fits per parameter (with 86 priors: 172 fits of a 1,000 x 86 system).
    """
    n, m = x.shape
    r = np.full(m, math.nan)
    p = np.full(m, math.nan)
    df = n - 2 - (m - 1)
    rx = np.column_stack([_scipy_stats.rankdata(x[:, j]) for j in range(m)])
    ry = _scipy_stats.rankdata(y)
    varying = np.flatnonzero(rx.std(axis=0) > 0)  # a constant column explains nothing
    if df < 1 or ry.std() == 0 or not varying.size:
        return r, p
    inv = np.linalg.pinv(np.corrcoef(np.column_stack([rx[:, varying], ry]), rowvar=False))
    diag = np.diag(inv)
    partial = -inv[:-1, -1] / np.sqrt(diag[:-1] * diag[-1])
    r[varying] = np.clip(partial, -1.0, 1.0)
    t = r[varying] * np.sqrt(df / np.maximum(1e-300, 1.0 - r[varying] ** 2))
    p[varying] = 2 * _scipy_stats.t.sf(np.abs(t), df)
    return r, p


def drivers(values: pd.DataFrame, advantage, level: float, prcc: bool = True) -> pd.DataFrame:
    """The parameters that drive the advantage, ranked by |Spearman rho|.

    Args:
        values: One row per draw, one column per drawn parameter.
        advantage: The draw's mean advantage, aligned with `values`.
        level: Confidence level: significant means p < (1 - level) / number of parameters.
        prcc: Also compute partial rank correlations.

    Returns:
        Columns parameter, rho, p_value, significant, prcc, prcc_p, rank (1 = strongest); NaN
        where a parameter or the advantage does not vary.
    """
    y = np.asarray(advantage, dtype=float)
    names = list(values.columns)
    x = values.to_numpy(dtype=float)
    rows = []
    for j, name in enumerate(names):
        if len(y) < 3 or np.ptp(x[:, j]) == 0 or np.ptp(y) == 0:
            rho, p = math.nan, math.nan
        else:
            res = _scipy_stats.spearmanr(x[:, j], y)
            rho, p = float(res.statistic), float(res.pvalue)
        rows.append({"parameter": name, "rho": rho, "p_value": p})
    out = pd.DataFrame(rows, columns=["parameter", "rho", "p_value"])
    threshold = (1.0 - level) / max(1, len(names))
    out["significant"] = out["p_value"] < threshold
    varies = [j for j in range(len(names)) if np.ptp(x[:, j]) > 0] if len(y) else []
    out["prcc"], out["prcc_p"] = math.nan, math.nan
    if prcc and len(varies) >= 2 and np.ptp(y) > 0:
        r, p = _prcc(x[:, varies], y)
        out.loc[varies, "prcc"], out.loc[varies, "prcc_p"] = r, p
    out = out.iloc[np.argsort(-out["rho"].abs().fillna(-1.0).to_numpy(), kind="stable")]
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)
