"""What numba's reference counting costs the kernel: the same runs with and without, side by side.

Each phase takes the state's handle and the parameter and rule arrays; numba counts references to
them with atomic operations (`NRT_incref`, `NRT_decref`) wherever its pruning pass cannot prove a
count unneeded, and a sampling profiler (`perf record -e cpu-clock`) puts 14% to 19% of the
kernel's samples on the instruction after those atomic operations. This script measures what
removing them would gain. It runs itself twice, in fresh processes, each compiling the model into
a fresh numba cache of its own (about a minute each): once as numba compiles it, once with
`NRT_incref` and `NRT_decref` replaced by functions that return at once (nothing is then ever
freed, so the timed runs allocate nothing: every world is built before the clock starts). Code
loaded from a cache keeps the reference counting it was compiled with: until 1 December the two
shared the project's cache, and the stubs reached little of the run. It prints, both ways, the cost of one 120-month run at 16 organisations (fortress and
shared governance, best of 5 rounds of 300 prebuilt worlds) and of one call of `learn` over no
organisations (its fixed cost, which the atomic operations dominate when a phase is called alone).

A measurement, not a part of the model: without reference counts nothing is freed, so the kernel
cannot run this way (README, performance).

Usage: .venv/bin/python bench/bench_refcounts.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUB = "CARE_COMMONS_BENCH_NO_REFCOUNTS"
WORLDS, ROUNDS, CALLS = 300, 5, 20_000


def _stub_reference_counts() -> None:
    """Make numba's NRT_incref and NRT_decref return at once (before numba compiles its runtime)."""
    from llvmlite import ir
    from numba.core import cgutils
    from numba.core.runtime import nrtdynmod

    def define(name):
        def build(module, _atomic):
            fn = cgutils.get_or_insert_function(module, nrtdynmod.incref_decref_ty, name)
            fn.attributes.add("noinline")  # as numba's own, so the calls stay where they were
            ir.IRBuilder(fn.append_basic_block()).ret_void()

        return build

    nrtdynmod._define_nrt_incref = define("NRT_incref")
    nrtdynmod._define_nrt_decref = define("NRT_decref")


def measure() -> None:
    """Print `preset microseconds` per 120-month run and `learn nanoseconds` per empty call."""
    if os.environ.get(STUB):
        _stub_reference_counts()
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from numba import njit

    from sim.core.constants import N_MEASURES
    from sim.core.init import build_ref
    from sim.core.params import pack, validate
    from sim.core.rules import PRESETS
    from sim.core.submodels import PHASE
    from sim.engine.kernel import run_schedule

    @njit
    def build(p, r, run):
        return build_ref(p, r, 0, 1, run, np.zeros(0))

    @njit
    def months(w, p, r, levers, switch, n, history):
        run_schedule(w, p, r, levers, switch, n, history, False)

    @njit
    def empty_calls(fn, w, p, r, n, hi):
        for _ in range(n):
            fn(w, p, r, 0, hi)

    p = pack("place_system", validate("place_system"))
    history = np.empty((120, N_MEASURES))
    for preset in ("fortress", "shared_governance"):
        rules = PRESETS[preset].vector()
        levers, switch = rules.reshape(1, -1).copy(), np.zeros(1)  # one stage: fixed rules
        best = float("inf")
        for _ in range(ROUNDS):
            worlds = [(build(p, rules.copy(), k), rules.copy()) for k in range(WORLDS)]
            w0, r0 = worlds[0]
            months(w0, p, r0, levers, switch, 1, history)  # compiled before the clock starts
            start = time.perf_counter()
            for w, r in worlds:
                months(w, p, r, levers, switch, 120, history)
            best = min(best, time.perf_counter() - start)
        print(preset, best / WORLDS * 1e6)
    w, r = build(p, rules.copy(), 0), rules.copy()
    empty_calls(PHASE["learn"].fn, w, p, r, 1, 0)
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        empty_calls(PHASE["learn"].fn, w, p, r, CALLS, 0)
        best = min(best, time.perf_counter() - start)
    print("learn", best / CALLS * 1e9)


def _child(stub: bool, cache: str) -> dict[str, float]:
    # A fresh numba cache for each: cached code keeps the reference counting it was compiled
    # with, so a shared cache would time the stubbed run largely with the real operations.
    env = {**os.environ, STUB: "1" if stub else "", "CARE_COMMONS_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return {name: float(value) for name, value in (line.split() for line in out.splitlines())}


def main() -> None:
    with tempfile.TemporaryDirectory() as counted_cache, tempfile.TemporaryDirectory() as bare:
        counted, stubbed = _child(False, counted_cache), _child(True, bare)
    for name in ("fortress", "shared_governance"):
        a, b = counted[name], stubbed[name]
        print(
            f"{name:18s} one 120-month run at 16 organisations: {a:6.1f} us with reference "
            f"counts, {b:6.1f} us without ({(a - b) / a:+.1%} of the run)"
        )
    a, b = counted["learn"], stubbed["learn"]
    print(
        f"learn over no organisations, one call: {a:5.1f} ns with reference counts, "
        f"{b:5.1f} without"
    )


if __name__ == "__main__":
    measure() if "--child" in sys.argv else main()
