"""Scenario discovery: where does shared governance win, or fail, against fortress?

Three steps, kept apart so that the analysis works on any results:

1. `design`: a Latin hypercube over the priors (`sim.core.priors`), mapped through each prior's
   quantile function, and over funding pressure (`budget_growth`, uniform over a chosen range).
2. `run_pairs`: a treatment and a reference rule set at every design point, a few replicates
   each with common random numbers (`run_many`), reduced by `paired_differences` to the mean
   paired difference per point on each outcome.
3. `analyse`: from a table of inputs and a paired difference, the points where the treatment
   wins (its advantage beyond a threshold) or fails (beyond it the other way), the PRIM box of
   each (`sim.analysis.discovery_rules`) and a CART tree, stated in words
   (`sim.analysis.discovery_text`).

Steps 1 and 2 live in `sim.analysis.discovery_runs` and are re-exported here. `discover` runs
all three. The references: Friedman and Fisher (1999) for PRIM, Bryant and
Lempert (2010) for scenario discovery (docs/references.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis import discovery_text
from sim.analysis.discovery_inputs import screen
from sim.analysis.discovery_rules import Box, Tree, cart_tree, prim_box
from sim.analysis.discovery_runs import (
    MIN_POINTS,
    OUTCOME,
    PRESSURE,
    PRESSURE_RANGE,
    REFERENCE,
    TREATMENT,
    check_outcomes,
    design,
    design_inputs,
    paired_differences,
    run_pairs,
)
from sim.core.checks import check_int
from sim.core.params import ParameterError

CASES = ("wins", "fails", "neither")
PRIM_INPUTS = 8  # inputs PRIM may restrict for each case, screened by feature scoring
__all__ = [
    "CASES",
    "MIN_POINTS",
    "OUTCOME",
    "PRESSURE",
    "PRESSURE_RANGE",
    "REFERENCE",
    "TREATMENT",
    "Discovery",
    "analyse",
    "check_options",
    "check_outcomes",
    "classify",
    "default_inputs",
    "design",
    "design_inputs",
    "discover",
    "paired_differences",
    "run_pairs",
]


@dataclass
class Discovery:
    """What scenario discovery found for one outcome.

    Attributes:
        frame: The inputs, the paired difference, `advantage` (signed so that positive is better
            for the treatment) and `case` ("wins", "fails" or "neither") per point.
        inputs: The input columns.
        outcome, treatment, reference: What was compared.
        lower_is_better: The outcome's direction.
        threshold: The advantage beyond which the treatment wins (or below minus it, fails).
        min_density: The density level of the box rule.
        boxes: The PRIM box of each case ("wins", "fails"), or None when no point (or every
            point) is that case.
        tree: The CART tree classifying the points into the three cases.
        significance: The quasi-p level above which a box's restrictions were dropped.
        screened: The inputs PRIM could restrict for each case (`sim.analysis.discovery_inputs`).
    """

    frame: pd.DataFrame = field(repr=False)
    inputs: list[str]
    outcome: str
    treatment: str
    reference: str
    lower_is_better: bool
    threshold: float
    min_density: float
    boxes: dict[str, Box | None]
    tree: Tree = field(repr=False)
    significance: float | None = None
    screened: dict[str, list[str]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Points of each case."""
        return {c: int((self.frame["case"] == c).sum()) for c in CASES}

    @property
    def text(self) -> str:
        """The conditions in plain words."""
        return discovery_text.words(self)

    def markdown(self, level: int = 2) -> str:
        """The words, the PRIM trajectories and boxes, and the CART rules, as Markdown."""
        return discovery_text.markdown(self, level)


def analyse(
    frame: pd.DataFrame,
    outcome: str = OUTCOME,
    *,
    lower_is_better: bool,
    inputs: Sequence[str] | None = None,
    column: str | None = None,
    threshold: float = 0.0,
    treatment: str = TREATMENT,
    reference: str = REFERENCE,
    min_density: float = 0.8,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    significance: float | None = 0.05,
    max_depth: int = 3,
    prim_inputs: int | None = PRIM_INPUTS,
) -> Discovery:
    """Find where the treatment wins and fails, from a table of inputs and outcomes.

    Args:
        frame: One row per point (or pair).
        outcome: The outcome compared (its name, for the words).
        lower_is_better: Whether less of the outcome is better (the experiment layer's
            `sim.experiment.outcomes.direction`).
        inputs: The input columns (default: every numeric column that is not an outcome column).
        column: The treatment-minus-reference column (default `<outcome>_difference`).
        threshold: The treatment wins where its advantage exceeds this, fails where it is below
            minus this (in the outcome's units, >= 0).
        treatment, reference: Their names, for the words.
        min_density: The density the reported PRIM box should reach (`choose_box`).
        mass_min: The smallest share of points in a PRIM box or a CART leaf.
        peel_alpha: PRIM's peeling share.
        significance: Drop a box's restrictions whose quasi-p values exceed this (None: keep).
        max_depth: The depth limit of the CART tree.
        prim_inputs: The number of inputs PRIM may restrict, the highest by feature scoring for
            each case (`sim.analysis.discovery_inputs.screen`); None lets it restrict any.
    """
    o = check_options(threshold, min_density, mass_min, peel_alpha, significance, max_depth)
    column = column or f"{outcome}_difference"
    if column not in frame:
        raise ParameterError(f"column={column!r} is not in the table; allowed: {list(frame)}")
    inputs = list(inputs) if inputs is not None else default_inputs(frame, column)
    advantage = frame[column].to_numpy(dtype=float) * (-1.0 if lower_is_better else 1.0)
    if not np.isfinite(advantage).all():
        raise ParameterError(f"{column} holds NaN or infinity; allowed: finite differences")
    case = classify(advantage, o["threshold"])
    out = frame.assign(advantage=advantage, case=case)
    prim = {k: o[k] for k in ("min_density", "mass_min", "peel_alpha", "significance")}
    screened = {c: screen(out[inputs], case == c, prim_inputs) for c in ("fails", "wins")}
    boxes = {c: prim_box(out[screened[c]], case == c, c, **prim) for c in ("fails", "wins")}
    tree = cart_tree(out[inputs], case, max_depth=o["max_depth"], mass_min=o["mass_min"])
    return Discovery(
        out, inputs, outcome, treatment, reference, lower_is_better, o["threshold"],
        o["min_density"], boxes, tree, o["significance"], screened,
    )  # fmt: skip


def classify(advantage, threshold: float) -> np.ndarray:
    """Each point's case: "wins" where the advantage exceeds `threshold`, "fails" where it is
    below minus `threshold`, else "neither"."""
    advantage = np.asarray(advantage, dtype=float)
    wins, fails = advantage > threshold, advantage < -threshold
    return np.where(wins, "wins", np.where(fails, "fails", "neither"))


def default_inputs(frame: pd.DataFrame, column: str) -> list[str]:
    """The numeric columns of a table that are inputs: not outcome columns, keys or constants."""
    skip = {"point", "replicate", "seed", "run", "replicates", "advantage", column}
    suffixes = ("_treatment", "_reference", "_difference", "_difference_sd")
    inputs = [
        c
        for c in frame.columns
        if c not in skip
        and not str(c).endswith(suffixes)
        and pd.api.types.is_numeric_dtype(frame[c])
        and frame[c].nunique() > 1
    ]
    if not inputs:
        raise ParameterError("inputs: the table has no varying numeric input; allowed: name them")
    return inputs


def check_options(threshold, min_density, mass_min, peel_alpha, significance, max_depth) -> dict:
    """The analysis options of `analyse`, checked (one-line ParameterError) and as a dict."""
    return {
        "threshold": _fraction_or_number("threshold", threshold, upper=None),
        "min_density": _fraction_or_number("min_density", min_density, upper=1.0),
        "mass_min": _fraction_or_number("mass_min", mass_min, upper=0.5),
        "peel_alpha": _fraction_or_number("peel_alpha", peel_alpha, upper=0.5),
        "significance": None
        if significance is None
        else _fraction_or_number("significance", significance, upper=1.0),
        "max_depth": check_int(max_depth, "max_depth", 1, 10),
    }


def _fraction_or_number(name: str, value, upper: float | None) -> float:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok and math.isfinite(value) and value >= 0 and (upper is None or 0 < value <= upper):
        return float(value)
    allowed = "a number >= 0" if upper is None else f"a number in (0, {upper:g}]"
    raise ParameterError(f"{name}={value!r}; allowed: {allowed}")


def discover(
    treatment: str = TREATMENT,
    reference: str = REFERENCE,
    outcome: str = OUTCOME,
    *,
    lower_is_better: bool,
    n_points: int = 200,
    replicates: int = 3,
    months: int = 120,
    seed: int = 0,
    priors=True,
    pressure_range: tuple[float, float] = PRESSURE_RANGE,
    threads: int | None = None,
    progress: bool = False,
    **options,
) -> Discovery:
    """Design, run and analyse in one call: where `treatment` wins or fails against `reference`.

    `options` go to `analyse` (threshold, min_density, mass_min, peel_alpha, max_depth).

    Example:
        >>> d = discover(outcome="system_deficit", lower_is_better=True, n_points=300)
        >>> print(d.text)
    """
    points = design(n_points, seed, priors=priors, pressure_range=pressure_range)
    frame = run_pairs(
        points,
        treatment,
        reference,
        [outcome],
        replicates=replicates,
        months=months,
        seed=seed,
        threads=threads,
        progress=progress,
    )
    return analyse(
        frame,
        outcome,
        lower_is_better=lower_is_better,
        inputs=list(points.columns),
        treatment=treatment,
        reference=reference,
        **options,
    )
