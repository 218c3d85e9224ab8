"""Scenario discovery's runs: the design over the priors and funding pressure, and the paired
differences of a treatment and a reference at every design point (`sim.analysis.discovery`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.checks import check_int, check_seed
from sim.core.constants import SUMMARIES
from sim.core.params import ParameterError, parameter
from sim.core.priors import resolve

PRESSURE = "budget_growth"
PRESSURE_RANGE = (-0.02, 0.06)  # from funding cuts to the NHS's 2000s growth
TREATMENT = "shared_governance"
REFERENCE = "fortress"
OUTCOME = "system_deficit"
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
    dims = len(design_inputs(priors, pressure, scenario))
    u = qmc.LatinHypercube(d=dims, rng=np.random.default_rng(seed)).random(n_points)
    columns = {p.name: p.ppf(u[:, i]) for i, p in enumerate(chosen)}
    if pressure is not None:
        low, high = pressure_range
        columns[pressure] = low + (high - low) * u[:, -1]
    return pd.DataFrame(columns)


def design_inputs(
    priors=True, pressure: str | None = PRESSURE, scenario: str = "place_system"
) -> list[str]:
    """The columns `design` makes with these arguments (the inputs of scenario discovery),
    without making it."""
    names = [p.name for p in resolve(priors, scenario) if p.name != pressure]
    names += [pressure] if pressure is not None else []
    if not names:
        raise ParameterError("priors: none chosen and no pressure; allowed: at least one input")
    return names


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
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    keys = list(keys)
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
    common_seeds: bool = False,
    threads: int | None = None,
    progress: bool = False,
    scenario: str = "place_system",
    **params,
) -> pd.DataFrame:
    """Run the treatment and the reference at every point and return `paired_differences` per
    point, the point's inputs first.

    Within a point, replicate j of both rule sets shares its random numbers (a pair). Between
    points the random numbers differ: point i runs with base seed `seed + i`, so the seed noise of
    a few replicates is independent from point to point, as PRIM and CART assume, instead of one
    shared draw that could shift every point alike and pass for a region. `common_seeds=True`
    runs every point with base seed `seed` in one `run_many` call (faster; the same replicates
    everywhere).
    """
    from sim.engine.batch import run_many

    outcomes = check_outcomes(outcomes)
    if treatment == reference:
        raise ParameterError(f"reference={reference!r} is the treatment; allowed: another rule set")
    seed = check_seed(seed)
    check_seed(seed + (0 if common_seeds else len(points) - 1), "seed + points - 1")
    common = dict(replicates=replicates, months=months, threads=threads, scenario=scenario)
    rules = [treatment, reference]
    if common_seeds:
        runs = run_many(rules, seed=seed, points=points, progress=progress, **common, **params)
    else:
        runs = pd.concat(
            [
                run_many(rules, seed=seed + i, points=points.iloc[[i]], **common, **params).assign(
                    point=i
                )
                for i in _progress(range(len(points)), progress)
            ],
            ignore_index=True,
        )
    t_label, r_label = list(dict.fromkeys(runs["rules"]))
    return paired_differences(runs, t_label, r_label, outcomes, list(points.columns))


def _progress(items, show: bool):
    """`items`, under a progress bar of design points when `show`."""
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, unit="point", desc="design points")
