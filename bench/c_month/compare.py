"""The check behind bench/bench_c.py: the C translation of the month against the kernel, bit for
bit, phase by phase from the same state and over whole runs with their measures."""

from __future__ import annotations

import ctypes
from dataclasses import replace

import numpy as np
from bench_phases import repeat_phase
from c_month.cbuild import c_world, compile_library, phase_function, sources

from sim.core.constants import MEASURES, N_MEASURES
from sim.core.init import adopt_rules, build_world
from sim.core.measures import measure
from sim.core.params import pack, validate
from sim.core.rules import PRESETS
from sim.core.state import FIELDS, World, as_ref
from sim.core.submodels import PHASES
from sim.engine.kernel import advance

RUN_MONTHS = 120

# Worlds the check steps through: the default system, a larger one, and parameters far from the
# defaults so that rarer branches (deficits, special measures, takeovers, votes, membership without
# a trust threshold) are taken.
CHECK_SHAPES = ({}, {"n_ics": 2, "n_places": 4})
CHECK_PARAMS = (
    {},
    {"trust_gain": 0.2, "trust_loss": 0.6, "exploration": 0.3, "join_trust": 0.0},
    {"special_measures_concern": 0.3, "oversight_review": 1},
)
CHECK_MONTHS = 72
# Every preset, and variants that take branches no preset does (block contracts, an acute trust
# outside a narrow agreement paid by activity, agreed shares enforced without a partnership, a
# fair share chosen openly with nothing agreed).
CHECK_RULES = {
    **PRESETS,
    "shared_governance, block funding": replace(
        PRESETS["shared_governance"], funding_model="block"
    ),
    "fortress, block funding": replace(PRESETS["fortress"], funding_model="block"),
    "success_regime, no breadth": replace(PRESETS["success_regime"], partnership_breadth=0.0),
    "fortress, agreed and policed": replace(
        PRESETS["fortress"],
        agreed_shares=True,
        partnership_breadth=0.3,
        graduated_sanctions=True,
        monitoring=0.9,
        sanction_severity=1.0,
    ),
    "fortress, shares chosen openly": replace(PRESETS["fortress"], collective_choice=1.0),
}
# Policy schedules, (month, rules) from month 0: a switch takes the paths a fixed rule set never
# does (vision taken up at the speed of trust, rules adopted less than a year ago).
CHECK_SCHEDULES = {
    **{name: ((0, name),) for name in CHECK_RULES},
    "fortress, then shared_governance": ((0, "fortress"), (30, "shared_governance")),
    "shared_governance, then fortress": ((0, "shared_governance"), (30, "fortress")),
}


def c_args(world: World, p, r) -> tuple:
    """C's first three arguments over copies of `world`, p and r: (arguments, the objects they
    point into, which must stay alive while C runs: the copied world first)."""
    mirror, p_c, r_c = copy_world(world), p.copy(), r.copy()
    cw = c_world(mirror)
    args = (ctypes.byref(cw), ctypes.c_void_p(p_c.ctypes.data), ctypes.c_void_p(r_c.ctypes.data))
    return args, (mirror, p_c, r_c, cw)


def copy_world(world: World) -> World:
    return World(*(a.copy() for a in world))


def _differs(a: World, b: World) -> str | None:
    """The first field and index whose bits differ, with both values; None if identical."""
    for f in FIELDS:
        x, y = getattr(a, f.name), getattr(b, f.name)
        bits = (x.view(np.int64), y.view(np.int64))
        if not np.array_equal(*bits):
            k = int(np.flatnonzero(bits[0].ravel() != bits[1].ravel())[0])
            return f"{f.name}[{k}]: numba {x.ravel()[k]!r}, C {y.ravel()[k]!r}"
    return None


def make_world(shape: dict, params: dict, rules: str, seed: int):
    """A generated place-based world, its parameter vector and the lever vector of `rules` (a
    name in CHECK_RULES)."""
    p = pack("place_system", validate("place_system", **shape, **params))
    r = CHECK_RULES[rules].vector()
    return build_world(p, r, 0, seed, 0), p, r


def _switch(world: World, p, r, schedule, month: int) -> None:
    """Adopt the rules a schedule switches to at the start of `month`, as `run_schedule` does."""
    for start, rules in schedule[1:]:
        if start == month:
            r[:] = CHECK_RULES[rules].vector()
            adopt_rules(as_ref(world), p, r)


def check_phases(files: list[str] | None) -> tuple[bool, bool]:
    """Each phase present in C against numba, from the same state, month after month: (whether
    every one present agrees, whether every phase and the measures are present)."""
    library = compile_library(sources(files), with_driver=False)
    present = [(ph, phase_function(library, ph.name)) for ph in PHASES]
    c_measure = getattr(library, "c_measure", None)
    names = [ph.name for ph, fn in present if fn is not None] + ["measure"] * (
        c_measure is not None
    )
    print(f"phases in C: {', '.join(names) or 'none'}")
    for shape in CHECK_SHAPES:
        for params in CHECK_PARAMS:
            for name, schedule in CHECK_SCHEDULES.items():
                world, p, r = make_world(shape, params, schedule[0][1], seed=3)
                where = (
                    f"rules {name}, shape {shape or 'default'}, parameters {params or 'default'}"
                )
                if not _months_agree(present, c_measure, world, p, r, schedule, where):
                    return False, False
    worlds = len(CHECK_SHAPES) * len(CHECK_PARAMS)
    print(
        f"every phase in C gives the kernel's bits ({CHECK_MONTHS} months, {len(CHECK_SCHEDULES)} "
        f"rule sets and schedules, {worlds} worlds each)"
    )
    return True, len(names) == len(PHASES) + 1


def _months_agree(present, c_measure, world: World, p, r, schedule, where: str) -> bool:
    """Step one world through CHECK_MONTHS months phase by phase, each phase present in C run
    from numba's state before it and compared field by field; False at the first difference."""
    units = {"world": 1, "place": world.place_ics.shape[0], "org": world.org_kind.shape[0]}
    for month in range(CHECK_MONTHS):
        _switch(world, p, r, schedule, month)
        for ph, fn in present:
            if fn is None:
                repeat_phase(ph.fn, as_ref(world), p, r, 1, units[ph.unit])
                continue
            args, (before, p_c, r_c, _cw) = c_args(world, p, r)
            repeat_phase(ph.fn, as_ref(world), p, r, 1, units[ph.unit])
            fn(*args, 0, units[ph.unit])
            problem = _differs(world, before)
            if problem is None and not (np.array_equal(r, r_c) and np.array_equal(p, p_c)):
                problem = "the parameter or lever vector"
            if problem:
                print(f"DIFFERS: {ph.name}, month {month}, {where}: {problem}")
                return False
        if c_measure is not None and not _measure_agrees(c_measure, world, p, r, month):
            return False
        # As the kernel records each month (the measures keep the waiting list carried).
        measure(as_ref(world), p, r, np.empty(N_MEASURES), True, True)
    return True


def _measure_agrees(c_measure, world: World, p, r, month: int) -> bool:
    """The month's measures (every flag combination) in numba and in C, from the same state."""
    for costly, trust in ((True, True), (False, True), (False, False)):
        numba_state = copy_world(world)
        out_nb = np.full(N_MEASURES, np.nan)
        out_c = np.full(N_MEASURES, np.nan)
        measure(as_ref(numba_state), p, r, out_nb, costly, trust)
        args, (mirror, *_alive) = c_args(world, p, r)
        c_measure(
            *args, ctypes.c_void_p(out_c.ctypes.data), ctypes.c_int(costly), ctypes.c_int(trust)
        )
        problem = _differs(numba_state, mirror)
        if problem is None and not np.array_equal(out_nb.view(np.int64), out_c.view(np.int64)):
            m = int(np.flatnonzero(out_nb.view(np.int64) != out_c.view(np.int64))[0])
            problem = f"measure {MEASURES[m]}: numba {out_nb[m]!r}, C {out_c[m]!r}"
        if problem:
            print(
                f"DIFFERS: measure (costly={costly}, trust={trust}), after month {month}: {problem}"
            )
            return False
    return True


def check_runs(library, label: str = "C") -> bool:
    """Whole 120-month runs with their measures (as `run_batch` records them, fixed rules): state
    and history, bit for bit."""
    for shape in CHECK_SHAPES:
        for params in CHECK_PARAMS:
            for rules in CHECK_RULES:
                for seed in (1, 2):
                    world, p, r = make_world(shape, params, rules, seed)
                    args, (mirror, *_alive) = c_args(world, p, r)  # before numba moves them on
                    h_nb = np.zeros((RUN_MONTHS, N_MEASURES))
                    h_c = np.zeros((RUN_MONTHS, N_MEASURES))
                    advance(as_ref(world), p, r, RUN_MONTHS, h_nb, False)
                    history = ctypes.c_void_p(h_c.ctypes.data)
                    library.c_advance(*args, ctypes.c_int64(RUN_MONTHS), history, ctypes.c_int(0))
                    problem = _differs(world, mirror)
                    bits = h_nb.view(np.int64), h_c.view(np.int64)
                    if problem is None and not np.array_equal(*bits):
                        t, m = np.argwhere(bits[0] != bits[1])[0]
                        problem = (
                            f"{MEASURES[m]} of month {t}: numba {h_nb[t, m]!r}, C {h_c[t, m]!r}"
                        )
                    if problem:
                        where = f"rules {rules}, seed {seed}, shape {shape or 'default'}"
                        print(f"DIFFERS over a whole run ({label}): {where}, {params}: {problem}")
                        return False
    print(f"whole runs of {RUN_MONTHS} months ({label}) give the kernel's state and measures")
    return True
