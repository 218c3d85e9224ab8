"""Benchmarks of the numba kernel against the per-agent engine (`make bench`).

Prints, measured side by side in one process: agent-steps per second of each engine on the default
scenario and their ratio; cost per agent-step as the world grows from about 10 to 10,000
organisations; runs per second of `run_many` on 1 and 2 threads (parallel efficiency, beside the
machine's own ceiling: two single-threaded processes at once); the wall time of a national-scale run;
first-call compile time in a fresh process with a cold and a warm on-disk cache. Figures go to bench/results.json under "kernel" (other benchmarks add their own keys), then
the batch, uncertainty (a 10,000-draw probabilistic comparison of the five presets), app and
classroom benchmarks run if present (`--kernel-only` skips them). These are figures, not pass/fail
tests.

This machine's speed wanders: the same compiled code has run at 141 and at 254 ns per agent-step in
processes minutes apart. Every timing is therefore the best (the code's cost) and the median (what
a user sees) of many short runs, and runs compared with each other take turns.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import RESULTS, merge  # noqa: E402  (bench/, the script's folder)


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


# (shape, months per timed run, timed runs): many short runs for the small worlds, because this
# machine's speed wanders by up to 1.7x between seconds; the best run is the code's cost, the
# median what a user sees.
SHAPES = (
    ({"n_ics": 1, "n_places": 3}, 120, 40),  # the default world: 16 organisations
    ({"n_ics": 1, "n_places": 20}, 120, 20),
    ({"n_ics": 4, "n_places": 50}, 24, 10),
    ({"n_ics": 40, "n_places": 50}, 12, 5),
)


def _ns_per_agent_step(shape, months, repeats, runs) -> tuple[list[tuple[float, float]], int, int]:
    """Best and median ns per agent-step of each `run(ref, p, r, months)` in `runs`, over `repeats`
    fresh worlds each; the runs take turns, so that all see the same spells of a slow machine."""
    times = [[] for _ in runs]
    for _ in range(repeats):
        for run, seconds in zip(runs, times, strict=True):
            p, r, w, ref = _world(**shape)
            start = time.perf_counter()
            run(ref, p, r, months)
            seconds.append(time.perf_counter() - start)
    n_org = w.org_kind.shape[0]
    figures = []
    for seconds in times:
        per = np.array(seconds) / (n_org * months) * 1e9
        figures.append((float(per.min()), float(np.median(per))))
    return figures, int(n_org), int(w.trust.shape[0])


def scaling() -> list[dict]:
    from sim.core.constants import N_MEASURES
    from sim.engine.kernel import advance

    rows = []
    for shape, months, repeats in SHAPES:
        history = np.zeros((months, N_MEASURES))

        def measured(ref, p, r, n, history=history):
            advance(ref, p, r, n, history, True)

        p, r, _, ref = _world(**shape)
        measured(ref, p, r, 1)
        _steps(ref, p, r, 1)
        figures, n_org, edges = _ns_per_agent_step(shape, months, repeats, (measured, _steps))
        (ns, ns_med), (step_ns, step_med) = figures
        rows.append(
            {
                "organisations": n_org,
                "edges": edges,
                "months_per_run": months,
                "runs_timed": repeats,
                "ns_per_agent_step": ns,
                "ns_per_agent_step_median": ns_med,
                "step_ns_per_agent_step": step_ns,
                "step_ns_per_agent_step_median": step_med,
            }
        )
        print(
            f"scaling: {n_org:6d} organisations, {edges:7d} partner edges: step {step_ns:5.0f} ns "
            f"per agent-step (median {step_med:5.0f}); with every measure each month {ns:5.0f} ns "
            f"(median {ns_med:5.0f}); best and median of {repeats} runs of {months} months"
        )
    return rows


RUN_MANY = dict(rules=["fortress", "shared_governance"], replicates=1000, months=120, seed=1)

# One process of the ceiling measure: warm up, say so, wait for "go", then time single-threaded
# run_many (best of 3).
WORKER = f"""
import sys, time
from sim import run_many
kw = {RUN_MANY!r}
run_many(**{{**kw, "replicates": 2}}, threads=1)
print("ready", flush=True)
sys.stdin.readline()
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    run_many(**kw, threads=1)
    best = min(best, time.perf_counter() - start)
print(best, flush=True)
"""


def _processes(n: int) -> list[float]:
    """Start `n` worker processes, release them together once all are warm, and return each one's
    best time."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=HERE.parent,
        )
        for _ in range(n)
    ]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("a benchmark worker failed to start")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        return [float(proc.stdout.readline()) for proc in procs]
    finally:
        for proc in procs:  # none is left running (or waiting for "go") whatever happened
            proc.kill()
            proc.wait()


def parallel(rounds: int = 5) -> dict:
    """Runs per second of run_many on 1 and 2 threads, in interleaved rounds; and the machine's
    own ceiling for two workers: two single-threaded processes at once against one alone, which
    share nothing but the hardware."""
    from sim import run_many

    run_many(**{**RUN_MANY, "replicates": 2}, threads=2)
    one, two = [], []
    for _ in range(rounds):
        for threads, times in ((1, one), (2, two)):
            start = time.perf_counter()
            run_many(**RUN_MANY, threads=threads)
            times.append(time.perf_counter() - start)
    alone, pair = [], []
    for _ in range(2):
        alone.append(_processes(1)[0])
        pair.append(max(_processes(2)))
    n = 2 * RUN_MANY["replicates"]
    out = {
        "runs": n,
        "rounds": rounds,
        "runs_per_s_1_thread": n / min(one),
        "runs_per_s_1_thread_median": n / float(np.median(one)),
        "runs_per_s_2_threads": n / min(two),
        "runs_per_s_2_threads_median": n / float(np.median(two)),
        "parallel_efficiency_2_threads": min(one) / (2 * min(two)),
        "parallel_efficiency_2_threads_median": float(np.median(one)) / (2 * np.median(two)),
        "two_processes_efficiency": min(alone) / min(pair),
    }
    print(
        f"run_many ({n} runs of 120 months, best / median of {rounds} interleaved rounds): "
        f"1 thread {out['runs_per_s_1_thread']:,.0f} / "
        f"{out['runs_per_s_1_thread_median']:,.0f} runs/s, 2 threads "
        f"{out['runs_per_s_2_threads']:,.0f} / {out['runs_per_s_2_threads_median']:,.0f} runs/s, "
        f"parallel efficiency {out['parallel_efficiency_2_threads']:.0%} / "
        f"{out['parallel_efficiency_2_threads_median']:.0%}; the machine's own ceiling, two "
        f"single-threaded processes at once against one alone: "
        f"{out['two_processes_efficiency']:.0%}"
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


def main() -> None:
    import argparse

    import numba

    from sim.core.jit import INDEX_WITHOUT_WRAP

    print(f"numba {numba.__version__}; indexing without wrap-around: {INDEX_WITHOUT_WRAP}")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--kernel-only", action="store_true", help="skip the batch, app and other benchmarks"
    )
    args = parser.parse_args()

    figures = {
        "machine": {
            "cpus": os.cpu_count(),
            "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "python": platform.python_version(),
            "numba": numba.__version__,
            # whether the model's compiled functions index without wrap-around (sim.core.jit)
            "index_without_wrap": INDEX_WITHOUT_WRAP,
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "engines": engines(),
        "scaling": scaling(),
        "run_many": parallel(),
        "national": national(),
        "compile": compile_times(),
    }
    merge("kernel", figures)
    print(f"figures written to {RESULTS}")
    if args.kernel_only:
        return
    others = ("bench_batch.py", "bench_uncertainty.py", "bench_calibration.py", "bench_app.py")
    for other in (*others, "bench_classroom.py"):
        if (HERE / other).exists():
            print(f"--- {other}")
            subprocess.run([sys.executable, str(HERE / other)], check=False)


if __name__ == "__main__":
    main()
