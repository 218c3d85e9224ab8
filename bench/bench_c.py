"""How near the machine's limit the kernel is: the month of the model translated to C
(bench/c_month/), checked bit for bit against the kernel, then timed side by side with it.

The architecture issue judged the kernel against a hand-written C translation of its month; this
is that measurement for today's model. `--check` steps worlds through many months phase by phase,
running each phase in numba and in C from the same state, and stops at the first field whose bits
differ (naming the phase, month, field and index); with no option it checks every phase, then whole
runs with their measures, and only then prints the timings: the step alone in ns per agent-step at
16, 101, 1,004 and 10,040 organisations; each phase on its own output (as bench_phases.py times
it) at 16 and 1,004; and 120-month runs (step and the month's measures, as `run_batch` records
them; building the world is left out of both) in runs a second on one thread. Needs gcc.
A translation that has gone stale (the model changed, the C did not) fails the check, and no figure
is printed. The place-based world only. A measurement, not a test; not written to results.json.

Usage:
    .venv/bin/python bench/bench_c.py                      # check everything, then time
    .venv/bin/python bench/bench_c.py --check              # the check alone
    .venv/bin/python bench/bench_c.py --check --files regulator   # phases of c_month/regulator.c
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from c_month.cbuild import c_world, compile_library, sources
from c_month.compare import (
    RUN_MONTHS,
    advance_c,
    check_phases,
    check_runs,
    copy_world,
    make_world,
    run_steps,
)
from numba import njit

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


def _library():
    return compile_library(sources(), with_driver=True)


def _best(fn) -> float:
    return min(fn() for _ in range(REPEATS))


def time_steps(library) -> list[tuple[int, float, float, float, float]]:
    """(organisations, numba best and median, C best and median) ns per agent-step of the step
    alone, each over fresh worlds from month 0."""
    import ctypes

    c_run = library.c_run
    c_run.restype = None
    rows = []
    for shape, months, repeats in TIME_SHAPES:
        world, p, r = make_world(shape, {}, "shared_governance", 1)
        n_org = world.org_kind.shape[0]
        run_steps(as_ref(copy_world(world)), p, r, 1)  # compiled before the clock starts
        numba_s, c_s = [], []
        for _ in range(repeats):
            ref = as_ref(copy_world(world))
            start = time.perf_counter()
            run_steps(ref, p, r, months)
            numba_s.append(time.perf_counter() - start)
            mirror, rc = copy_world(world), r.copy()
            cw = c_world(mirror)
            args = (ctypes.c_void_p(p.ctypes.data), ctypes.c_void_p(rc.ctypes.data))
            start = time.perf_counter()
            c_run(ctypes.byref(cw), *args, ctypes.c_int64(months))
            c_s.append(time.perf_counter() - start)
        scale = 1e9 / (n_org * months)
        numba_ns, c_ns = np.array(numba_s) * scale, np.array(c_s) * scale
        rows.append((n_org, numba_ns.min(), np.median(numba_ns), c_ns.min(), np.median(c_ns)))
    return rows


PHASE_SHAPES = (({"n_ics": 1, "n_places": 3}, 1200), ({"n_ics": 4, "n_places": 50}, 60))


@njit
def _repeat_phase(fn, w, p, r, hi, n):
    for _ in range(n):
        fn(w, p, r, 0, hi)


def time_phases(library) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each phase called again and again on its own output (as bench_phases.py does), numba and C
    from the same warmed world: (phase, [(numba ns, C ns) per organisation at each shape])."""
    import ctypes

    c_repeat = library.c_repeat
    c_repeat.restype = None
    rows = []
    for k, ph in enumerate(PHASES):
        cells = []
        for shape, calls in PHASE_SHAPES:
            world, p, r = make_world(shape, {}, "shared_governance", 1)
            run_steps(as_ref(world), p, r, 30)
            n_org = world.org_kind.shape[0]
            hi = {"world": 1, "place": world.place_ics.shape[0], "org": n_org}[ph.unit]

            def numba_once(world=world, p=p, r=r, hi=hi, calls=calls, n_org=n_org, ph=ph):
                w, pc, rc = copy_world(world), p.copy(), r.copy()
                ref = as_ref(w)
                start = time.perf_counter()
                _repeat_phase(ph.fn, ref, pc, rc, hi, calls)
                return (time.perf_counter() - start) / calls / n_org * 1e9

            def c_once(world=world, p=p, r=r, hi=hi, calls=calls, n_org=n_org, k=k):
                w, pc, rc = copy_world(world), p.copy(), r.copy()
                cw = c_world(w)
                args = (ctypes.c_void_p(pc.ctypes.data), ctypes.c_void_p(rc.ctypes.data))
                start = time.perf_counter()
                c_repeat(
                    ctypes.c_int64(k),
                    ctypes.byref(cw),
                    *args,
                    ctypes.c_int64(0),
                    ctypes.c_int64(hi),
                    ctypes.c_int64(calls),
                )
                return (time.perf_counter() - start) / calls / n_org * 1e9

            numba_once()
            cells.append((_best(numba_once), _best(c_once)))
        rows.append((ph.name, cells))
    return rows


def time_runs(library) -> tuple[float, float]:
    """Runs a second on one thread, numba against C: 120 months of the default world with the
    month's measures, one world per run (built beforehand, as neither side's cost)."""
    import ctypes

    c_advance = advance_c(library)
    p = pack("place_system", validate("place_system"))
    r = PRESETS["shared_governance"].vector()
    worlds = [build_world(p, r, 0, 1, k) for k in range(RUNS)]
    history = np.zeros((RUN_MONTHS, N_MEASURES))

    def numba_once():
        refs = [as_ref(copy_world(w)) for w in worlds]
        start = time.perf_counter()
        for ref in refs:
            advance(ref, p, r, RUN_MONTHS, history, False)
        return RUNS / (time.perf_counter() - start)

    def c_once():
        copies = [copy_world(w) for w in worlds]
        structs = [ctypes.byref(c_world(w)) for w in copies]
        args = (ctypes.c_void_p(p.ctypes.data), ctypes.c_void_p(r.copy().ctypes.data))
        months, out, every = (
            ctypes.c_int64(RUN_MONTHS),
            ctypes.c_void_p(history.ctypes.data),
            ctypes.c_int(0),
        )
        start = time.perf_counter()
        for cw in structs:
            c_advance(cw, *args, months, out, every)
        return RUNS / (time.perf_counter() - start)

    numba_once()
    return max(numba_once() for _ in range(REPEATS)), max(c_once() for _ in range(REPEATS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the translation, time nothing")
    parser.add_argument(
        "--files", nargs="*", help="check only the phases of these c_month files (stems)"
    )
    args = parser.parse_args(argv)
    try:
        return _bench(args)
    except FileNotFoundError:
        print("bench_c.py: gcc is needed (apt-get install gcc)", file=sys.stderr)
        return 2
    except RuntimeError as error:  # the C does not compile
        print(f"bench_c.py: {error}", file=sys.stderr)
        return 1


def _bench(args: argparse.Namespace) -> int:
    agrees, complete = check_phases(args.files)
    if not agrees:
        return 1
    if args.files:
        return 0
    if not complete:
        print("the translation is incomplete: no timings")
        return 1
    library = _library()
    if not check_runs(library):
        return 1
    if args.check:
        return 0
    print(
        "\nthe step alone, ns per agent-step: best (median) of runs from month 0, as run_benchmarks:"
    )
    print(f"{'organisations':>14} {'numba':>14} {'C':>14} {'numba/C':>8}")
    for n_org, nb, nb_med, c, c_med in time_steps(library):
        print(f"{n_org:>14,} {nb:>6.1f} ({nb_med:>5.1f}) {c:>6.1f} ({c_med:>5.1f}) {nb / c:>8.2f}")
    print("\neach phase on its own output, ns per organisation (best of", REPEATS, "):")
    print(
        f"{'phase':>14} {'16: numba':>10} {'C':>7} {'ratio':>6} {'1,004: numba':>13} {'C':>7} {'ratio':>6}"
    )
    for name, cells in time_phases(library):
        (a, b), (c, d) = cells
        print(f"{name:>14} {a:>10.2f} {b:>7.2f} {a / b:>6.2f} {c:>13.2f} {d:>7.2f} {c / d:>6.2f}")
    numba_rate, c_rate = time_runs(library)
    print(f"\n{RUNS} runs of {RUN_MONTHS} months at 16 organisations, with the month's measures:")
    slower = c_rate / numba_rate
    print(
        f"  numba {numba_rate:,.0f} runs a second, C {c_rate:,.0f}: numba/C {slower:.2f}x the time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
