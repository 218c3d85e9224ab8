"""Benchmark of the Solara app's work (no browser): one step of both panels with redraw, 100
replicates of both panels, and many sessions playing at once.

Targets (issue 14): one step + redraw < 200 ms; 100 replicates of both panels < 3 s (from the
click to the fan and difference charts); with 10 sessions playing at once, each still advances
at least 5 months a second. The sessions are measured at the server-side state layer: 10
`ComparisonState`s, each with its own play thread (what each browser session runs in the
server), playing at 12 months a second; no browser draws the images.

    .venv/bin/python bench/bench_app.py [--repeats 30] [--months 120] [--sessions 10]

Prints the figures and merges them into bench/results.json under the "app" key (read-modify-write
right before writing, so other benchmarks' keys are kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, merge  # noqa: E402  (bench/, the script's folder)

from sim.app.frames import CELLS  # noqa: E402
from sim.app.state import REPLICATES, ComparisonState  # noqa: E402
from sim.core.rules import PRESETS  # noqa: E402

STEP_TARGET_MS = 200.0
REPLICATES_TARGET_S = 3.0
SESSIONS_TARGET = 5.0  # months a second each session still advances
SESSION_SPEED = 12  # months a second each session asks for (the page's speed buttons)
SESSION_SECONDS = 20.0  # the measuring window


def bench(repeats: int, months: int) -> dict:
    state = ComparisonState("place_system")
    t0 = time.perf_counter()
    state.ensure()  # builds both runs and their figures (loads the numba kernel)
    warm_build = time.perf_counter() - t0
    state.step(24)  # two years in, like a user who has pressed play for a while

    step_ms, step_only_ms = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        state.step(1)  # steps both runs, updates the figures, renders both PNGs
        step_ms.append(1000 * (time.perf_counter() - t))
    for _ in range(repeats):
        t = time.perf_counter()
        state.view.value.pair.step(1)
        step_only_ms.append(1000 * (time.perf_counter() - t))

    state.rep_years.value = months // 12
    state.run_replicates()  # warm-up: compiles or loads the batch kernel
    rep_s, rep_total_s = [], []
    for _ in range(3):
        t = time.perf_counter()
        state.run_replicates()
        rep_total_s.append(time.perf_counter() - t)
        rep_s.append(state.rep_result.value.seconds)

    return {
        "step_with_redraw_ms_median": round(statistics.median(step_ms), 1),
        "step_with_redraw_ms_p90": round(sorted(step_ms)[int(0.9 * (len(step_ms) - 1))], 1),
        "step_models_only_ms_median": round(statistics.median(step_only_ms), 2),
        "step_target_ms": STEP_TARGET_MS,
        "replicates": REPLICATES,
        "replicate_months": months,
        "replicates_both_panels_s_median": round(statistics.median(rep_s), 3),
        "replicates_with_charts_s_median": round(statistics.median(rep_total_s), 3),
        "replicates_target_s": REPLICATES_TARGET_S,
        "first_build_s": round(warm_build, 2),
        "repeats": repeats,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def varied_settings(state: ComparisonState, k: int) -> None:
    """Session `k` of a class that has changed the page: its own B rules, seed and funding gap."""
    state.set_preset("right", list(PRESETS)[k % len(PRESETS)])
    state.set_scenario(seed=k + 1, funding_gap=(0.005, 0.01, 0.015, 0.02, 0.025, 0.03)[k % 6])


def bench_sessions(n: int, seconds: float = SESSION_SECONDS, varied: bool = False) -> dict:
    """`n` sessions playing at once: months each advances a second, over `seconds`; all on the
    page's defaults, or each with its own settings (`varied`), which share fewer drawn axes."""
    CELLS.clear()  # each measure starts with no axes drawn
    states = [ComparisonState("place_system") for _ in range(n)]
    for k, state in enumerate(states):
        if varied:
            varied_settings(state, k)
        state.ensure()
        state.speed.value = SESSION_SPEED
    for state in states:
        state.play()
    time.sleep(2.0)  # every loop running: measure the steady state
    start = [state.month.value for state in states]
    seen, frames = list(start), [0] * n
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:  # count the frames each session shows
        time.sleep(0.05)
        for k, state in enumerate(states):
            if state.month.value != seen[k]:
                seen[k], frames[k] = state.month.value, frames[k] + 1
    elapsed = time.perf_counter() - t0
    rates = [(state.month.value - m) / elapsed for state, m in zip(states, start, strict=True)]
    gaps = [elapsed / max(1, f) for f in frames]
    for state in states:
        state.pause()
    tag = "varied_" if varied else ""
    return {
        "sessions": n,
        "session_speed_asked": SESSION_SPEED,
        f"{tag}session_months_per_s_min": round(min(rates), 2),
        f"{tag}session_months_per_s_median": round(statistics.median(rates), 2),
        f"{tag}session_seconds_between_frames_median": round(statistics.median(gaps), 2),
        f"{tag}session_seconds_between_frames_max": round(max(gaps), 2),
        f"{tag}session_axes_shared": CELLS.hits,
        f"{tag}session_axes_drawn": CELLS.misses,
        "session_target_months_per_s": SESSIONS_TARGET,
        "session_window_s": seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    figures = bench(args.repeats, args.months)
    figures.update(bench_sessions(args.sessions))
    figures.update(bench_sessions(args.sessions, varied=True))
    step_ok = figures["step_with_redraw_ms_median"] < STEP_TARGET_MS
    rep_ok = figures["replicates_with_charts_s_median"] < REPLICATES_TARGET_S
    print(
        f"one step of both panels with redraw: {figures['step_with_redraw_ms_median']:.1f} ms "
        f"median (p90 {figures['step_with_redraw_ms_p90']:.1f}; models alone "
        f"{figures['step_models_only_ms_median']:.2f} ms) target < {STEP_TARGET_MS:.0f} ms: "
        f"{'ok' if step_ok else 'MISSED'}"
    )
    print(
        f"{REPLICATES} replicates x 2 panels x {args.months} months (run_many, numba): "
        f"{figures['replicates_both_panels_s_median']:.3f} s median "
        f"(with fan and difference charts {figures['replicates_with_charts_s_median']:.3f} s) "
        f"target (with charts) < {REPLICATES_TARGET_S:.0f} s: {'ok' if rep_ok else 'MISSED'}"
    )
    for tag, what in (("", "on the page's defaults"), ("varied_", "each with its own settings")):
        slowest = figures[f"{tag}session_months_per_s_min"]
        print(
            f"{args.sessions} sessions playing at {SESSION_SPEED} months a second, {what}: each "
            f"advanced {slowest:.1f} to {figures[f'{tag}session_months_per_s_median']:.1f} (min "
            f"to median) months a second, target >= {SESSIONS_TARGET:.0f}: "
            f"{'ok' if slowest >= SESSIONS_TARGET else 'MISSED'}; a frame every "
            f"{figures[f'{tag}session_seconds_between_frames_median']:.1f} s (median; slowest "
            f"session {figures[f'{tag}session_seconds_between_frames_max']:.1f} s); axes put "
            f"back from another frame {figures[f'{tag}session_axes_shared']}, drawn "
            f"{figures[f'{tag}session_axes_drawn']}"
        )
    if not args.no_write:
        merge("app", figures)
        print(f"merged into {RESULTS} under 'app'")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
