"""Is any design principle inert? Paired effects of each principle, both ways, under funding pressure.

Issue 12 asks that no principle be inert: switched off from `shared_governance`, and switched on
alone in `fortress`, each principle must change at least one documented outcome by more than its
seed noise at some funding pressure. This module measures that through the public interface only
(`run_many` and `RuleSet`), iterating over whatever `sim.core.rules.PRINCIPLES` holds when it is
called, so it needs no knowledge of the mechanisms behind the levers.

Running is kept apart from analysis, as in the EMA workbench: `run_variants` runs the rule sets
and returns one row per run; `effects` turns those rows into paired differences and has no
knowledge of how they were made; `principle_effects` does both. Nothing here reads or writes
files (`scripts/principle_effects.py` writes docs/principles.md).

The directions, for a principle with levers L:

- `off_from_shared_governance`: `shared_governance` against `shared_governance.without(p)` (the
  levers L set as in fortress), labelled `shared_governance-p`;
- `on_in_fortress`: `fortress` against fortress with the levers L set as in shared governance,
  labelled `fortress+p`;
- `on_in_fortress_beside_requirements`, only for a principle that `requires` others (Ostrom's
  principles build on one another: sanctions fall in full on breaches an agreement defines and
  monitoring detects; alone, some act through a weaker path of their own, ODD 7.26): fortress
  with the required principles switched on (`fortress+r1+r2`) against the same with p switched
  on too (`fortress+r1+r2+p`).

Each difference is variant minus its base.

Funding pressure is the gap between the growth of need and the growth of the allocation. It is
swept through `budget_growth` (default -2%, 0%, 2% and 4% a year) with need growth
(`need_growth` + `ageing`) at its default of 2.5% a year, so the gaps are 4.5%, 2.5%, 0.5% and
-1.5% a year: from a squeeze harder than the NHS's lean decade to a budget growing faster than
need. Need growth is kept at its default so that need is the same at every pressure and only
money changes; the gaps follow the defaults of `need_growth` and `ageing` (or the values given).

Seeds and pairing (common random numbers): `run_many` gives replicate j of every rule set in one
call the run key j and the same base seed (`sim.engine.batch._plan` numbers the replicates of
each rule set 0..replicates-1, and `run_many` passes that number as the run key with one seed for
all runs). Every random draw of the kernel is keyed by (seed, run key, step, agent, purpose), so
replicate j of a variant and replicate j of its base see the same random numbers wherever their
rules do not make them diverge. `paired_runs` checks the pairing on the data frame (same seed,
same replicates, one row each) before any difference is taken, and two rule sets that differ in
nothing give a difference of exactly zero (tests/test_principle_effects_harness.py).

Seed noise: the difference d_j = variant_j - base_j over the n replicates has mean m and standard
error se = sd(d) / sqrt(n). An effect is beyond seed noise when |m| > z * se (z the normal
quantile of the confidence level: 1.96 at 95%) and the paired-bootstrap confidence interval of m
(`sim.analysis.stats.paired_difference_ci`, seeded by the base seed and a tag naming the
quantity) excludes 0. A difference that is the same in every replicate (se = 0, as a running cost
that depends only on the allocation) is beyond noise whenever it is not 0; a difference of
exactly 0 in every replicate never is. One guard is added against round-off: |m| must also exceed
`RESOLUTION` (1e-12) times the outcome's largest magnitude over all the runs compared, so that
differences of 1e-18 in an unmet need that is 0 up to round-off, or of 1e-14 in a trust that has
decayed to 1e-13, do not count as effects.

An effect beyond seed noise is not necessarily a principle's own mechanism at work: a lever with
a running cost (`governance_costs`) moves the pool, and what follows from it, through that cost
alone.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from sim.analysis.stats import paired_difference_ci
from sim.core.constants import SUMMARIES
from sim.core.params import ParameterError, defaults, parameters_for
from sim.core.rules import LEVERS, PRESETS, PRINCIPLES, RuleSet
from sim.engine.batch import run_many

OFF = "off_from_shared_governance"
ON = "on_in_fortress"
WITH = "on_in_fortress_beside_requirements"
DIRECTIONS = (OFF, ON, WITH)
# The base each direction's variant is compared with.
BASES = {OFF: "shared_governance", ON: "fortress"}
# What is swept, and its values (annual real growth of the allocation).
PRESSURE = "budget_growth"
PRESSURES = (-0.02, 0.0, 0.02, 0.04)
OUTCOMES = (
    "population_health",
    "system_deficit",
    "unmet_need",
    "provider_failures",
    "mean_cooperation",
    "mean_trust",
    "pool_balance",
    "delayed_discharges",
    "breaches_detected",
    "governance_costs",
    "transaction_costs",
)
LEVEL = 0.95
RESAMPLES = 2000
# Differences below this share of an outcome's largest magnitude in the runs are round-off.
RESOLUTION = 1e-12
SEED = 20250612
COLUMNS = (
    "principle",
    "direction",
    "pressure",
    "funding_gap",
    "outcome",
    "base",
    "variant",
    "levers_changed",
    "n",
    "base_mean",
    "variant_mean",
    "mean_difference",
    "se",
    "low",
    "high",
    "level",
    "z",
    "beyond_noise",
)


def requirements(principle: str) -> tuple[str, ...]:
    """The principles `principle` acts through (`PRINCIPLES[principle]["requires"]`), if any."""
    return tuple(PRINCIPLES[principle].get("requires", ()))


def _switched_on(base: RuleSet, principles, name: str) -> RuleSet:
    shared = PRESETS[BASES[OFF]]
    on = {lv: getattr(shared, lv) for p in principles for lv in PRINCIPLES[p]["levers"]}
    return base.with_levers(name=name, **on)


def base_of(principle: str, direction: str) -> RuleSet:
    """What a principle's variant is compared with: shared governance (off), fortress (on alone),
    or fortress with the principle's requirements switched on (on beside its requirements)."""
    _principles([principle])
    if direction == OFF:
        return PRESETS[BASES[OFF]]
    if direction == ON:
        return PRESETS[BASES[ON]]
    if direction == WITH:
        needs = requirements(principle)
        if not needs:
            return PRESETS[BASES[ON]]
        return _switched_on(PRESETS[BASES[ON]], needs, "+".join((BASES[ON], *needs)))
    raise ParameterError(f"direction={direction!r}; allowed: {', '.join(DIRECTIONS)}")


def variant(principle: str, direction: str) -> RuleSet:
    """The rule set of one principle in one direction (see the module docstring)."""
    base = base_of(principle, direction)
    if direction == OFF:
        return base.without(principle)
    return _switched_on(base, (principle,), f"{base.name}+{principle}")


def directions_of(principle: str) -> tuple[str, ...]:
    """The directions measured for a principle: beside its requirements only if it has some."""
    return DIRECTIONS if requirements(principle) else (OFF, ON)


def levers_changed(rules: RuleSet, base: RuleSet) -> tuple[str, ...]:
    """The levers whose values differ between two rule sets, in `LEVERS` order."""
    return tuple(k for k in LEVERS if getattr(rules, k) != getattr(base, k))


def _principles(principles) -> list[str]:
    chosen = list(PRINCIPLES) if principles is None else list(principles)
    for name in chosen:
        if name not in PRINCIPLES:
            raise ParameterError(
                f"principle={name!r} is not a design principle; valid: {', '.join(PRINCIPLES)}"
            )
    return chosen


def rule_sets(principles=None) -> list[RuleSet]:
    """The two bases, then each principle's base beside its requirements (if any) and its variant
    in each direction (principle-major); each rule set once."""
    out = {r.name: r for r in (PRESETS[BASES[OFF]], PRESETS[BASES[ON]])}
    for p in _principles(principles):
        for d in directions_of(p):
            for rules in (base_of(p, d), variant(p, d)):
                out.setdefault(rules.name, rules)
    return list(out.values())


def run_variants(
    principles=None,
    pressures=PRESSURES,
    replicates: int = 20,
    months: int = 120,
    seed: int = SEED,
    threads: int | None = None,
    progress=None,
    **params,
) -> pd.DataFrame:
    """Run both bases and every variant at every pressure: one `run_many` call per pressure.

    Args:
        principles: Names in `PRINCIPLES` (default: all of them, as they are at call time).
        pressures: Values of `budget_growth` to sweep.
        replicates: Seeded replicates of every rule set at every pressure (paired by run key).
        months: Months per run.
        seed: Base seed shared by every run.
        threads: numba threads (results do not depend on it).
        progress: Called as `progress(i, n, pressure)` before pressure i of n (0-based) runs.
        **params: Other scenario parameters, fixed at every pressure.

    Returns:
        `run_many`'s rows (one per run) of every pressure, with columns `pressure` (the value of
        `budget_growth`) and `funding_gap` (`need_growth` + `ageing` - `budget_growth`).
    """
    if PRESSURE in params:
        raise ParameterError(f"{PRESSURE} is swept by `pressures`; allowed: not given in params")
    growth = {**defaults("place_system"), **params}
    need = float(growth["need_growth"]) + float(growth["ageing"])
    rules = rule_sets(principles)
    frames = []
    for i, pressure in enumerate(pressures):
        if progress is not None:
            progress(i, len(pressures), pressure)
        frame = run_many(
            rules,
            replicates=replicates,
            months=months,
            seed=seed,
            threads=threads,
            **{PRESSURE: float(pressure)},
            **params,
        )
        frame.insert(1, "pressure", float(pressure))
        frame.insert(2, "funding_gap", need - float(pressure))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def split_runs(runs: pd.DataFrame) -> dict[tuple[float, str], pd.DataFrame]:
    """The runs of each (pressure, rule set label), ordered by replicate."""
    return {
        (float(pressure), label): frame.sort_values("replicate")
        for (pressure, label), frame in runs.groupby(["pressure", "rules"], sort=False)
    }


def paired_runs(runs, base: str, other: str, pressure: float, outcomes=OUTCOMES):
    """The outcomes of `base` and of `other` at one pressure: two arrays [replicate, outcome],
    row j of each from replicate j.

    `runs` is the frame of `run_variants` or its `split_runs`. Raises ValueError unless the two
    rule sets share their seed and their replicates, one row each: the pairs of common random
    numbers the differences need.
    """
    groups = runs if isinstance(runs, dict) else split_runs(runs)
    a, b = groups.get((float(pressure), base)), groups.get((float(pressure), other))
    for label, frame in ((base, a), (other, b)):
        if frame is None:
            raise ValueError(f"no runs of {label!r} at pressure {pressure}")
        if frame["replicate"].duplicated().any():
            raise ValueError(f"{label!r} has a replicate twice at pressure {pressure}")
    for col in ("replicate", "seed"):
        if not np.array_equal(a[col].to_numpy(), b[col].to_numpy()):
            raise ValueError(f"{other!r} and {base!r} at pressure {pressure} differ in {col}")
    cols = list(outcomes)
    return a[cols].to_numpy(dtype=float), b[cols].to_numpy(dtype=float)


def paired_effect(
    variant_runs,
    base_runs,
    level: float,
    resamples: int,
    seed: int,
    tag: str,
    z: float | None = None,
    floor: float = 0.0,
) -> dict:
    """Mean paired difference (variant minus base), its standard error, interval and verdict:
    beyond noise when |mean| > z * se, the interval excludes 0 and |mean| > `floor`."""
    x = np.asarray(variant_runs, dtype=float)
    y = np.asarray(base_runs, dtype=float)
    z = NormalDist().inv_cdf(0.5 + level / 2.0) if z is None else float(z)
    mean, low, high = paired_difference_ci(x, y, level, resamples, seed, tag)
    d = x - y
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
    beyond = abs(mean) > max(z * se, floor) and not (low <= 0.0 <= high) if se == se else False
    return {
        "n": len(d),
        "base_mean": float(y.mean()),
        "variant_mean": float(x.mean()),
        "mean_difference": float(mean),
        "se": se,
        "low": float(low),
        "high": float(high),
        "level": level,
        "z": z,
        "beyond_noise": bool(beyond),
    }


def effects(
    runs: pd.DataFrame,
    principles=None,
    outcomes=OUTCOMES,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    z: float | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """The tidy table of paired effects from the runs of `run_variants`.

    One row per (principle, direction, pressure, outcome), in that order; columns `COLUMNS`.
    `funding_gap` is the runs' need growth minus `budget_growth`. The bootstrap of each row is seeded
    by `seed` (default: the runs' base seed) and the tag `principle|direction|pressure|outcome`.
    """
    bad = [o for o in outcomes if o not in SUMMARIES]
    if bad:
        raise ParameterError(f"outcomes {bad} are not run summaries; valid: {', '.join(SUMMARIES)}")
    seed = int(runs["seed"].iloc[0]) if seed is None else seed
    gaps = runs.groupby("pressure")["funding_gap"].first()
    groups = split_runs(runs)
    floor = {o: RESOLUTION * float(runs[o].abs().max()) for o in outcomes}
    rows = []
    for principle in _principles(principles):
        for direction in directions_of(principle):
            base, other = base_of(principle, direction), variant(principle, direction)
            about = {
                "principle": principle,
                "direction": direction,
                "base": base.name,
                "variant": other.name,
                "levers_changed": ", ".join(levers_changed(other, base)) or "(none)",
            }
            for pressure in sorted(gaps.index):
                x_base, x_other = paired_runs(groups, base.name, other.name, pressure, outcomes)
                at = {"pressure": float(pressure), "funding_gap": float(gaps[pressure])}
                for k, outcome in enumerate(outcomes):
                    tag = f"{principle}|{direction}|{pressure!r}|{outcome}"
                    stats = paired_effect(
                        x_other[:, k], x_base[:, k], level, resamples, seed, tag, z, floor[outcome]
                    )
                    rows.append({**about, **at, "outcome": outcome, **stats})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def running_costs_off(scenario: str = "place_system") -> dict[str, float]:
    """Every principle's running cost (`cost_*`) at 0: what a principle does by its mechanism alone,
    since a lever with a running cost moves the pool, and what follows, through that cost."""
    return {p.name: 0.0 for p in parameters_for(scenario) if p.name.startswith("cost_")}


def principle_effects(
    principles=None,
    pressures=PRESSURES,
    replicates: int = 20,
    months: int = 120,
    seed: int = SEED,
    outcomes=OUTCOMES,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    z: float | None = None,
    threads: int | None = None,
    progress=None,
    **params,
) -> pd.DataFrame:
    """Each principle's paired effect on each outcome, switched off from shared governance and
    switched on alone in fortress, at each funding pressure (see the module docstring).

    Args:
        principles: Names in `PRINCIPLES` (default: every principle it holds at call time).
        pressures: Values of `budget_growth` (annual growth of the allocation); need growth stays
            at its default, so the funding gap is 2.5% minus each value.
        replicates: Paired replicates per rule set and pressure.
        months: Months per run.
        seed: Base seed of the runs and of the bootstrap.
        outcomes: Run summaries (`SUMMARIES`) to compare.
        level: Confidence level of the intervals.
        resamples: Bootstrap resamples per interval.
        z: Multiple of the standard error a difference must pass (default: the normal quantile of
            `level`, 1.96 at 95%).
        threads: numba threads.
        progress: `progress(i, n, pressure)` before each pressure's runs.
        **params: Other scenario parameters, fixed at every pressure.

    Returns:
        A tidy DataFrame, one row per (principle, direction, pressure, outcome); see `effects`.
    """
    runs = run_variants(
        principles, pressures, replicates, months, seed, threads, progress, **params
    )
    return effects(runs, principles, outcomes, level, resamples, z, seed)
