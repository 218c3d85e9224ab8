"""Graduated against flat sanctions, at system level: shared governance with its sanctions
graduated (a warning first, then fines rising past the flat level with repetition) against the
same rules with every detected breach fined at the flat level, paired on common random numbers at
each funding pressure. The `graduated_sanctions` principle switches the fine's severity too (it
compares sanctions with none); this compares the two kinds of sanction. Graduation has no running
cost, so nothing here is a cost taken for a mechanism.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.principles import LEVEL, PRESSURE, PRESSURES, RESAMPLES, SEED, paired_effect
from sim.core.rules import PRESETS
from sim.engine.batch import run_many

OUTCOMES = (
    "breaches_detected",
    "fines",
    "mean_cooperation",
    "mean_trust",
    "system_deficit",
    "population_health",
)


def graduated_against_flat(
    pressures=PRESSURES,
    replicates: int = 40,
    months: int = 120,
    seed: int = SEED,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    outcomes=OUTCOMES,
    **params,
) -> pd.DataFrame:
    """Flat minus graduated sanctions under shared governance, outcome by outcome.

    Args:
        pressures: Values of `budget_growth` to sweep.
        replicates: Paired replicates of each rule set at each pressure.
        months: Months per run.
        seed: Base seed of the runs and of the bootstrap.
        level: Confidence level of the paired intervals.
        resamples: Bootstrap resamples per interval.
        outcomes: Run summaries to compare.
        **params: Other scenario parameters, fixed at every pressure.

    Returns:
        One row per (pressure, outcome): `pressure` and the columns of `paired_effect` (variant:
        flat sanctions; base: graduated, as in shared governance).
    """
    graduated = PRESETS["shared_governance"]
    flat = graduated.with_levers(graduated_sanctions=False)
    rows = []
    for pressure in pressures:
        runs = run_many(
            [graduated, flat],
            replicates=replicates,
            months=months,
            seed=seed,
            **{PRESSURE: float(pressure)},
            **params,
        )
        base = runs[runs["rules"] == graduated.name].sort_values("replicate")
        other = runs[runs["rules"] == flat.name].sort_values("replicate")
        for outcome in outcomes:
            tag = f"flat|{pressure!r}|{outcome}"
            effect = paired_effect(
                other[outcome].to_numpy(), base[outcome].to_numpy(), level, resamples, seed, tag
            )
            rows.append({"pressure": float(pressure), "outcome": outcome, **effect})
    return pd.DataFrame(rows)
