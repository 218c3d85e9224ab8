"""Compile the model's numba functions into the on-disk cache, two entry points at once.

On a fresh machine the first call of the kernel compiles for minutes, one core busy. The single
runs (`CareSystem`, through `kernel.step`) and the batch runs (`run_many`, through `run_batch`)
are separate entry points whose compilations do not wait on each other, so this compiles them in
two processes side by side and both cores work. Later processes (the tests, the CLI, the app)
load them from the cache. With a warm cache it returns in a few seconds.

Usage: python scripts/warm_numba_cache.py   (exit 0; 1 if a compilation failed, with its error)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each string runs in its own process: the entry points the test suite and `make run` call.
ENTRY_POINTS = {
    "single runs (CareSystem)": (
        "from sim import CareSystem\n"
        "for scenario in ('place_system', 'classroom_commons', 'public_goods'):\n"
        "    CareSystem(scenario=scenario, seed=0).run_for(2)\n"
        # The classroom calls each phase on its own (a student's choice goes in after `plan`):
        # every phase is then an entry point of its own.
        "from sim.app.classroom.game_world import build_model, play_round\n"
        "for game in ('commons', 'place'):\n"
        "    play_round(build_model(game, 4, 0, 'fortress', 2), game, {})\n"
    ),
    "batch runs (run_many)": (
        "from sim import run_many\n"
        "run_many(['fortress'], replicates=2, months=3, seed=1, series=True)\n"
    ),
}


def main() -> int:
    start = time.perf_counter()
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for name, code in ENTRY_POINTS.items()
    }
    failed = 0
    for name, proc in procs.items():
        output, _ = proc.communicate()
        if proc.returncode != 0:
            failed += 1
            last = output.strip().splitlines()[-1] if output.strip() else "no output"
            print(f"warm_numba_cache: compiling {name} failed: {last}", file=sys.stderr)
    print(f"numba cache warm ({time.perf_counter() - start:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
