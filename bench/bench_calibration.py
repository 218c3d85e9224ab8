"""Benchmark of calibration (issue 13 target: a calibration of 5 parameters to the targets in
under 10 minutes on this 2-core machine).

Runs `sim.validation.calibration.calibrate` with its defaults (spillover, health_need_elasticity,
discharge_delay, tariff_efficiency and induced_demand; fitted on five targets, checked on three)
at the size docs/calibration.md reports, times it, prints the time and the fit, and writes the
figures under the "calibration" key of bench/results.json (read-modify-write, other keys kept).

Usage: .venv/bin/python bench/bench_calibration.py [--trials N] [--replicates N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, merge  # noqa: E402  (bench/, the script's folder)

from sim.validation.calibration import DEFAULT_PARAMETERS, calibrate  # noqa: E402
from sim.validation.calibration_probe import simulate_targets  # noqa: E402

TARGET_SECONDS = 600.0


def bench_calibration(trials: int = 400, replicates: int = 8, seed: int = 1) -> dict:
    """Time one calibration of the five default parameters to the default targets.

    Returns:
        Seconds (with and without the first, compiling run), trials, replicates, runs, the best
        loss and set, and whether it met the 10-minute target.
    """
    start = time.perf_counter()
    simulate_targets({}, 96, seed, 1)  # compiles on a cold cache; timed apart
    warm = time.perf_counter()
    result = calibrate(trials=trials, replicates=replicates, seed=seed)
    end = time.perf_counter()
    return {
        "parameters": list(DEFAULT_PARAMETERS),
        "fit_on": [t.name for t in result.fit_on],
        "check_on": [t.name for t in result.check_on],
        "trials": trials,
        "replicates": replicates,
        "runs": trials * replicates,
        "seconds": round(end - warm, 2),
        "seconds_with_first_run": round(end - start, 2),
        "best_loss": round(result.best_loss, 3),
        "best": {k: round(v, 5) for k, v in result.best.items()},
        "target_seconds": TARGET_SECONDS,
        "met": end - warm < TARGET_SECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--replicates", type=int, default=8)
    args = parser.parse_args()
    figures = bench_calibration(args.trials, args.replicates)
    print(
        f"calibration of {len(figures['parameters'])} parameters, {figures['trials']} trials x "
        f"{figures['replicates']} replicates ({figures['runs']} runs): {figures['seconds']:.1f} s "
        f"(target under {TARGET_SECONDS:.0f} s: {'met' if figures['met'] else 'not met'}); "
        f"best loss {figures['best_loss']}"
    )
    merge("calibration", figures)
    print(f"figures written to {RESULTS} (key 'calibration')")


if __name__ == "__main__":
    main()
