"""Benchmarks of the numba kernel against the per-agent engine (`make bench`).

Prints, measured side by side in one process: agent-steps per second of each engine on the default
scenario and their ratio; cost per agent-step as the world grows from about 10 to 10,000
organisations; runs per second of `run_many` on 1 and 2 threads (parallel efficiency); the wall time
of a national-scale run; first-call compile time in a fresh process with a cold and a warm on-disk
cache. Figures go to bench/results.json under "kernel" (other benchmarks add their own keys), then
the batch, uncertainty (a 10,000-draw probabilistic comparison of the five presets), app and
classroom benchmarks run if present. These are figures, not pass/fail tests.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def engines() -> dict:
    from sim import CareSystem
    from sim.core.constants import N_MEASURES
    from sim.engine.kernel import advance

    months = 24
    model = CareSystem(rules="shared_governance", seed=1, engine="python")
    n_org = len(model.trusts)
    python_s = best_of(
        lambda: CareSystem(rules="shared_governance", seed=1, engine="python").run_for(months), 2
    )
    mesa_numba_s = best_of(lambda: CareSystem(rules="shared_governance", seed=1).run_for(months))
    history = np.zeros((months, N_MEASURES))

    def kernel_only():
        m = CareSystem(rules="shared_governance", seed=1)
        start = time.perf_counter()
        advance(m._world_ref, m.p, m.r, months, history, True)
        return time.perf_counter() - start

    kernel_only()
    kernel_s = min(kernel_only() for _ in range(20))
    agent_steps = n_org * months
    out = {
        "organisations": n_org,
        "months": months,
        "python_agent_steps_per_s": agent_steps / python_s,
        "kernel_agent_steps_per_s": agent_steps / kernel_s,
        "mesa_model_on_kernel_agent_steps_per_s": agent_steps / mesa_numba_s,
        "kernel_over_python": python_s / kernel_s,
    }
    print(
        f"engines (default scenario, {n_org} organisations, {months} months): "
        f"python {out['python_agent_steps_per_s']:,.0f} agent-steps/s, "
        f"kernel {out['kernel_agent_steps_per_s']:,.0f} agent-steps/s, "
        f"ratio {out['kernel_over_python']:,.0f}x "
        f"(CareSystem on the kernel, with Mesa's DataCollector each month: "
        f"{out['mesa_model_on_kernel_agent_steps_per_s']:,.0f} agent-steps/s)"
    )
    return out


def _world(**params):
    from sim.core.init import build_world
    from sim.core.params import pack, validate
    from sim.core.rules import PRESETS
    from sim.core.state import as_ref

    p = pack("place_system", validate("place_system", **params))
    r = PRESETS["shared_governance"].vector()
    world = build_world(p, r, 0, 1, 0)
    return p, r, world, as_ref(world)


def _steps(ref, p, r, months):
    """`months` calls of the kernel's step alone (compiled here, so the bench times no measures)."""
    from numba import njit

    from sim.engine.kernel import step

    global _STEP_LOOP
    if _STEP_LOOP is None:

        @njit
        def loop(ref, p, r, n):
            for _ in range(n):
                step(ref, p, r)

        _STEP_LOOP = loop
    _STEP_LOOP(ref, p, r, months)


_STEP_LOOP = None


def scaling() -> list[dict]:
    from sim.core.constants import N_MEASURES
    from sim.engine.kernel import advance

    shapes = [
        {"n_ics": 1, "n_places": 3},  # the default world: 16 organisations
        {"n_ics": 1, "n_places": 20},
        {"n_ics": 4, "n_places": 50},
        {"n_ics": 40, "n_places": 50},
    ]
    rows = []
    months = 60
    for shape in shapes:
        p, r, w, ref = _world(**shape)
        n_org = w.org_kind.shape[0]
        history = np.zeros((months, N_MEASURES))
        advance(ref, p, r, 1, history, True)
        _steps(ref, p, r, 1)
        p, r, w, ref = _world(**shape)
        start = time.perf_counter()
        advance(ref, p, r, months, history, True)
        seconds = time.perf_counter() - start
        ns = seconds / (n_org * months) * 1e9
        p, r, w, ref = _world(**shape)
        start = time.perf_counter()
        _steps(ref, p, r, months)
        step_ns = (time.perf_counter() - start) / (n_org * months) * 1e9
        rows.append(
            {
                "organisations": int(n_org),
                "edges": int(w.trust.shape[0]),
                "ns_per_agent_step": ns,
                "step_ns_per_agent_step": step_ns,
            }
        )
        print(
            f"scaling: {n_org:6d} organisations, {w.trust.shape[0]:7d} partner edges: "
            f"step {step_ns:6.0f} ns per agent-step; with every measure each month {ns:6.0f} ns"
        )
    return rows


def parallel() -> dict:
    from sim import run_many

    kw = dict(rules=["fortress", "shared_governance"], replicates=1000, months=120, seed=1)
    run_many(**{**kw, "replicates": 2}, threads=2)
    one = best_of(lambda: run_many(**kw, threads=1), 2)
    two = best_of(lambda: run_many(**kw, threads=2), 2)
    n = 2 * kw["replicates"]
    out = {
        "runs": n,
        "runs_per_s_1_thread": n / one,
        "runs_per_s_2_threads": n / two,
        "parallel_efficiency_2_threads": one / (2 * two),
    }
    print(
        f"run_many ({n} runs of 120 months): 1 thread {out['runs_per_s_1_thread']:,.0f} runs/s, "
        f"2 threads {out['runs_per_s_2_threads']:,.0f} runs/s, "
        f"parallel efficiency {out['parallel_efficiency_2_threads']:.0%}"
    )
    return out


def national() -> dict:
    from sim.core.params import pack, validate
    from sim.core.rules import PRESETS
    from sim.engine.kernel import run_one

    params = {"n_ics": 42, "n_places": 7, "primary_care_per_place": 2}
    p = pack("place_system", validate("place_system", **params))
    levers = PRESETS["shared_governance"].vector()[None, :]  # a schedule of one step
    switch = np.zeros(1, dtype=np.int64)
    run_one(p, levers, switch, 0, 1, 0, 2)
    seconds = best_of(lambda: run_one(p, levers, switch, 0, 1, 0, 120), 3)
    _, _, w, _ = _world(**params)
    out = {
        "organisations": int(w.org_kind.shape[0]),
        "places": 42 * 7,
        "months": 120,
        "seconds": seconds,
    }
    print(
        f"national scale: 42 systems x 7 places, {out['organisations']} organisations, 120 months: "
        f"{seconds:.2f} s (build and run)"
    )
    return out


COMPILE_SNIPPET = """
import time
start = time.perf_counter()
from sim import CareSystem, run_many
CareSystem(rules="fortress", seed=1).run_for(2)
run_many("fortress", replicates=2, months=2)
print(time.perf_counter() - start)
"""


def compile_times() -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CARE_COMMONS_CACHE_DIR": cache}
        times = []
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-c", COMPILE_SNIPPET],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
    out = {"cold_cache_s": times[0], "warm_cache_s": times[1]}
    print(
        f"first call in a fresh process (import, one model, one batch): "
        f"cold cache {times[0]:.1f} s, warm cache {times[1]:.1f} s"
    )
    return out


def save(key: str, figures: dict) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = figures
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> None:
    import numba

    figures = {
        "machine": {
            "cpus": os.cpu_count(),
            "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "python": platform.python_version(),
            "numba": numba.__version__,
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "engines": engines(),
        "scaling": scaling(),
        "run_many": parallel(),
        "national": national(),
        "compile": compile_times(),
    }
    save("kernel", figures)
    print(f"figures written to {RESULTS}")
    others = ("bench_batch.py", "bench_uncertainty.py", "bench_calibration.py", "bench_app.py")
    for other in (*others, "bench_classroom.py"):
        if (HERE / other).exists():
            print(f"--- {other}")
            subprocess.run([sys.executable, str(HERE / other)], check=False)


if __name__ == "__main__":
    main()
