"""Benchmark of the classroom's room (no browser): a round with 30 students, from the last
student's choice to the round's results in `snapshot()`.

Target (issue 15): under 1 s. Thirty threads submit at once, as thirty browser sessions would;
the last choice closes the round inside its `submit` (the model's month, the records), and the
time is measured from just before that last call until a `snapshot()` taken after it shows the
round's results. Also: the time of one `snapshot()` and one `player_view()` (what each page's
poll costs), for the commons game and the NHS place game.

    .venv/bin/python bench/bench_classroom.py [--rounds 20] [--no-write]

Prints the figures and merges them into bench/results.json under the "classroom" key.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, merge  # noqa: E402  (bench/, the script's folder)

from sim.app.classroom.room import Room  # noqa: E402

TARGET_S = 1.0
SEATS = 30


def _round_times(game: str, rounds: int) -> dict:
    """Per round: seconds from the last choice to its results in the snapshot."""
    seats = SEATS if game == "commons" else 26  # the place game's largest room
    room = Room("BNCH", game=game, seats=seats, rounds_per_block=rounds, treatments=("baseline",))
    tokens = [room.join() for _ in range(seats)]
    room.start()
    high = room.snapshot()["limits"]["high"]
    last_ms, snap_ms, view_ms = [], [], []
    for r in range(1, rounds + 1):
        others = [threading.Thread(target=room.submit, args=(t, high / 2, r)) for t in tokens[:-1]]
        for t in others:
            t.start()
        for t in others:
            t.join()
        start = time.perf_counter()
        room.submit(tokens[-1], high / 3, r)
        snap = room.snapshot()
        last_ms.append(1000 * (time.perf_counter() - start))
        assert snap["last_round"]["round"] == r, "the results are not in the snapshot"
        t = time.perf_counter()
        room.snapshot()
        snap_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        room.player_view(tokens[0])
        view_ms.append(1000 * (time.perf_counter() - t))
    return {
        f"{game}_seats": seats,
        f"{game}_last_choice_to_results_ms_median": round(statistics.median(last_ms), 2),
        f"{game}_last_choice_to_results_ms_max": round(max(last_ms), 2),
        f"{game}_first_round_ms": round(last_ms[0], 2),
        f"{game}_snapshot_ms_median": round(statistics.median(snap_ms), 3),
        f"{game}_player_view_ms_median": round(statistics.median(view_ms), 3),
    }


def bench(rounds: int) -> dict:
    t = time.perf_counter()
    Room("WARM", rounds_per_block=1).start()  # loads the compiled model
    warm = time.perf_counter() - t
    figures = {"warm_start_s": round(warm, 2), "rounds": rounds, "target_s": TARGET_S}
    for game in ("commons", "place"):
        figures.update(_round_times(game, rounds))
    figures.update(cpus=os.cpu_count(), python=platform.python_version())
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    f = bench(args.rounds)
    for game in ("commons", "place"):
        worst = f[f"{game}_last_choice_to_results_ms_max"] / 1000
        print(
            f"{game} game, {f[f'{game}_seats']} students: last choice to results in the "
            f"snapshot {f[f'{game}_last_choice_to_results_ms_median']:.1f} ms median, "
            f"{f[f'{game}_last_choice_to_results_ms_max']:.1f} ms worst (target < {TARGET_S:g} s: "
            f"{'met' if worst < TARGET_S else 'NOT met'}); snapshot "
            f"{f[f'{game}_snapshot_ms_median']:.2f} ms, player view "
            f"{f[f'{game}_player_view_ms_median']:.2f} ms"
        )
    print(f"first room start (loads the compiled model): {f['warm_start_s']:.2f} s")
    if not args.no_write:
        merge("classroom", f)
        print(f"figures written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
