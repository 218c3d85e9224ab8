"""What a kernel that steps many runs in lockstep could gain: one phase, `update_trust`, measured
both ways on the same worlds, side by side.

Today each run is stepped alone (`run_batch` gives each thread one world at a time), so every
operation of a phase acts on one organisation of one run. Stepped in lockstep, the state of R runs
is held run-innermost (`trust[edge, run]`) and each operation acts on R runs at once, which the
compiler can vectorise. This script transcribes `update_trust` (sim/core/submodels/trust.py) into
that layout, checks that it gives the same trust and vision bit for bit on R worlds that have run
30 months under shared governance, and times both, in ns per agent-step (one organisation of one
run for one month), at 4, 8 and 32 runs in lockstep. A measurement of the idea, not a part of the model: the kernel does not use
it (README, performance).

Usage: .venv/bin/python bench/bench_lockstep.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from numba import njit

from sim.core.init import build_world
from sim.core.params import PX as P
from sim.core.params import pack, validate
from sim.core.rules import PRESETS
from sim.core.rules import RX as R
from sim.core.state import as_ref
from sim.core.submodels.behaviour import legitimacy
from sim.core.submodels.common import clamp
from sim.core.submodels.incentives import system_weight
from sim.core.submodels.regulator import sanction_level, visibility
from sim.core.submodels.trust import update_trust
from sim.engine.kernel import step

RUN_COUNTS = (4, 8, 32)  # runs in lockstep (an AVX2 register holds 4 doubles)
SHAPES = (({"n_ics": 1, "n_places": 3}, 4000), ({"n_ics": 4, "n_places": 50}, 60))
WARM_MONTHS, REPEATS = 30, 5
ORG_FIELDS = ("leadership", "vision", "breach", "conduct", "detected", "record", "fined_multiple")


@njit
def _warm(w, p, r, months):
    for _ in range(months):
        step(w, p, r)


@njit
def _repeat_alone(w, p, r, n_org, calls):
    for _ in range(calls):
        update_trust(w, p, r, 0, n_org)


@njit
def trust_lockstep(trust, org, edge_start, edge_end, edge_dst, rules, calls):
    """`update_trust` on R runs at once: `trust[edge, run]`, `org[field, org, run]` in ORG_FIELDS
    order, `rules[term, run]` the phase's per-run terms (see `_terms`). The same operations in the
    same order as the model's, per run."""
    n_org, n_runs = org.shape[1], org.shape[2]
    gain = np.empty(n_runs)
    resent = np.empty(n_runs)
    for _ in range(calls):
        for i in range(n_org):
            for k in range(n_runs):
                g = rules[0, k] * (1.0 + rules[1, k] * org[0, i, k])
                v = org[1, i, k]
                held = rules[4, k]
                org[1, i, k] = held if v >= held else v + g * (held - v)
                gain[k] = g
                sting = 0.0
                if org[4, i, k] > 0.0:
                    level = sanction_level(rules[6, k], org[5, i, k], rules[7, k])
                    sting = rules[3, k] * min(1.0, level * org[6, i, k])
                resent[k] = sting
            for e in range(edge_start[i], edge_end[i]):
                j = edge_dst[e]
                for k in range(n_runs):
                    t = trust[e, k]
                    s = (1.0 - rules[5, k]) * org[2, j, k] + rules[5, k] * (1.0 - org[3, j, k])
                    t = t + gain[k] * (1.0 - t) * (1.0 - s) - rules[2, k] * t * s
                    t -= resent[k] * t
                    trust[e, k] = clamp(t, 0.0, 1.0)


def _terms(p: np.ndarray, r: np.ndarray) -> list[float]:
    """The per-run terms `update_trust` computes before its loop, in `trust_lockstep`'s order."""
    seen = visibility(p, r)
    return [
        p[P.trust_gain] * seen,
        r[R.system_leadership],
        p[P.trust_loss] * seen * (1.0 - p[P.conflict_softening] * r[R.conflict_resolution]),
        p[P.resentment] * (1.0 - legitimacy(p, r)),
        system_weight(p, r),
        p[P.trust_grading],
        r[R.graduated_sanctions],
        p[P.sanction_escalation],
    ]


def _worlds(shape: dict, runs: int):
    """`runs` worlds of `shape` (run keys 0..runs-1) after WARM_MONTHS under shared governance."""
    p = pack("place_system", validate("place_system", **shape))
    r = PRESETS["shared_governance"].vector()
    worlds = []
    for run in range(runs):
        world = build_world(p, r.copy(), 0, 1, run)
        _warm(as_ref(world), p, r, WARM_MONTHS)
        worlds.append(world)
    return worlds, p, r


def _lockstep_state(worlds, p, r):
    topology = worlds[0].edge_start, worlds[0].edge_end, worlds[0].edge_dst
    for world in worlds:  # the same system in every run: only the draws differ
        mine = (world.edge_start, world.edge_end, world.edge_dst)
        for ours, first in zip(mine, topology, strict=True):
            assert np.array_equal(ours, first)
    trust = np.ascontiguousarray(np.stack([w.trust for w in worlds], axis=1))
    org = np.ascontiguousarray(
        np.stack([np.stack([getattr(w, f) for w in worlds], axis=1) for f in ORG_FIELDS])
    )
    rules = np.array([_terms(p, r)] * len(worlds)).T.copy()
    return trust, org, topology, rules


def compare(shape: dict, calls: int, runs: int) -> None:
    """Check one call both ways gives the same state, then time `calls` calls of each."""
    worlds, p, r = _worlds(shape, runs)
    n_org = worlds[0].org_kind.shape[0]
    trust, org, (start, end, dst), rules = _lockstep_state(worlds, p, r)
    trust_lockstep(trust, org, start, end, dst, rules, 1)
    for k, world in enumerate(worlds):
        _repeat_alone(as_ref(world), p, r, n_org, 1)
        assert np.array_equal(trust[:, k], world.trust), "lockstep trust differs"
        assert np.array_equal(org[1, :, k], world.vision), "lockstep vision differs"
    alone = lockstep = float("inf")
    for _ in range(REPEATS):
        refs = [as_ref(world) for world in worlds]
        began = time.perf_counter()
        for ref in refs:
            _repeat_alone(ref, p, r, n_org, calls)
        alone = min(alone, time.perf_counter() - began)
        began = time.perf_counter()
        trust_lockstep(trust, org, start, end, dst, rules, calls)
        lockstep = min(lockstep, time.perf_counter() - began)
    per = 1e9 / (calls * n_org * runs)
    print(
        f"{n_org} organisations, {len(dst)} edges, {runs} runs, {calls} calls (best of {REPEATS}): "
        f"update_trust run by run {alone * per:.1f} ns per agent-step, in lockstep "
        f"{lockstep * per:.1f} ({alone / lockstep:.2f}x); identical state after one call"
    )


def main() -> None:
    for shape, calls in SHAPES:
        for runs in RUN_COUNTS:
            compare(shape, calls, runs)


if __name__ == "__main__":
    main()
