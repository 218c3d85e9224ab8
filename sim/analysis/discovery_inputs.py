"""Which inputs PRIM may restrict: the few that matter, chosen by feature scoring.

Over a design of dozens of priors and a few hundred points, PRIM peels on whichever input happens
to separate the cases a little better at each step, and ends with a box of twenty restrictions
none of which is significant alone (docs/discovery.md). Scenario discovery therefore screens the
inputs first (Bryant and Lempert 2010; Kwakkel 2017, the EMA workbench's `feature_scoring`): an
extra-trees classifier (scikit-learn, seeded) scores each input by its impurity importance for
telling the case of interest from the rest, and PRIM sees the `k` inputs with the highest scores.
The CART tree needs no screening: it picks its own splits among every input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.discovery_rules import _module

TREES = 300  # extra trees: enough that the ranking of the leading inputs is stable


def feature_scores(x: pd.DataFrame, y, seed: int = 0) -> pd.Series:
    """Each input's extra-trees importance for telling the points where `y` holds from the rest.

    Args:
        x: The inputs, one numeric column each, one row per point.
        y: Whether each point is a case of interest.
        seed: The forest's random state.

    Returns:
        The scores (summing to 1), highest first; ties keep the design's column order.
    """
    ensemble = _module("sklearn.ensemble")
    forest = ensemble.ExtraTreesClassifier(n_estimators=TREES, random_state=seed, n_jobs=1)
    forest.fit(x.to_numpy(dtype=float), np.asarray(y, dtype=bool))
    scores = pd.Series(forest.feature_importances_, index=list(x.columns))
    return scores.sort_values(ascending=False, kind="stable")


def screen(x: pd.DataFrame, y, k: int | None, seed: int = 0) -> list[str]:
    """The `k` inputs with the highest scores, in the design's column order (all when k is None
    or at least the number of inputs, or when y holds everywhere or nowhere)."""
    y = np.asarray(y, dtype=bool)
    if k is None or k >= x.shape[1] or y.all() or not y.any():
        return list(x.columns)
    chosen = set(feature_scores(x, y, seed).index[:k])
    return [c for c in x.columns if c in chosen]
