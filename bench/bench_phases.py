"""Where the kernel's month goes: the cost of each phase of `PHASES`, in ns per agent-step.

Each phase is called on its own, many times in a row, on a world that has run 30 months under
shared governance (so that its state is typical); the best of 5 such runs, each on a fresh world,
at 16 and at 1,004 organisations; the whole step is timed the same way and printed beside the
phases' sum. Beside each phase, its set-up: one call over no agents (the organisations or places
it loops over), what a call pays besides its agents' work; a phase's loops over other units (every
place, in `plan`) and a phase that acts on the whole world still run, so those grow with the
world. A phase run again on its own output is not a month of the model, so these are costs, not
results. Figures, not a test; not written to results.json.

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

# (shape, calls in a row): enough calls that the call from Python (some 20 us) is under 1 ns an
# agent-step, few enough that the world stays one the model makes (100 years at most).
SHAPES = (({"n_ics": 1, "n_places": 3}, 1200), ({"n_ics": 4, "n_places": 50}, 120))
WARM_MONTHS, REPEATS = 30, 5


@njit
def repeat_phase(fn, w, p, r, n, hi):
    """`n` calls of phase `fn` over agents 0..hi-1 (bench_c.py uses it too)."""
    for _ in range(n):
        fn(w, p, r, 0, hi)


@njit
def repeat_step(w, p, r, n):
    """`n` months of the kernel's step (bench_c.py uses it too)."""
    for _ in range(n):
        step(w, p, r)


def _fresh(shape: dict):
    """A world of `shape` after 30 months under shared governance: (ref, p, r, n_org, n_place)."""
    p = pack("place_system", validate("place_system", **shape))
    r = PRESETS["shared_governance"].vector()
    world = build_world(p, r, 0, 1, 0)
    w = as_ref(world)
    repeat_step(w, p, r, WARM_MONTHS)
    return w, p, r, world.org_kind.shape[0], world.place_ics.shape[0]


def _ns(shape: dict, calls: int, phase=None) -> float:
    """Best ns per agent-step of `calls` calls of `phase` (the whole step if None) on fresh worlds."""
    best = float("inf")
    for _ in range(REPEATS):
        w, p, r, n_org, n_place = _fresh(shape)
        start = time.perf_counter()
        if phase is None:
            repeat_step(w, p, r, calls)
        else:
            hi = {"world": 1, "place": n_place, "org": n_org}[phase.unit]
            repeat_phase(phase.fn, w, p, r, calls, hi)
        best = min(best, (time.perf_counter() - start) / calls / n_org * 1e9)
    return best


SETUP_CALLS = 1200  # as many as the whole step's calls at 16 organisations: 100 years at most


def setup_ns(shape: dict, phase) -> float:
    """Best ns of one call of `phase` over no agents (the whole world for a world phase), over
    `REPEATS` fresh worlds."""
    hi = 1 if phase.unit == "world" else 0
    best = float("inf")
    for _ in range(REPEATS):
        w, p, r, _, _ = _fresh(shape)
        start = time.perf_counter()
        repeat_phase(phase.fn, w, p, r, SETUP_CALLS, hi)
        best = min(best, (time.perf_counter() - start) / SETUP_CALLS * 1e9)
    return best


def phase_costs(shape: dict, calls: int) -> None:
    """Print each phase's cost, their sum and the whole step's, in ns per agent-step."""
    w, p, r, n_org, n_place = _fresh(shape)
    for phase in PHASES:  # compile each phase's loop outside the timings
        hi = {"world": 1, "place": n_place, "org": n_org}[phase.unit]
        repeat_phase(phase.fn, w, p, r, 1, hi)
    whole = _ns(shape, calls)
    print(f"{n_org} organisations ({calls} calls in a row, best of {REPEATS} fresh worlds):")
    total = fixed = 0.0
    for phase in PHASES:
        ns = _ns(shape, calls, phase)
        setup = setup_ns(shape, phase)
        total += ns
        fixed += setup
        print(f"  {phase.name:14s} {ns:6.1f} ns per agent-step; set-up {setup:5.1f} ns a call")
    print(
        f"  {'sum of phases':14s} {total:6.1f}; the whole step {whole:6.1f}; "
        f"set-up {fixed:5.1f} ns a month ({fixed / n_org:4.1f} ns an agent-step)"
    )


def main() -> None:
    for shape, calls in SHAPES:
        phase_costs(shape, calls)


if __name__ == "__main__":
    main()
