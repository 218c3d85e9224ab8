"""How near the machine's limit the kernel is: the month of the model translated to C
(bench/c_month/), checked bit for bit against the kernel, then timed side by side with it.

The architecture issue judged the kernel against a hand-written C translation of its month; this
is that measurement for today's model. `--check` steps worlds through many months phase by phase
(fixed rules and policy switches), running each phase in numba and in C from the same state, and
stops at the first field whose bits differ (naming the phase, month, field and index); then it
checks whole runs with their measures. With no option it checks, and only then prints the
timings, numba beside each build of the C (`cbuild.VARIANTS`: gcc at -O2, with min and max as
branches or as the instructions numba emits): the step alone in ns per agent-step at 16, 101,
1,004 and 10,040 organisations, as run_benchmarks.py times it; each phase on its own output, as
bench_phases.py times it, at 16 and 1,004; and 120-month runs (step and the month's measures, as
`run_batch` records them; building the world is left out of both) in runs a second on one thread.
A translation that has gone stale (the model changed, the C did not) fails the check where the
check's worlds reach the change, and no figure is printed; it does not reach organisations without
partners (no generated world has one). The place-based world only. Needs gcc. A measurement, not a
test; not written to results.json.

Usage:
    .venv/bin/python bench/bench_c.py                      # check everything, then time
    .venv/bin/python bench/bench_c.py --check              # the check alone
    .venv/bin/python bench/bench_c.py --check --files regulator   # phases of c_month/regulator.c
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from bench_phases import repeat_phase, repeat_step
from c_month.cbuild import VARIANTS, compile_library, sources
from c_month.compare import RUN_MONTHS, c_args, check_phases, check_runs, copy_world, make_world

from sim.core.constants import N_MEASURES
from sim.core.init import build_world
from sim.core.params import pack, validate
from sim.core.rules import PRESETS
from sim.core.state import as_ref
from sim.core.submodels import PHASES
from sim.engine.kernel import advance

# As bench/run_benchmarks.py times the step: (shape, months, fresh worlds), runs from month 0, the
# two engines taking turns so that both see the same spells of a slow machine.
TIME_SHAPES = (
    ({"n_ics": 1, "n_places": 3}, 120, 40),
    ({"n_ics": 1, "n_places": 20}, 120, 20),
    ({"n_ics": 4, "n_places": 50}, 24, 10),
    ({"n_ics": 40, "n_places": 50}, 12, 5),
)
REPEATS = 7
RUNS = 300


def _libraries() -> dict[str, ctypes.CDLL]:
    """The whole month, built each way of VARIANTS."""
    return {name: compile_library(sources(), True, defines) for name, defines in VARIANTS.items()}


def _best(fn) -> float:
    return min(fn() for _ in range(REPEATS))


def time_steps(libraries: dict) -> list[tuple[int, dict[str, tuple[float, float]]]]:
    """(organisations, {engine: (best, median)}) ns per agent-step of the step alone, each over
    fresh worlds from month 0, numba and each C build taking turns."""
    rows = []
    for shape, months, repeats in TIME_SHAPES:
        world, p, r = make_world(shape, {}, "shared_governance", 1)
        n_org = world.org_kind.shape[0]
        repeat_step(as_ref(copy_world(world)), p, r.copy(), 1)  # compiled before the clock starts
        seconds: dict[str, list[float]] = {"numba": [], **{name: [] for name in libraries}}
        for _ in range(repeats):
            ref, rn = as_ref(copy_world(world)), r.copy()
            start = time.perf_counter()
            repeat_step(ref, p, rn, months)
            seconds["numba"].append(time.perf_counter() - start)
            for name, library in libraries.items():
                args, _alive = c_args(world, p, r)
                start = time.perf_counter()
                library.c_run(*args, ctypes.c_int64(months))
                seconds[name].append(time.perf_counter() - start)
        scale = 1e9 / (n_org * months)
        cells = {k: (min(v) * scale, float(np.median(v)) * scale) for k, v in seconds.items()}
        rows.append((n_org, cells))
    return rows


PHASE_SHAPES = (({"n_ics": 1, "n_places": 3}, 1200), ({"n_ics": 4, "n_places": 50}, 60))


def time_phases(library: ctypes.CDLL) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each phase called again and again on its own output (as bench_phases.py does), numba and C
    from the same warmed world: (phase, [(numba ns, C ns) per organisation at each shape])."""
    rows = []
    for k, ph in enumerate(PHASES):
        cells = []
        for shape, calls in PHASE_SHAPES:
            world, p, r = make_world(shape, {}, "shared_governance", 1)
            repeat_step(as_ref(world), p, r, 30)
            n_org = world.org_kind.shape[0]
            hi = {"world": 1, "place": world.place_ics.shape[0], "org": n_org}[ph.unit]

            def numba_once(world=world, p=p, r=r, hi=hi, calls=calls, n_org=n_org, ph=ph):
                w, pc, rc = copy_world(world), p.copy(), r.copy()
                ref = as_ref(w)
                start = time.perf_counter()
                repeat_phase(ph.fn, ref, pc, rc, calls, hi)
                return (time.perf_counter() - start) / calls / n_org * 1e9

            def c_once(world=world, p=p, r=r, hi=hi, calls=calls, n_org=n_org, k=k):
                args, _alive = c_args(world, p, r)
                span = (ctypes.c_int64(0), ctypes.c_int64(hi), ctypes.c_int64(calls))
                start = time.perf_counter()
                library.c_repeat(ctypes.c_int64(k), *args, *span)
                return (time.perf_counter() - start) / calls / n_org * 1e9

            numba_once()
            cells.append((_best(numba_once), _best(c_once)))
        rows.append((ph.name, cells))
    return rows


def time_runs(libraries: dict) -> dict[str, float]:
    """Runs a second on one thread, numba and each C build: 120 months of the default world with
    the month's measures, one world per run (built beforehand, as neither side's cost); rounds
    take turns, the best of REPEATS."""
    p = pack("place_system", validate("place_system"))
    r = PRESETS["shared_governance"].vector()
    worlds = [build_world(p, r, 0, 1, k) for k in range(RUNS)]
    history = np.zeros((RUN_MONTHS, N_MEASURES))
    months, out, every = (
        ctypes.c_int64(RUN_MONTHS),
        ctypes.c_void_p(history.ctypes.data),
        ctypes.c_int(0),
    )

    def numba_round() -> float:
        runs = [(as_ref(copy_world(w)), r.copy()) for w in worlds]
        start = time.perf_counter()
        for ref, rn in runs:
            advance(ref, p, rn, RUN_MONTHS, history, False)
        return RUNS / (time.perf_counter() - start)

    def c_round(library) -> float:
        runs = [c_args(w, p, r) for w in worlds]
        start = time.perf_counter()
        for args, _alive in runs:
            library.c_advance(*args, months, out, every)
        return RUNS / (time.perf_counter() - start)

    numba_round()
    rates: dict[str, float] = {"numba": 0.0, **{name: 0.0 for name in libraries}}
    for _ in range(REPEATS):
        rates["numba"] = max(rates["numba"], numba_round())
        for name, library in libraries.items():
            rates[name] = max(rates[name], c_round(library))
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the translation, time nothing")
    parser.add_argument(
        "--files", nargs="+", help="check only the phases of these c_month files (stems)"
    )
    args = parser.parse_args(argv)
    try:
        return _bench(args)
    except RuntimeError as error:  # no gcc, C that does not compile, a file that is not there
        print(f"bench_c.py: {error}", file=sys.stderr)
        return 2


def _bench(args: argparse.Namespace) -> int:
    agrees, complete = check_phases(args.files)
    if not agrees:
        return 1
    if args.files:
        return 0
    if not complete:
        print("the translation is incomplete: no timings")
        return 1
    libraries = _libraries()
    if not all(check_runs(library, name) for name, library in libraries.items()):
        return 1
    if args.check:
        return 0
    names = ["numba", *libraries]
    print("\nthe step alone, ns per agent-step, best (median) of runs from month 0:")
    print(f"{'organisations':>14} " + " ".join(f"{n:>24}" for n in names))
    for n_org, cells in time_steps(libraries):
        text = " ".join(f"{cells[n][0]:>16.1f} ({cells[n][1]:>5.1f})" for n in names)
        print(f"{n_org:>14,} {text}")
    print(f"\neach phase on its own output, ns per organisation (best of {REPEATS}), plain C:")
    head = f"{'16: numba':>10} {'C':>7} {'ratio':>6} {'1,004: numba':>13} {'C':>7} {'ratio':>6}"
    print(f"{'phase':>14} {head}")
    for name, ((a, b), (c, d)) in time_phases(libraries["C"]):
        print(f"{name:>14} {a:>10.2f} {b:>7.2f} {a / b:>6.2f} {c:>13.2f} {d:>7.2f} {c / d:>6.2f}")
    rates = time_runs(libraries)
    print(f"\n{RUNS} runs of {RUN_MONTHS} months at 16 organisations with the month's measures:")
    for name in names:
        print(f"{name:>24}: {rates[name]:>7,.0f} runs a second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
