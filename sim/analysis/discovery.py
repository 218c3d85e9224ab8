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

`discover` runs all three. The references: Friedman and Fisher (1999) for PRIM, Bryant and
Lempert (2010) for scenario discovery (docs/references.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis import discovery_text
from sim.analysis.discovery_rules import Box, Tree, cart_tree, prim_box
from sim.core.checks import check_int, check_seed
from sim.core.constants import SUMMARIES
from sim.core.params import ParameterError, parameter
from sim.core.priors import resolve

PRESSURE = "budget_growth"
PRESSURE_RANGE = (-0.02, 0.06)  # from funding cuts to the NHS's 2000s growth
TREATMENT = "shared_governance"
REFERENCE = "fortress"
OUTCOME = "system_deficit"
CASES = ("wins", "fails", "neither")
MIN_POINTS = 10


def design(
    n_points: int,
    seed: int = 0,
    *,
    priors=True,
    pressure: str | None = PRESSURE,
    pressure_range: tuple[float, float] = PRESSURE_RANGE,
    scenario: str = "place_system",
) -> pd.DataFrame:
    """A seeded Latin hypercube over the priors and funding pressure.

    Args:
        n_points: Design points (at least 10).
        seed: Seed of the hypercube (the same seed gives the same design).
        priors: The priors, in any form `sim.core.priors.resolve` takes (True: every prior of
            the table the scenario accepts); a prior on `pressure` is replaced by its range.
        pressure: The funding-pressure parameter, drawn uniformly over `pressure_range`, or None.
        pressure_range: (low, high) of the pressure parameter, inside its allowed range.
        scenario: The world whose parameters are drawn.

    Returns:
        One row per point, one column per parameter (the priors' order, then the pressure).
    """
    from scipy.stats import qmc

    n_points = check_int(n_points, "points", MIN_POINTS)
    seed = check_seed(seed)
    chosen = [p for p in resolve(priors, scenario) if p.name != pressure]
    if pressure is not None:
        _check_range(pressure, pressure_range)
    dims = len(chosen) + (pressure is not None)
    if dims == 0:
        raise ParameterError("priors: none chosen and no pressure; allowed: at least one input")
    u = qmc.LatinHypercube(d=dims, rng=np.random.default_rng(seed)).random(n_points)
    columns = {p.name: p.ppf(u[:, i]) for i, p in enumerate(chosen)}
    if pressure is not None:
        low, high = pressure_range
        columns[pressure] = low + (high - low) * u[:, -1]
    return pd.DataFrame(columns)


def _check_range(name: str, bounds) -> None:
    spec = parameter(name)
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} range={bounds!r}; allowed: two numbers (low, high)") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ParameterError(f"{name} range={bounds!r}; allowed: finite low < high")
    if low < spec.low or high > spec.high:
        raise ParameterError(f"{name} range={bounds!r}; allowed: inside {spec.allowed()}")


def check_outcomes(outcomes) -> list[str]:
    """Outcome names as a list, each a run summary, or a one-line ParameterError."""
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not outcomes:
        raise ParameterError("outcome: none given; allowed: one or more run summaries")
    for o in outcomes:
        if o not in SUMMARIES:
            raise ParameterError(
                f"outcome={o!r} is not a run summary; allowed: {', '.join(SUMMARIES)}"
            )
    return list(dict.fromkeys(outcomes))


def paired_differences(
    runs: pd.DataFrame,
    treatment: str,
    reference: str,
    outcomes,
    inputs: Sequence[str],
    *,
    keys: Sequence[str] = ("point", "replicate"),
    by: Sequence[str] | None = ("point",),
) -> pd.DataFrame:
    """Treatment minus reference on each outcome, paired on `keys`, averaged within `by`.

    Works on any table of runs with a `rules` column (`run_many`'s output, or the summaries of an
    experiment's results folder): the rows of the treatment and of the reference that share
    `keys` are a pair.

    Args:
        runs: One row per run.
        treatment, reference: Labels in the `rules` column.
        outcomes: Outcome columns.
        inputs: Input columns, carried from the treatment's rows.
        keys: Columns identifying a pair.
        by: Columns to average the pairs within (a design point), or None for one row per pair.

    Returns:
        One row per group (or pair): the inputs, `replicates` (pairs averaged), and for each
        outcome `<o>_treatment`, `<o>_reference`, `<o>_difference` (means) and
        `<o>_difference_sd` (sd of the paired differences, 0 for one pair).
    """
    outcomes, keys = check_outcomes(outcomes), list(keys)
    labels = set(runs["rules"]) if "rules" in runs else set()
    for name, label in (("treatment", treatment), ("reference", reference)):
        if label not in labels:
            raise ParameterError(f"{name}={label!r} has no runs; allowed: {sorted(labels)}")
    missing = [c for c in [*keys, *inputs, *outcomes, *(by or ())] if c not in runs]
    if missing:
        raise ParameterError(f"runs has no column {missing[0]!r}; allowed: {list(runs.columns)}")
    t = runs[runs["rules"] == treatment].set_index(keys)
    r = runs[runs["rules"] == reference].set_index(keys)
    if not t.index.is_unique or not t.index.sort_values().equals(r.index.sort_values()):
        raise ParameterError(f"keys {keys} do not pair {treatment!r} with {reference!r} one to one")
    r = r.loc[t.index]
    carried = [c for c in inputs if c not in keys]
    pairs = t[carried].copy()
    for o in outcomes:
        pairs[f"{o}_treatment"] = t[o].to_numpy()
        pairs[f"{o}_reference"] = r[o].to_numpy()
        pairs[f"{o}_difference"] = t[o].to_numpy() - r[o].to_numpy()
    pairs = pairs.reset_index()
    if not by:
        return pairs.assign(replicates=1)
    grouped = pairs.groupby(list(by), sort=True)
    out = grouped[[c for c in carried if c not in by]].first()
    for o in outcomes:
        cols = [f"{o}_treatment", f"{o}_reference", f"{o}_difference"]
        out[cols] = grouped[cols].mean()
        out[f"{o}_difference_sd"] = grouped[f"{o}_difference"].std(ddof=1).fillna(0.0)
    out["replicates"] = grouped.size()
    return out.reset_index()


def run_pairs(
    points: pd.DataFrame,
    treatment: str = TREATMENT,
    reference: str = REFERENCE,
    outcomes=(OUTCOME,),
    *,
    replicates: int = 3,
    months: int = 120,
    seed: int = 0,
    threads: int | None = None,
    progress: bool = False,
    scenario: str = "place_system",
    **params,
) -> pd.DataFrame:
    """Run the treatment and the reference at every point (`run_many`, paired replicates) and
    return `paired_differences` per point, the point's inputs first."""
    from sim.engine.batch import run_many

    outcomes = check_outcomes(outcomes)
    if treatment == reference:
        raise ParameterError(f"reference={reference!r} is the treatment; allowed: another rule set")
    runs = run_many(
        [treatment, reference],
        replicates=replicates,
        months=months,
        seed=seed,
        points=points,
        threads=threads,
        progress=progress,
        scenario=scenario,
        **params,
    )
    t_label, r_label = list(dict.fromkeys(runs["rules"]))
    return paired_differences(runs, t_label, r_label, outcomes, list(points.columns))


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
    """
    column = column or f"{outcome}_difference"
    if column not in frame:
        raise ParameterError(
            f"column={column!r} is not in the table; allowed: {list(frame.columns)}"
        )
    threshold, min_density, mass_min, peel_alpha, significance, max_depth = check_options(
        threshold, min_density, mass_min, peel_alpha, significance, max_depth
    ).values()
    inputs = list(inputs) if inputs is not None else default_inputs(frame, column)
    advantage = frame[column].to_numpy(dtype=float) * (-1.0 if lower_is_better else 1.0)
    case = np.where(
        advantage > threshold, "wins", np.where(advantage < -threshold, "fails", "neither")
    )
    out = frame.copy()
    out["advantage"], out["case"] = advantage, case
    x = out[inputs]
    prim_options = dict(
        min_density=min_density, mass_min=mass_min, peel_alpha=peel_alpha, significance=significance
    )
    boxes = {c: prim_box(x, case == c, c, **prim_options) for c in ("fails", "wins")}
    tree = cart_tree(x, case, max_depth=max_depth, mass_min=mass_min)
    return Discovery(
        out,
        inputs,
        outcome,
        treatment,
        reference,
        lower_is_better,
        threshold,
        min_density,
        boxes,
        tree,
    )


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
