"""Benchmark of the batch layer (issue 4 targets).

1. Overhead of the batch layer (chunking, Parquet writes, manifest updates, assembly) over the
   kernel's own time, on a 10,000-run experiment (every preset x 2,000 replicates x 120 months,
   summaries only): the same runs through `sim.engine.batch.simulate` in one call, and through
   `sim.experiment.runner.run_experiment` (no report). Target: < 20 %.
2. `make run` end to end (the fortress_vs_shared experiment with its report), timed as the command
   `make run` runs, into a temporary folder. Target: < 120 s on 2 cores (numba cache warm).

Writes the figures under the "batch" key of bench/results.json (read-modify-write, other keys
kept). Usage: .venv/bin/python bench/bench_batch.py [--skip-make-run] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numba  # noqa: E402
from results_file import RESULTS, merge  # noqa: E402  (bench/, the script's folder)

from sim.engine.batch import simulate  # noqa: E402
from sim.experiment.runner import run_experiment  # noqa: E402
from sim.experiment.spec import parse_experiment  # noqa: E402

BENCH = """
name = "bench_10k"
scenario = "place_system"
rules = "all"
replicates = 2000
months = 120
seed = 1
chunk_size = 500
"""


def bench_overhead(repeats: int) -> dict:
    exp = parse_experiment(BENCH, where="bench_batch.py")
    assert exp.n_runs == 10_000
    arrays = exp.arrays()
    # warm up (compilation / cache load) outside the timings
    simulate(
        arrays["params"][:10],
        arrays["levers"][:10],
        arrays["worlds"][:10],
        arrays["seeds"][:10],
        arrays["runs"][:10],
        exp.months,
        switch=arrays["switch"][:10],
    )
    kernel, batch = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        simulate(
            arrays["params"],
            arrays["levers"],
            arrays["worlds"],
            arrays["seeds"],
            arrays["runs"],
            exp.months,
            switch=arrays["switch"],
        )
        kernel.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            run_experiment(exp, Path(tmp) / "out", quiet=True, report=False)
            batch.append(time.perf_counter() - t)
    k, b = min(kernel), min(batch)
    return {
        "runs": exp.n_runs,
        "months": exp.months,
        "chunk_size": exp.chunk_size,
        "threads": numba.get_num_threads(),
        "kernel_seconds": round(k, 3),
        "batch_seconds": round(b, 3),
        "kernel_seconds_all": [round(v, 3) for v in kernel],
        "batch_seconds_all": [round(v, 3) for v in batch],
        "overhead_fraction": round((b - k) / k, 4),
        "target_overhead_fraction": 0.20,
    }


def bench_make_run() -> dict:
    commons = Path(sys.executable).parent / "commons"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            str(commons),
            "run",
            "experiments/fortress_vs_shared.toml",
            "--out",
            str(Path(tmp) / "fortress_vs_shared"),
            "--quiet",
        ]
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True)
        seconds = time.perf_counter() - t
    return {
        "command": "commons run experiments/fortress_vs_shared.toml --out DIR (as make run)",
        "seconds": round(seconds, 2),
        "target_seconds": 120,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-make-run", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    out: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out["overhead"] = bench_overhead(args.repeats)
    o = out["overhead"]
    print(
        f"10,000-run experiment: kernel {o['kernel_seconds']:.2f} s, batch layer "
        f"{o['batch_seconds']:.2f} s, overhead {100 * o['overhead_fraction']:.1f} % "
        f"(target < 20 %)"
    )
    if not args.skip_make_run:
        out["make_run"] = bench_make_run()
        print(f"make run end to end: {out['make_run']['seconds']:.1f} s (target < 120 s)")
    merge("batch", out)
    print(f"wrote {RESULTS} [batch]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
