"""How much replicates differ, and why: places and organisations that differ (docs/ODD.md, 7.15).

Run `PYTHONPATH=. .venv/bin/python scripts/replicate_spread.py [REPLICATES] [MONTHS]` (defaults
1000 and 120; a few minutes with a warm numba cache) to print, for fortress and shared governance:

- the mean, standard deviation and coefficient of variation over replicates of population health,
  system deficit and provider failures at the end of the run, with every spread 0 (identical places
  and organisations: the model before 7.15) and at the defaults;
- what share of the between-run variance at the defaults each source explains, measured by
  switching the sources on one at a time: `(var(source alone) - var(none)) / var(all)`; the
  share of behaviour alone is `var(none) / var(all)`, and what is left is the sources' interaction.

Replicates are `run_many`'s run keys 0..REPLICATES-1 with seed 0.
"""

from __future__ import annotations

import sys

import numpy as np

from sim import run_many
from sim.core.params import parameter

RULES = ("fortress", "shared_governance")
OUTCOMES = ("population_health", "system_deficit", "provider_failures")
# Each source of difference and the parameters that switch it on (at their defaults).
SOURCES = {
    "population": ("population_spread",),
    "need (allocation follows in part)": ("need_spread",),
    "allocation apart from need": ("allocation_spread",),
    "starting health": ("health_spread",),
    "unit cost": ("unit_cost_spread",),
    "starting balance": ("balance_spread",),
    "size among peers": ("size_spread",),
}
SPREADS = tuple(name for names in SOURCES.values() for name in names)


def settings(on: tuple[str, ...]) -> dict[str, float]:
    """Every spread 0 except those in `on`, which keep their defaults."""
    return {name: parameter(name).default if name in on else 0.0 for name in SPREADS}


def outcomes(on: tuple[str, ...], replicates: int, months: int) -> dict[str, dict[str, np.ndarray]]:
    """The outcome of every replicate, by rule set, with the spreads in `on` switched on."""
    frame = run_many(RULES, replicates=replicates, months=months, seed=0, **settings(on))
    return {
        rules: {name: frame.loc[frame["rules"] == rules, name].to_numpy() for name in OUTCOMES}
        for rules in RULES
    }


def describe(x: np.ndarray) -> str:
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    cv = f"{100.0 * sd / abs(mean):.2f}%" if mean else "-"
    return f"{mean:.4g} | {sd:.4g} | {cv} | {x.min():.4g}-{x.max():.4g}"


def main(replicates: int = 1000, months: int = 120) -> None:
    none = outcomes((), replicates, months)
    every = outcomes(SPREADS, replicates, months)
    alone = {source: outcomes(names, replicates, months) for source, names in SOURCES.items()}
    print(f"Replicates differ ({replicates} replicates, seed 0, month {months})\n")
    print("| rules | outcome | spreads | mean | sd | CV | range |")
    print("|---|---|---|---|---|---|---|")
    for rules in RULES:
        for name in OUTCOMES:
            for label, data in (("all 0", none), ("defaults", every)):
                print(f"| {rules} | {name} | {label} | {describe(data[rules][name])} |")
    print("\nShare of the between-run variance at the defaults\n")
    columns = [f"{rules} {name}" for rules in RULES for name in OUTCOMES]
    print("| source | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))

    def row(label: str, share) -> None:
        cells = []
        for rules in RULES:
            for name in OUTCOMES:
                total = float(every[rules][name].var(ddof=1))
                cells.append(f"{100.0 * share(rules, name) / total:.1f}%" if total > 0 else "-")
        print(f"| {label} | " + " | ".join(cells) + " |")

    def var(data, rules, name) -> float:
        return float(data[rules][name].var(ddof=1))

    row("behaviour alone (every spread 0)", lambda r, n: var(none, r, n))
    for source, data in alone.items():
        row(source, lambda r, n, data=data: var(data, r, n) - var(none, r, n))
    row(
        "interaction (the rest)",
        lambda r, n: (
            var(every, r, n)
            - var(none, r, n)
            - sum(var(data, r, n) - var(none, r, n) for data in alone.values())
        ),
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
