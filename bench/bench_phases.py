"""Where the kernel's month goes: the cost of each phase of `PHASES`, in ns per agent-step.

Each phase is called on its own, many times over, on a world that has already run 30 months under
shared governance (so that its state is typical), at 16 and at 1,004 organisations; the phases'
sum is printed beside the whole step. A phase run again on its own output is not a month of the
model, so these are costs, not results. Figures, not a test; not written to results.json.

Usage: .venv/bin/python bench/bench_phases.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from numba import njit

from sim.core.init import build_world
from sim.core.params import pack, validate
from sim.core.rules import PRESETS
from sim.core.state import as_ref
from sim.core.submodels import PHASES
from sim.engine.kernel import step

SHAPES = ({"n_ics": 1, "n_places": 3}, {"n_ics": 4, "n_places": 50})


@njit
def _repeat_phase(fn, w, p, r, n, hi):
    for _ in range(n):
        fn(w, p, r, 0, hi)


@njit
def _repeat_step(w, p, r, n):
    for _ in range(n):
        step(w, p, r)


def _best(run, *args, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(*args)
        best = min(best, time.perf_counter() - start)
    return best


def phase_costs(shape: dict) -> None:
    """Print each phase's cost, their sum and the whole step's, in ns per agent-step."""
    p = pack("place_system", validate("place_system", **shape))
    r = PRESETS["shared_governance"].vector()
    world = build_world(p, r, 0, 1, 0)
    w = as_ref(world)
    n_org, n_place = world.org_kind.shape[0], world.place_ics.shape[0]
    _repeat_step(w, p, r, 30)
    calls = max(200, 300_000 // n_org)
    # The whole step first, while the world is still one the model made.
    whole = _best(_repeat_step, w, p, r, calls) / calls / n_org * 1e9
    print(f"{n_org} organisations ({calls} calls of each phase, best of 5):")
    total = 0.0
    for phase in PHASES:
        hi = {"world": 1, "place": n_place, "org": n_org}[phase.unit]
        _repeat_phase(phase.fn, w, p, r, 1, hi)
        ns = _best(_repeat_phase, phase.fn, w, p, r, calls, hi) / calls / n_org * 1e9
        total += ns
        print(f"  {phase.name:14s} {ns:6.1f} ns per agent-step")
    print(f"  {'sum of phases':14s} {total:6.1f}; the whole step {whole:6.1f}")


def main() -> None:
    for shape in SHAPES:
        phase_costs(shape)


if __name__ == "__main__":
    main()
