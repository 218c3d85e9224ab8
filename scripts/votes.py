"""What the partners vote under collective choice (docs/ODD.md 7.25): the prevention slice and the
multiple of the tabled fine in force at the first planning round (month 12) and at month 120,
averaged over places and seeds, with the range over places at month 120.

Usage: PYTHONPATH=. .venv/bin/python scripts/votes.py [SEEDS]   (default 40 seeds, 1..SEEDS)
"""

from __future__ import annotations

import sys

import numpy as np

from sim import CareSystem
from sim.core.jit import as_python
from sim.core.submodels.choice import tabled_slice

RULES = ("shared_governance", "canterbury_alliance", "partnership_board")


def votes(rules: str, seeds: range) -> dict[str, float]:
    """Mean slice and fine multiple at months 12 and 120, and their ranges over places at 120."""
    first_slice, first_fine, slices, fines = [], [], [], []
    for seed in seeds:
        model = CareSystem(rules=rules, seed=seed).run_for(12)
        first_slice.append(model.world.chosen_slice.mean())
        first_fine.append(model.world.fine_factor.mean())
        model.run_for(108)
        slices.append(model.world.chosen_slice.copy())
        fines.append(model.world.fine_factor.copy())
    slices, fines = np.array(slices), np.array(fines)
    return {
        "tabled_slice": float(as_python(tabled_slice)(model.p, model.r)),
        "tabled_severity": model.rules.sanction_severity,
        "slice_12": float(np.mean(first_slice)),
        "fine_12": float(np.mean(first_fine)),
        "slice_120": float(slices.mean()),
        "slice_120_low": float(slices.min()),
        "slice_120_high": float(slices.max()),
        "fine_120": float(fines.mean()),
        "fine_120_low": float(fines.min()),
        "fine_120_high": float(fines.max()),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(f"{n} seeds, 120 months; slice and fine multiple in force, mean over places and seeds")
    for rules in RULES:
        v = votes(rules, range(1, n + 1))
        print(
            f"{rules} (tabled {v['tabled_slice']:.0%}, severity {v['tabled_severity']}): "
            f"month 12 slice {v['slice_12']:.2%}, fine {v['fine_12']:.2f}; month 120 slice "
            f"{v['slice_120']:.2%} ({v['slice_120_low']:.1%} to {v['slice_120_high']:.1%}), fine "
            f"{v['fine_120']:.2f} ({v['fine_120_low']:.2f} to {v['fine_120_high']:.2f})"
        )


if __name__ == "__main__":
    main()
